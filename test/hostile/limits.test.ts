/**
 * Issue 9 items 4 and 5: the in-flight limit survives a new hello, never refuses close,
 * disconnect, getInfo or getSockets, and an app's sockets are bounded.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { DownItem, ResultMessage } from '../../common/protocol';
import { PROTOCOL_VERSION } from '../../common/protocol';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { attachRaw, Cleanup, newHost, type RawPage } from '../support';

/** A resolver that never answers until released: connects to its names hang in DNS. */
function hangingLookup(cleanup: Cleanup): LookupFunction {
  const pending: Array<() => void> = [];
  cleanup.add(() => {
    for (const release of pending.splice(0)) release();
  });
  return ((_name: string, _options: unknown, callback: (error: Error | null) => void) => {
    pending.push(() => callback(Object.assign(new Error('released'), { code: 'ENOTFOUND' })));
  }) as unknown as LookupFunction;
}

const isResult =
  (id: number) =>
  (item: DownItem): item is ResultMessage =>
    item.t === 'r' && item.id === id;

async function call(page: RawPage, id: number, ns: string, m: string, a: unknown[]): Promise<ResultMessage> {
  page.send({ t: 'call', id, ns, m, a });
  return (await page.next(isResult(id), 5000)) as ResultMessage;
}

describe('in-flight and per-app limits (issue 9 items 4, 5)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function pageWithHangingConnects(max: number): Promise<{ page: RawPage; socketIds: number[] }> {
    const host = newHost({ lookup: hangingLookup(cleanup), limits: { maxPendingCalls: max } }, cleanup);
    const page = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    const socketIds: number[] = [];
    for (let i = 0; i < max; i++) {
      const created = await call(page, 1000 + i, 'tcp', 'create', [{ persistent: true }]);
      socketIds.push((created.a[0] as { socketId: number }).socketId);
    }
    for (let i = 0; i < max; i++) page.send({ t: 'call', id: i, ns: 'tcp', m: 'connect', a: [socketIds[i], 'hangs.test', 80] });
    return { page, socketIds };
  }

  it('refuses new calls once the limit is reached', async () => {
    const { page } = await pageWithHangingConnects(4);
    const refused = await call(page, 99, 'tcp', 'create', [{}]);
    expect(refused.e?.message).to.equal('Too many calls in flight (4)');
  });

  it('keeps counting the old page’s calls after a new hello (three hellos do not triple the limit)', async () => {
    const { page, socketIds } = await pageWithHangingConnects(4);
    for (let round = 0; round < 3; round++) {
      page.send({ t: 'hello', v: PROTOCOL_VERSION });
      const id = 200 + round;
      const result = await call(page, id, 'tcp', 'connect', [socketIds[round], 'hangs.test', 80]);
      expect(result.e?.message, `round ${round}`).to.equal('Too many calls in flight (4)');
    }
  });

  it('never refuses close, disconnect, getInfo or getSockets, so hanging calls can be cancelled', async () => {
    const { page, socketIds } = await pageWithHangingConnects(4);
    expect((await call(page, 300, 'tcp', 'getSockets', [])).e).to.equal(undefined);
    expect((await call(page, 301, 'tcp', 'getInfo', [socketIds[0]])).e).to.equal(undefined);
    expect((await call(page, 302, 'tcp', 'disconnect', [socketIds[0]])).e).to.equal(undefined);
    expect((await call(page, 303, 'tcp', 'close', [socketIds[1]])).e).to.equal(undefined);
    expect((await call(page, 305, 'tcp', 'close', [socketIds[0]])).e).to.equal(undefined);
    // The connects of the closed sockets are answered at once (they waited on DNS), and their
    // slots are free again.
    expect(((await page.next(isResult(0))) as ResultMessage).e?.message).to.equal('Socket not found');
    expect(((await page.next(isResult(1))) as ResultMessage).e?.message).to.equal('Socket not found');
    expect((await call(page, 304, 'tcp', 'create', [{}])).e).to.equal(undefined);
  });

  it('bounds the sockets an app holds: create fails past maxSocketsPerApp, and works again after a close', async () => {
    const host = newHost({ limits: { maxSocketsPerApp: 3 } }, cleanup);
    const page = attachRaw(host, { app: 'many', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    const ids: number[] = [];
    for (const [i, ns] of (['tcp', 'udp', 'tcpServer'] as const).entries()) {
      ids.push(((await call(page, i, ns, 'create', [{}])).a[0] as { socketId: number }).socketId);
    }
    const refused = await call(page, 10, 'tcp', 'create', [{}]);
    expect(refused.a).to.deep.equal([]);
    expect(refused.e?.message).to.match(/^Too many sockets/);
    await call(page, 11, 'tcp', 'close', [ids[0]]);
    expect((await call(page, 12, 'tcp', 'create', [{}])).e).to.equal(undefined);
  });

  it('resets connections to an app server once the app is at its socket limit', async () => {
    const host = newHost({ limits: { maxSocketsPerApp: 2 } }, cleanup);
    const page = attachRaw(host, { app: 'server', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'listen', ev: ['tcpServer.onAccept'] });
    const serverId = ((await call(page, 1, 'tcpServer', 'create', [{}])).a[0] as { socketId: number }).socketId;
    expect((await call(page, 2, 'tcpServer', 'listen', [serverId, '127.0.0.1', 0])).a).to.deep.equal([0]);
    const port = ((await call(page, 3, 'tcpServer', 'getInfo', [serverId])).a[0] as { localPort: number }).localPort;
    const clients: net.Socket[] = [];
    cleanup.add(() => clients.forEach((c) => c.destroy()));
    const connect = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => resolve(c));
        c.on('error', () => {});
        clients.push(c);
      });
    await connect();
    await page.next((item) => item.t === 'e' && item.ev === 'onAccept');
    const second = await connect();
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    expect(page.items.filter((item) => item.t === 'e' && item.ev === 'onAccept')).to.have.length(1);
    expect(host.inspect().sockets).to.have.length(2);
  });
});
