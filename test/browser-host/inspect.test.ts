/**
 * GET /inspect on the browser host: the debugging window's Inspector feed, behind the token.
 */
import { expect } from 'chai';
import { startBrowserHost } from '../../main/browser-host/server';

describe('browser host GET /inspect', () => {
  it('answers the token holder with the host snapshot and refuses everyone else, with a log line', async () => {
    const logs: string[] = [];
    const server = await startBrowserHost({ allowAll: true, log: (l) => logs.push(l) });
    try {
      const base = `http://127.0.0.1:${server.port}/inspect`;
      const none = await fetch(base);
      expect(none.status).to.equal(401);
      const wrong = await fetch(base, { headers: { authorization: `Bearer ${'0'.repeat(32)}` } });
      expect(wrong.status).to.equal(401);
      const post = await fetch(base, { method: 'POST', headers: { authorization: `Bearer ${server.token}` } });
      expect(post.status).to.equal(405);
      expect(logs.filter((l) => /refused .* \/inspect/.test(l))).to.have.length(3);

      const ok = await fetch(base, { headers: { authorization: `Bearer ${server.token}` } });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('cache-control')).to.equal('no-store');
      const body = (await ok.json()) as { contexts: unknown[]; sockets: unknown[]; takenAt: number };
      expect(body.contexts).to.deep.equal([]);
      expect(body.sockets).to.deep.equal([]);
      expect(body.takenAt).to.be.a('number');
    } finally {
      await server.close();
    }
  });
});
