/**
 * Ownership and lifetime (ARCHITECTURE.md, spec §3.8): what closes when, and that nothing is
 * left behind.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { createTestHost } from '../../testing';
import { PROTOCOL_VERSION, type ResultMessage } from '../../common/protocol';
import { Cleanup, attachFacade, attachRaw, echoServer, listen, newHost, until } from '../support';

/** Handles and requests the process holds, by type (timers, sockets, ports, …). */
function resources(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'TTYWrap')
    .sort();
}

/** A few turns of the event loop: what a synchronous end() or close() started has run its course. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('test host lifetime', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('close() leaves no socket, port, timer or handle behind', async () => {
    const { port } = await echoServer(cleanup);
    // A resolver that never answers keeps one connect pending, without touching the network.
    await settle();
    const before = resources();
    const t = await createTestHost({ lookup: (() => {}) as never });
    const tcp = t.chrome.sockets.tcp as any;
    tcp.onReceive.addListener(() => {});
    const a = (await tcp.create({ persistent: true })).socketId;
    const b = (await tcp.create({})).socketId;
    const c = (await tcp.create({})).socketId;
    expect(await tcp.connect(a, '127.0.0.1', port)).to.equal(0);
    expect(await tcp.connect(b, '127.0.0.1', port)).to.equal(0);
    tcp.connect(c, 'never.test', 80, () => {});
    await tcp.send(a, new Uint8Array([1, 2, 3]));
    expect(t.host.inspect().sockets).to.have.length(3);
    await t.close();
    expect(t.host.inspect().sockets).to.deep.equal([]);
    expect(t.host.inspect().contexts).to.deep.equal([]);
    // Closed handles leave the list on a later turn of the loop: wait for it, then compare.
    await until(() => resources().length <= before.length, 'the handles to close').catch(() => {});
    expect(resources()).to.deep.equal(before);
  });

  it('close() can be called twice', async () => {
    const t = await createTestHost();
    await t.close();
    await t.close();
    expect(t.host.inspect().sockets).to.deep.equal([]);
  });
});

describe('SocketsHost lifetime', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('closes non-persistent sockets when the background context ends, keeps persistent ones for the next page', async () => {
    const host = newHost({}, cleanup);
    const { port } = await echoServer(cleanup);
    const first = attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const tcp = first.chrome.sockets.tcp as any;
    const keep = (await tcp.create({ persistent: true, name: 'keep' })).socketId;
    const drop = (await tcp.create({ name: 'drop' })).socketId;
    expect(await tcp.connect(keep, '127.0.0.1', port)).to.equal(0);
    expect(await tcp.connect(drop, '127.0.0.1', port)).to.equal(0);

    first.end();
    await settle();
    expect(host.inspect().sockets.map((s) => s.name)).to.deep.equal(['keep']);

    const second = attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const tcp2 = second.chrome.sockets.tcp as any;
    const sockets = await tcp2.getSockets();
    expect(sockets.map((s: { socketId: number; name: string; connected: boolean }) => [s.socketId, s.name, s.connected])).to.deep.equal([
      [keep, 'keep', true],
    ]);
    // The adopted socket still works from the new page.
    const got = new Promise<string>((resolve) =>
      tcp2.onReceive.addListener((i: { data: ArrayBuffer }) => resolve(Buffer.from(i.data).toString())),
    );
    await tcp2.send(keep, new TextEncoder().encode('still here'));
    expect(await got).to.equal('still here');
  });

  it("keeps an app's sockets while its background context lives, whatever its windows do", async () => {
    const host = newHost({}, cleanup);
    attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const win = attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    await (win.chrome.sockets.tcp as any).create({});
    win.end();
    await settle();
    expect(host.inspect().sockets).to.have.length(1);
  });

  it('for an app without a background context, closes non-persistent sockets with its last context', async () => {
    const host = newHost({}, cleanup);
    const w1 = attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    const w2 = attachFacade(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    await (w1.chrome.sockets.tcp as any).create({});
    await (w1.chrome.sockets.tcp as any).create({ persistent: true });
    w1.end();
    await settle();
    expect(host.inspect().sockets).to.have.length(2);
    w2.end();
    await settle();
    expect(host.inspect().sockets.map((s) => s.persistent)).to.deep.equal([true]);
  });

  it('treats a second hello on the same port as a new page: non-persistent sockets close, answers to the old page are dropped', async () => {
    const host = newHost({ lookup: (() => {}) as never }, cleanup);
    const page = attachRaw(host, { app: 'app', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{ name: 'gone' }] });
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'create', a: [{ name: 'kept', persistent: true }] });
    await page.next((i) => i.t === 'r' && i.id === 2);
    // A connect the old page is still waiting for (the resolver never answers).
    page.send({ t: 'call', id: 3, ns: 'tcp', m: 'connect', a: [2, 'never.test', 80] });
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'getSockets', a: [] });
    const answer = await page.next((i) => i.t === 'r' && i.id === 1 && Array.isArray(i.a[0]));
    expect((answer as unknown as { a: Array<Array<{ name: string }>> }).a[0].map((s) => s.name)).to.deep.equal(['kept']);
    page.send({ t: 'call', id: 4, ns: 'tcp', m: 'close', a: [2] });
    await page.next((i) => i.t === 'r' && i.id === 4);
    expect(
      page.items.filter((i) => i.t === 'r' && i.id === 3),
      "the old page's connect answer is not delivered to the new page",
    ).to.have.length(0);
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
    // A later call's answer is the marker: once it and the new page's create answer are here, an
    // answer to the old page's call 1 queued before them would have arrived too.
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'getSockets', a: [] });
    await page.next((i) => i.t === 'r' && i.id === 1 && !Array.isArray((i as ResultMessage).a[0]));
    await page.next((i) => i.t === 'r' && i.id === 2);
    const ones = page.items.filter((i): i is ResultMessage => i.t === 'r' && i.id === 1);
    expect(ones.map((r) => r.a[0])).to.deep.equal([{ socketId: 1 }]);
  });

  it("detachApp closes every socket of the app, persistent ones too, and no other app's", async () => {
    const host = newHost({}, cleanup);
    const server = net.createServer(() => {});
    const port = await listen(server);
    cleanup.add(() => new Promise((r) => server.close(r)));
    const a = attachFacade(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup).chrome.sockets.tcp as any;
    const b = attachFacade(host, { app: 'b', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup).chrome.sockets.tcp as any;
    const pa = (await a.create({ persistent: true })).socketId;
    await a.connect(pa, '127.0.0.1', port);
    const pb = (await b.create({ persistent: true })).socketId;
    host.detachApp('a');
    await settle();
    expect(host.inspect().sockets.map((s) => [s.app, s.id])).to.deep.equal([['b', pb]]);
  });

  it('refuses a manifest with an invalid pattern at attach time', () => {
    const host = newHost({}, cleanup);
    expect(() => attachFacade(host, { app: 'x', sockets: { tcp: { connect: 'a:b:c' } } }, cleanup)).to.throw(
      "Invalid host:port pattern 'a:b:c'",
    );
  });
});
