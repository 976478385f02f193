/**
 * Regressions found in review: each test fails without its fix.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { PROTOCOL_VERSION, type EventMessage, type ResultMessage } from '../../common/protocol';
import type { AppState } from '../../main/app-state';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { createTestHost } from '../../testing';
import { Cleanup, attachRaw, delay, listen, newHost } from '../support';
import { Cleanup as SpecCleanup, startTlsEchoServer, testCertificate } from '../tcp/helpers';
import { hostInternals } from '../../main/host';

describe('review regressions', () => {
  const cleanup = new Cleanup();
  const specCleanup = new SpecCleanup();
  afterEach(async () => {
    await cleanup.run();
    await specCleanup.run();
  });

  it('gives every listening context the bytes of a large read, not a buffer the first one took', async () => {
    const host = newHost({}, cleanup);
    const pages = [0, 1].map(() => attachRaw(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup));
    for (const page of pages) {
      page.send({ t: 'hello', v: PROTOCOL_VERSION });
      page.send({ t: 'listen', ev: ['tcp.onReceive'] });
    }
    await delay(20);
    const app = (host as unknown as { apps: Map<string, AppState> }).apps.get('a')!;
    // A read larger than one batch (1 MiB) in a buffer the host may move to the first page.
    const data = Buffer.allocUnsafeSlow(2 * 1024 * 1024).fill(7);
    hostInternals(host).env.emit(app, 'tcp', 'onReceive', { socketId: 1 }, data, { transferable: true, sliceSize: 65536 });
    for (const page of pages) {
      await page.next((i) => i.t === 'e');
      const event = page.items.find((i): i is EventMessage => i.t === 'e')!;
      expect(event.d?.[2], 'bytes the event carries').to.equal(2 * 1024 * 1024);
    }
  });

  it('answers secure() when the socket is closed during the handshake', async () => {
    // A peer that accepts and never answers the ClientHello.
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.resume(); // read, so the client's FIN is seen and the server can close
    });
    const port = await listen(server);
    cleanup.add(() => new Promise((r) => server.close(r)));
    const t = await createTestHost();
    cleanup.add(() => t.close());
    const tcp = t.chrome.sockets.tcp as any;
    const { socketId } = await tcp.create({});
    await tcp.setPaused(socketId, true);
    expect(await tcp.connect(socketId, '127.0.0.1', port)).to.equal(0);
    let lastError: string | undefined;
    const answered = new Promise<unknown[]>((resolve) =>
      tcp.secure(socketId, (...args: unknown[]) => {
        lastError = t.chrome.runtime.lastError?.message;
        resolve(args);
      }),
    );
    await delay(50);
    await tcp.close(socketId);
    const args = await Promise.race([answered, delay(2000).then(() => 'no answer')]);
    expect(args).to.not.equal('no answer');
    expect((args as number[])[0]).to.be.below(0);
    expect(lastError).to.match(/^net::ERR_/);
  });

  it('reads after secure() when setPaused(false) came during the handshake', async () => {
    const cert = testCertificate();
    const server = await startTlsEchoServer(specCleanup, cert);
    const t = await createTestHost({ tls: { ca: cert.cert } });
    cleanup.add(() => t.close());
    const tcp = t.chrome.sockets.tcp as any;
    const got = new Promise<string>((resolve) =>
      tcp.onReceive.addListener((i: { data: ArrayBuffer }) => resolve(Buffer.from(i.data).toString())),
    );
    const { socketId } = await tcp.create({});
    await tcp.setPaused(socketId, true);
    expect(await tcp.connect(socketId, '127.0.0.1', server.port)).to.equal(0);
    const secured = tcp.secure(socketId);
    tcp.setPaused(socketId, false); // without waiting for secure's answer
    expect(await secured).to.equal(0);
    await tcp.send(socketId, new TextEncoder().encode('after tls'));
    expect(await Promise.race([got, delay(3000).then(() => 'nothing received')])).to.equal('after tls');
  });

  it('does not hand a result queued for the old page to the new page after a second hello', async () => {
    const host = newHost({}, cleanup);
    const page = attachRaw(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    // Call id 1 from the old page, then a reload (hello) and call id 1 from the new page, all in
    // one drain of the port: the old result is still queued when the new page says hello.
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'getSockets', a: [] });
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{}] });
    await page.next((i) => i.t === 'r' && i.id === 1 && !Array.isArray((i as ResultMessage).a[0]));
    await delay(30);
    const ones = page.items.filter((i): i is ResultMessage => i.t === 'r' && i.id === 1);
    expect(ones.map((r) => r.a[0])).to.deep.equal([{ socketId: 1 }]);
  });
});
