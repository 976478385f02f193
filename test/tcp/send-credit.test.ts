/**
 * tcp send credit (README "How faithful"): the page answers a send that fits in the socket's
 * credit by itself, and the host owns those bytes as a kernel socket buffer would. Every test
 * checks what the app sees (callbacks, their order, lastError) and what the peer gets.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import type * as api from '../../common/api-types';
import { NET_ERRORS } from '../../common/net-errors';
import type { PagePort } from '../../common/port';
import { PROTOCOL_VERSION, type CreditMessage, type DownItem, type ResultMessage, type UpMessage } from '../../common/protocol';
import type { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import type { SocketsHostOptions } from '../../main/types';
import { createChromeSockets } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { attachRaw, listen, newHost, Cleanup as SupportCleanup } from '../support';
import { acceptTls } from '../support/tls-peers';
import { until } from '../support/wait';
import { testCertificate, type Host, type TcpApi } from './helpers';

interface Conn {
  socket: net.Socket;
  data: Buffer[];
  ended: boolean;
  closed: boolean;
}

/**
 * A peer that keeps every byte it is sent, per connection. `reading`: at once (default), not
 * until `conn.socket.resume()` ('paused'), or slowly (a pause of 2 ms after each chunk) until
 * `conn.socket.resume()` is called with `fast` set ('throttled').
 */
async function collector(
  cleanup: SupportCleanup,
  reading: 'now' | 'paused' | 'throttled' = 'now',
): Promise<{ port: number; conns: Conn[]; fast: () => void }> {
  const conns: Conn[] = [];
  let throttle = reading === 'throttled';
  const server = net.createServer((socket) => {
    const conn: Conn = { socket, data: [], ended: false, closed: false };
    conns.push(conn);
    if (reading === 'paused') socket.pause();
    socket.on('close', () => {
      conn.closed = true;
    });
    socket.on('data', (chunk) => {
      conn.data.push(chunk);
      if (!throttle) return;
      socket.pause();
      setTimeout(() => socket.resume(), 2);
    });
    socket.on('end', () => {
      conn.ended = true;
      socket.end();
    });
    socket.on('error', () => {});
  });
  const port = await listen(server);
  cleanup.add(() => {
    for (const conn of conns) conn.socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return {
    port,
    conns,
    fast: () => {
      throttle = false;
      for (const conn of conns) conn.socket.resume();
    },
  };
}

const received = (conn: { data: Buffer[] }): Buffer => Buffer.concat(conn.data);
const receivedLength = (conn: { data: Buffer[] }): number => conn.data.reduce((sum, chunk) => sum + chunk.byteLength, 0);

/** A chrome.sockets page on its own port whose messages to the host are recorded. */
function spiedPage(host: SocketsHost, cleanup: SupportCleanup): { t: Host; tcp: TcpApi; up: UpMessage[] } {
  const { port1, port2 } = new MessageChannel();
  host.attachPort(hostPortFromNodePort(port1), { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: true });
  const inner = pagePortFromMessagePort(port2 as never);
  const up: UpMessage[] = [];
  const spied: PagePort = {
    postMessage(message, transfer) {
      up.push(message);
      inner.postMessage(message, transfer);
    },
    onMessage: (handler) => inner.onMessage(handler),
    onClose: (handler) => inner.onClose?.(handler),
  };
  const chrome = createChromeSockets(spied);
  cleanup.add(() => port2.close());
  const tcp = chrome.sockets.tcp as unknown as TcpApi;
  return { t: { chrome, host, tcp } as unknown as Host, tcp, up };
}

interface Answer {
  args: unknown[];
  lastError: string | undefined;
}

function call(t: Host, start: (cb: (...args: unknown[]) => void) => void): Promise<Answer> {
  return new Promise((resolve) => start((...args) => resolve({ args, lastError: t.chrome.runtime.lastError?.message })));
}

async function connected(t: Host, port: number, paused = false): Promise<number> {
  const created = await call(t, (cb) => t.tcp.create(cb));
  const id = (created.args[0] as api.tcp.CreateInfo).socketId;
  if (paused) await call(t, (cb) => t.tcp.setPaused(id, true, cb));
  const result = await call(t, (cb) => t.tcp.connect(id, '127.0.0.1', port, cb));
  expect(result.args).to.deep.equal([0]);
  return id;
}

/** A page of `h` with a tcp socket connected to a reading peer; its first send (`first` bytes) earned the credit. */
async function creditedSocket(h: SocketsHost, cleanup: SupportCleanup, first: number) {
  const page = spiedPage(h, cleanup);
  const peer = await collector(cleanup);
  const id = await connected(page.t, peer.port);
  await call(page.t, (cb) => page.t.tcp.send(id, filled(first, 0), cb));
  return { ...page, peer, id };
}

const sendsToHost = (up: UpMessage[]) => up.filter((m) => m.t === 'call' && m.m === 'send').length;
const sendsAnswered = (up: UpMessage[]) => up.filter((m) => m.t === 'send').length;
const quotaUsed = (host: SocketsHost) => host.inspect().apps?.find((a) => a.app === 'a')?.writeQuota?.used;

function filled(size: number, seed: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (seed + i) & 0xff;
  return data;
}

describe('tcp send credit (sends the page answers itself)', () => {
  const cleanup = new SupportCleanup();
  afterEach(() => cleanup.run());

  /** A host with the default credit (256 KiB), unless `options.limits` says otherwise. */
  function host(options: SocketsHostOptions = {}): SocketsHost {
    return newHost(options, cleanup);
  }

  it('is on by default (256 KiB) and off with limits.sendCredit: 0, where every send is answered by the host once written', async () => {
    const on = spiedPage(newHost({}, cleanup), cleanup);
    const off = spiedPage(newHost({ limits: { sendCredit: 0 } }, cleanup), cleanup);
    const peer = await collector(cleanup);
    for (const { t, tcp } of [on, off]) {
      const id = await connected(t, peer.port);
      for (let i = 0; i < 5; i++) {
        expect(await call(t, (cb) => tcp.send(id, filled(1000, i), cb))).to.deep.equal({
          args: [{ resultCode: 0, bytesSent: 1000 }],
          lastError: undefined,
        });
      }
    }
    expect(sendsAnswered(on.up)).to.equal(4);
    expect(sendsToHost(on.up)).to.equal(1);
    expect(sendsAnswered(off.up)).to.equal(0);
    expect(sendsToHost(off.up)).to.equal(5);
  });

  it('answers sends within the credit on the page, in order, with Chrome’s result, and the peer gets every byte in order', async () => {
    const h = host();
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    const expected: Buffer[] = [];
    // The first send goes to the host (it grants the credit with its answer).
    const first = filled(100, 1);
    expect((await call(t, (cb) => t.tcp.send(id, first, cb))).args).to.deep.equal([{ resultCode: 0, bytesSent: 100 }]);
    expected.push(Buffer.from(first));
    // A loop of sends, each in the previous one's callback, as a file server does.
    const answers: unknown[] = [];
    await new Promise<void>((resolve) => {
      let n = 0;
      const next = (info?: unknown): void => {
        if (info !== undefined) answers.push(info);
        if (n === 300) return resolve();
        const data = filled(4096, n++);
        expected.push(Buffer.from(data));
        t.tcp.send(id, data, next);
      };
      next();
    });
    expect(answers).to.have.length(300);
    for (const info of answers) expect(info).to.deep.equal({ resultCode: 0, bytesSent: 4096 });
    // Most of them never waited for the host.
    expect(sendsAnswered(up)).to.be.greaterThan(200);
    await until(() => received(peer.conns[0]).length === 100 + 300 * 4096, 'every byte at the peer');
    expect(received(peer.conns[0]).equals(Buffer.concat(expected))).to.equal(true);
  });

  it('keeps callbacks and bytes in order when a send beyond the credit goes to the host between local ones', async () => {
    const h = host({ limits: { sendCredit: 8192 } });
    const { t, up, peer, id } = await creditedSocket(h, cleanup, 10);
    const sizes = [1000, 1000, 20_000, 1000, 1000, 9000, 500];
    const order: number[] = [];
    const done = sizes.map(
      (size, i) =>
        new Promise<void>((resolve) =>
          t.tcp.send(id, filled(size, i), (info: api.tcp.SendInfo) => {
            expect(info).to.deep.equal({ resultCode: 0, bytesSent: size });
            order.push(i);
            resolve();
          }),
        ),
    );
    await Promise.all(done);
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    // 1000 and 1000 fit; 20000 (more than the whole credit) goes to the host, and the sends after
    // it wait for it there, so no callback overtakes another.
    expect(sendsAnswered(up)).to.equal(2);
    expect(sendsToHost(up)).to.equal(1 + 5);
    const expected = Buffer.concat([filled(10, 0), ...sizes.map((size, i) => filled(size, i))]);
    await until(() => received(peer.conns[0]).length === expected.length, 'every byte at the peer');
    expect(received(peer.conns[0]).equals(expected)).to.equal(true);
  });

  it('reports the failure of a write the page already answered at the next send (-2), then -15', async () => {
    const h = host();
    const { t } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    // Paused: the host does not read, so it learns of the peer's reset only by writing.
    const id = await connected(t, peer.port, true);
    const errors: unknown[] = [];
    t.tcp.onReceiveError.addListener((info: unknown) => errors.push(info));
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
    await until(() => peer.conns.length === 1 && received(peer.conns[0]).length === 10, 'the first bytes at the peer');
    const closed = new Promise((resolve) => peer.conns[0].socket.once('close', resolve));
    peer.conns[0].socket.resetAndDestroy();
    await closed;
    // Answered on the page: Chrome too says 0 for bytes that went into its pipe.
    const local = await call(t, (cb) => t.tcp.send(id, filled(1000, 1), cb));
    expect(local).to.deep.equal({ args: [{ resultCode: 0, bytesSent: 1000 }], lastError: undefined });
    // The write fails at the host and the connection goes down.
    await until(async () => !((await call(t, (cb) => t.tcp.getInfo(id, cb))).args[0] as api.tcp.SocketInfo).connected, 'disconnected');
    const next = await call(t, (cb) => t.tcp.send(id, filled(10, 2), cb));
    expect(next).to.deep.equal({ args: [{ resultCode: NET_ERRORS.FAILED }], lastError: 'net::ERR_FAILED' });
    const after = await call(t, (cb) => t.tcp.send(id, filled(10, 3), cb));
    expect(after).to.deep.equal({ args: [{ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED }], lastError: 'net::ERR_SOCKET_NOT_CONNECTED' });
    // Paused: no read was outstanding, so no onReceiveError (as in Chrome).
    expect(errors).to.deep.equal([]);
  });

  it('writes the bytes of sends answered before close() and returns the credit to the quota', async () => {
    const h = host();
    const { t, up, peer, id } = await creditedSocket(h, cleanup, 10);
    expect(quotaUsed(h)).to.equal(256 * 1024);
    const callbacks: unknown[] = [];
    for (let i = 0; i < 20; i++) t.tcp.send(id, filled(1000, i), (info: unknown) => callbacks.push(info));
    const closed = await call(t, (cb) => t.tcp.close(id, cb));
    expect(closed.lastError).to.equal(undefined);
    expect(callbacks).to.have.length(20);
    expect(sendsAnswered(up)).to.equal(20);
    // close() comes after the sends on the port: the host wrote them first, then closed (FIN).
    await until(() => peer.conns[0].ended, 'the peer sees the close');
    expect(
      received(peer.conns[0]).equals(Buffer.concat([filled(10, 0), ...Array.from({ length: 20 }, (_, i) => filled(1000, i))])),
    ).to.equal(true);
    expect(quotaUsed(h)).to.equal(0);
    // The id is gone: the next send meets the host, as in Chrome.
    expect(await call(t, (cb) => t.tcp.send(id, filled(1, 0), cb))).to.deep.equal({ args: [], lastError: 'Socket not found' });
  });

  for (const sendCredit of [256 * 1024, 0]) {
    it(`writes sends that reach the host in one turn together, in order, and close() in the same task still gets them all out first (sendCredit ${sendCredit})`, async () => {
      const h = host({ limits: { sendCredit } });
      const { t } = spiedPage(h, cleanup);
      const peer = await collector(cleanup);
      const id = await connected(t, peer.port);
      await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
      // 200 sends of odd sizes in one task: the host takes them from the port in one drain, writes
      // the first at once and corks the rest until the turn ends; close() comes behind them.
      const sent = Array.from({ length: 200 }, (_, i) => filled(1 + ((i * 997) % 3001), i));
      const results: unknown[] = [];
      for (const data of sent) t.tcp.send(id, data, (info: unknown) => results.push(info));
      expect((await call(t, (cb) => t.tcp.close(id, cb))).lastError).to.equal(undefined);
      await until(() => peer.conns[0].ended, 'the peer sees the close');
      expect(received(peer.conns[0]).equals(Buffer.concat([filled(10, 0), ...sent]))).to.equal(true);
      expect(results).to.deep.equal(sent.map((d) => ({ resultCode: 0, bytesSent: d.byteLength })));
    });
  }

  it('takes the credit away at disconnect(): bytes answered before it are written, later sends get -15, a reconnect earns a new credit', async () => {
    const h = host();
    const { t, up, peer, id } = await creditedSocket(h, cleanup, 10);
    for (let i = 0; i < 5; i++) t.tcp.send(id, filled(100, i), () => {});
    t.tcp.disconnect(id, () => {});
    const afterDisconnect = await call(t, (cb) => t.tcp.send(id, filled(10, 9), cb));
    expect(afterDisconnect).to.deep.equal({
      args: [{ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED }],
      lastError: 'net::ERR_SOCKET_NOT_CONNECTED',
    });
    expect(sendsAnswered(up)).to.equal(5);
    await until(() => peer.conns[0].ended, 'the peer sees the disconnect');
    expect(received(peer.conns[0]).length).to.equal(10 + 500);
    expect(quotaUsed(h)).to.equal(0);
    // Reconnected: the first send goes to the host again and brings a new credit.
    expect((await call(t, (cb) => t.tcp.connect(id, '127.0.0.1', peer.port, cb))).args).to.deep.equal([0]);
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
    await call(t, (cb) => t.tcp.send(id, filled(10, 1), cb));
    expect(sendsAnswered(up)).to.equal(6);
    await until(() => peer.conns.length === 2 && received(peer.conns[1]).length === 20, 'the new connection’s bytes');
  });

  it('answers sends on a paused socket too (setPaused holds receiving only), and the peer gets them', async () => {
    const h = host();
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port, true);
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
    expect((await call(t, (cb) => t.tcp.send(id, filled(1000, 1), cb))).args).to.deep.equal([{ resultCode: 0, bytesSent: 1000 }]);
    expect(sendsAnswered(up)).to.equal(1);
    await until(() => received(peer.conns[0]).length === 1010, 'the bytes at the peer');
    const info = (await call(t, (cb) => t.tcp.getInfo(id, cb))).args[0] as api.tcp.SocketInfo;
    expect(info.paused).to.equal(true);
  });

  it('counts the credit against the write quota: no credit when the quota cannot hold it, and Exceeded write quota. stays reachable', async () => {
    // A quota smaller than the credit: nothing is granted, every send is answered by the host.
    const small = host({ writeQuota: 100_000 });
    const a = spiedPage(small, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(a.t, peer.port);
    for (let i = 0; i < 3; i++) await call(a.t, (cb) => a.tcp.send(id, filled(1000, i), cb));
    expect(sendsAnswered(a.up)).to.equal(0);
    expect(await call(a.t, (cb) => a.tcp.send(id, filled(100_001, 0), cb))).to.deep.equal({ args: [], lastError: 'Exceeded write quota.' });
    // A quota with room: the credit is reserved while granted (up to a quarter of the quota), so
    // the rest of the quota is what a send the host answers can use.
    const roomy = host({ writeQuota: 1024 * 1024 });
    const b = spiedPage(roomy, cleanup);
    const id2 = await connected(b.t, peer.port);
    await call(b.t, (cb) => b.tcp.send(id2, filled(10, 0), cb));
    expect(quotaUsed(roomy)).to.equal(256 * 1024);
    expect(await call(b.t, (cb) => b.tcp.send(id2, filled(1024 * 1024 - 256 * 1024 + 1, 0), cb))).to.deep.equal({
      args: [],
      lastError: 'Exceeded write quota.',
    });
    await call(b.t, (cb) => b.tcp.close(id2, cb));
    await until(() => quotaUsed(roomy) === 0, 'the quota back');
  });

  it('drops the credit at a reload; a persistent socket earns a new one, and bytes sent without credit never reach the peer', async () => {
    const logs: string[] = [];
    const h = host({ log: (line) => logs.push(line), limits: { sendCredit: 4096 } });
    const page = attachRaw(h, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const peer = await collector(cleanup);
    const result = (id: number) => (i: DownItem) => i.t === 'r' && i.id === id;
    const grant = (after: number) => (i: DownItem) => i.t === 'c' && i.n !== undefined && i.n > 0 && i.g > after;
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{ persistent: true }] });
    const socketId = (((await page.next(result(1))) as ResultMessage).a[0] as api.tcp.CreateInfo).socketId;
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'connect', a: [socketId, '127.0.0.1', peer.port] });
    await page.next(result(2));
    const bytesOf = (text: string) => new TextEncoder().encode(text).buffer;
    page.send({ t: 'call', id: 3, ns: 'tcp', m: 'send', a: [socketId, bytesOf('a')] });
    const first = (await page.next(grant(0))) as CreditMessage;
    expect(first).to.deep.include({ s: socketId, n: 4096 });
    page.send({ t: 'send', s: socketId, g: first.g, d: bytesOf('b') });
    // Past the credit: refused and logged; the bytes never reach the peer.
    page.send({ t: 'send', s: socketId, g: first.g, d: new Uint8Array(5000).fill(0x78).buffer });
    await until(() => received(peer.conns[0]).toString() === 'ab', 'the credited byte');
    // The page reloads: its credit goes with it, and a send on it is dropped.
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'send', s: socketId, g: first.g, d: bytesOf('X') });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'getSockets', a: [] });
    const sockets = ((await page.next((i) => i.t === 'r' && i.id === 1 && Array.isArray(i.a[0]))) as ResultMessage)
      .a[0] as api.tcp.SocketInfo[];
    expect(sockets.map((s) => s.socketId)).to.deep.equal([socketId]);
    expect(quotaUsed(h)).to.equal(0);
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'send', a: [socketId, bytesOf('c')] });
    const second = (await page.next(grant(first.g))) as CreditMessage;
    page.send({ t: 'send', s: socketId, g: second.g, d: bytesOf('d') });
    await until(() => received(peer.conns[0]).toString() === 'abcd', 'the new page’s bytes');
    expect(logs.join('\n')).to.match(/beyond the socket's send credit/);
  });
});

describe('tcp send credit: bounds, quota, secure(), other pages, disconnect (issue #13 item 5)', () => {
  const cleanup = new SupportCleanup();
  afterEach(() => cleanup.run());

  function host(options: SocketsHostOptions = {}): SocketsHost {
    return newHost(options, cleanup);
  }

  const bytesOf = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer;
  const result = (id: number) => (i: DownItem) => i.t === 'r' && i.id === id;
  const grantFor = (socketId: number) => (i: DownItem) => i.t === 'c' && i.s === socketId && i.n !== undefined && i.n > 0;
  const revokeOf = (g: number) => (i: DownItem) => i.t === 'c' && i.g === g && i.n === 0;

  it('answers on the page no more sends than the context may have written in flight (limits.maxCreditedWrites); the rest go to the host, in order', async () => {
    const h = host({ limits: { maxCreditedWrites: 4 } });
    const { t, up, peer, id } = await creditedSocket(h, cleanup, 1);
    const order: number[] = [];
    const done = Array.from(
      { length: 12 },
      (_, i) =>
        new Promise<void>((resolve) =>
          t.tcp.send(id, filled(1, i + 1), (info: api.tcp.SendInfo) => {
            expect(info).to.deep.equal({ resultCode: 0, bytesSent: 1 });
            order.push(i);
            resolve();
          }),
        ),
    );
    await Promise.all(done);
    expect(order).to.deep.equal(Array.from({ length: 12 }, (_, i) => i));
    // Four answered on the page (the host had told it of no completed write yet), the fifth and
    // those behind it through the host.
    expect(sendsAnswered(up)).to.equal(4);
    expect(sendsToHost(up)).to.equal(1 + 8);
    const expected = Buffer.concat(Array.from({ length: 13 }, (_, i) => filled(1, i)));
    await until(() => received(peer.conns[0]).equals(expected), 'every byte at the peer, in order');
  });

  it('keeps the quota of credited bytes still waiting in Node’s buffer across a reload, and gives it back as they are written', async () => {
    const h = host({ limits: { sendCredit: 65536 } });
    const page = attachRaw(h, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const peer = await collector(cleanup, 'paused');
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{ persistent: true }] });
    const socketId = (((await page.next(result(1))) as ResultMessage).a[0] as api.tcp.CreateInfo).socketId;
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'connect', a: [socketId, '127.0.0.1', peer.port] });
    await page.next(result(2));
    page.send({ t: 'call', id: 3, ns: 'tcp', m: 'send', a: [socketId, bytesOf('a')] });
    const grant = (await page.next(grantFor(socketId))) as CreditMessage;
    // More than the kernel takes from a peer that does not read: this write waits in Node.
    const big = 32 * 1024 * 1024;
    page.send({ t: 'call', id: 4, ns: 'tcp', m: 'send', a: [socketId, new Uint8Array(big).buffer] });
    page.send({ t: 'send', s: socketId, g: grant.g, d: new Uint8Array(60_000).fill(7).buffer });
    await until(() => quotaUsed(h) === big + 65536, 'the big send and the credit reserved');
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    // The credit is gone with the page, but its 60000 bytes are not written yet: they keep their quota.
    await until(() => quotaUsed(h) === big + 60_000, 'the unwritten credited bytes still reserved');
    await delay(50);
    expect(quotaUsed(h)).to.equal(big + 60_000);
    peer.conns[0].socket.resume();
    await until(() => receivedLength(peer.conns[0]) === 1 + big + 60_000, 'every byte at the peer');
    await until(() => quotaUsed(h) === 0, 'the quota back once written');
  });

  /** A connected socket of one page, and another page of the app that sent 'a' on it and holds its credit grant. */
  async function otherPageHoldingCredit() {
    const h = host();
    const { t } = spiedPage(h, cleanup);
    const other = attachRaw(h, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: false }, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    other.send({ t: 'hello', v: PROTOCOL_VERSION });
    other.send({ t: 'call', id: 1, ns: 'tcp', m: 'send', a: [id, bytesOf('a')] });
    const grant = (await other.next(grantFor(id))) as CreditMessage;
    return { h, t, other, peer, id, grant };
  }

  it('delivers the sends a page answered before another page of the app disconnected the socket, then ends the connection', async () => {
    const { h, t, other, peer, id, grant } = await otherPageHoldingCredit();
    // This page disconnects; the other answered its sends before it learned of that.
    expect(await call(t, (cb) => t.tcp.disconnect(id, cb))).to.deep.equal({ args: [], lastError: undefined });
    expect(((await call(t, (cb) => t.tcp.getInfo(id, cb))).args[0] as api.tcp.SocketInfo).connected).to.equal(false);
    await other.next(revokeOf(grant.g));
    other.send({ t: 'send', s: id, g: grant.g, d: bytesOf('late-1 ') });
    other.send({ t: 'send', s: id, g: grant.g, d: bytesOf('late-2') });
    await delay(50);
    // The connection waits for the other page to let go of its grant.
    expect(peer.conns[0].ended).to.equal(false);
    other.send({ t: 'cr', s: id, g: grant.g });
    await until(() => peer.conns[0].ended, 'the peer sees the end');
    expect(received(peer.conns[0]).toString()).to.equal('alate-1 late-2');
    await until(() => quotaUsed(h) === 0, 'the quota back');
  });

  it('delivers them when the other page closes the socket, too', async () => {
    const { h, t, other, peer, id, grant } = await otherPageHoldingCredit();
    expect(await call(t, (cb) => t.tcp.close(id, cb))).to.deep.equal({ args: [], lastError: undefined });
    expect(await call(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal({ args: [], lastError: 'Socket not found' });
    other.send({ t: 'send', s: id, g: grant.g, d: bytesOf('bc') });
    other.send({ t: 'cr', s: id, g: grant.g });
    await until(() => peer.conns[0].ended, 'the peer sees the end');
    expect(received(peer.conns[0]).toString()).to.equal('abc');
    await until(() => quotaUsed(h) === 0, 'the quota back');
  });

  it('secure() by another page waits for the bytes the holder answered, and a send or a second secure() meanwhile neither fails it nor gets credit', async () => {
    const cert = testCertificate();
    // STARTTLS: plaintext up to a newline, then TLS (an echo).
    const plaintext: Buffer[] = [];
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      let seen = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        seen = Buffer.concat([seen, chunk]);
        const end = seen.indexOf(0x0a);
        if (end < 0) return;
        socket.off('data', onData);
        socket.pause();
        plaintext.push(seen.subarray(0, end + 1));
        if (end + 1 < seen.length) socket.unshift(seen.subarray(end + 1));
        const secure = acceptTls(socket, cert);
        secure.pipe(secure);
      };
      socket.on('data', onData);
    });
    const port = await listen(server);
    cleanup.add(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    });
    const h = host({ tls: { ca: cert.cert } });
    const { t } = spiedPage(h, cleanup);
    const holder = attachRaw(h, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: false }, cleanup);
    const id = await connected(t, port, true);
    holder.send({ t: 'hello', v: PROTOCOL_VERSION });
    holder.send({ t: 'call', id: 1, ns: 'tcp', m: 'send', a: [id, bytesOf('PLAIN ')] });
    const grant = (await holder.next(grantFor(id))) as CreditMessage;
    const secured = call(t, (cb) => t.tcp.secure(id, cb));
    // The holder is told first; secure() then waits for it to let go.
    await holder.next(revokeOf(grant.g));
    expect(await call(t, (cb) => t.tcp.send(id, filled(5, 0), cb))).to.deep.equal({
      args: [{ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED }],
      lastError: 'net::ERR_SOCKET_NOT_CONNECTED',
    });
    expect(await call(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [NET_ERRORS.FAILED], lastError: 'net::ERR_FAILED' });
    // What the holder answered before it learned of the revocation goes out in clear, first.
    holder.send({ t: 'send', s: id, g: grant.g, d: bytesOf('LATE\n') });
    holder.send({ t: 'cr', s: id, g: grant.g });
    expect(await secured).to.deep.equal({ args: [0], lastError: undefined });
    expect(Buffer.concat(plaintext).toString()).to.equal('PLAIN LATE\n');
    // No credit was granted while it ran: the refused send went nowhere.
    expect(holder.items.filter((i) => i.t === 'c' && i.n !== undefined && i.n > 0)).to.have.length(1);
    const echoed: Buffer[] = [];
    t.tcp.onReceive.addListener((info: api.tcp.ReceiveInfo) => echoed.push(Buffer.from(info.data)));
    await call(t, (cb) => t.tcp.setPaused(id, false, cb));
    expect((await call(t, (cb) => t.tcp.send(id, bytesOf('over tls'), cb))).args).to.deep.equal([{ resultCode: 0, bytesSent: 8 }]);
    await until(() => Buffer.concat(echoed).toString() === 'over tls', 'the echo over TLS');
  });

  for (const credit of [8 * 1024 * 1024, 0]) {
    it(`lets the peer read everything after send callback → disconnect, 4 KiB sends to a peer that reads only afterwards (sendCredit ${credit})`, async () => {
      const h = host({ limits: { sendCredit: credit } });
      const { t, up } = spiedPage(h, cleanup);
      const peer = await collector(cleanup, 'paused');
      // With credit the loop goes on until 64 KiB of answered sends wait in the host behind the
      // kernel's full buffers, whatever the kernel takes this time (about 4 MiB here). The credit
      // is 8 MiB so the page can keep answering until then: the host tells it what was written
      // only once half the credit is unreported (or with a batch that goes down anyway), and a
      // send it must pass to the host would wait for the kernel, which never takes it. Without
      // credit every send waits for the kernel, so the loop stops at half of what a probe
      // connection's kernel took.
      const limit = credit > 0 ? 256 * 1024 * 1024 : Math.floor((await kernelTakes(cleanup)) / 2 / 4096) * 4096;
      const id = await connected(t, peer.port);
      const chunkAt = (at: number): Buffer => {
        const chunk = Buffer.alloc(4096);
        for (let i = 0; i < 4096; i += 4) chunk.writeUInt32LE(at + i, i);
        return chunk;
      };
      let unwritten = 0;
      let total = 0;
      await new Promise<void>((resolve, reject) => {
        const next = (): void => {
          const inFlight = h.inspect().sockets?.find((s) => s.kind === 'tcp' && s.id === id)?.bytesInFlight ?? 0;
          if ((credit > 0 && inFlight >= 64 * 1024) || total === limit) {
            unwritten = inFlight;
            // The HTTP server's end of a response: disconnect in the last send's callback.
            t.tcp.disconnect(id, () => resolve());
            return;
          }
          const chunk = chunkAt(total);
          total += 4096;
          t.tcp.send(id, chunk, (info: api.tcp.SendInfo) =>
            info.resultCode === 0 ? next() : reject(new Error(`send gave ${info.resultCode}`)),
          );
        };
        next();
      });
      const expected = Buffer.alloc(total);
      for (let i = 0; i + 4 <= total; i += 4) expected.writeUInt32LE(i, i);
      if (credit > 0) {
        expect(sendsAnswered(up)).to.be.greaterThan(0);
        expect(unwritten).to.be.greaterThan(0);
      }
      peer.fast();
      await until(() => peer.conns[0].ended, 'the peer sees the end', 20_000);
      expect(receivedLength(peer.conns[0])).to.equal(total);
      expect(received(peer.conns[0]).equals(expected)).to.equal(true);
    });
  }

  it('holds at most a quarter of the write quota as idle credit, so any number of idle credited sockets leaves three quarters of it to a send', async () => {
    // Quota 1 MiB, credit 64 KiB: at most 256 KiB (4 sockets) is ever held as credit.
    const h = host({ writeQuota: 1024 * 1024, limits: { sendCredit: 65536 } });
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await connected(t, peer.port);
      expect((await call(t, (cb) => t.tcp.send(id, filled(1, i), cb))).args).to.deep.equal([{ resultCode: 0, bytesSent: 1 }]);
      ids.push(id);
    }
    expect(quotaUsed(h)).to.equal(4 * 65536);
    const big = filled(768 * 1024, 5);
    expect(await call(t, (cb) => t.tcp.send(ids[11], big, cb))).to.deep.equal({
      args: [{ resultCode: 0, bytesSent: big.byteLength }],
      lastError: undefined,
    });
    await until(() => receivedLength(peer.conns[11]) === 1 + big.byteLength, 'the big send at its peer');
    // Every socket still sends, those with credit answered on the page, and its peer gets the bytes in order.
    const answeredBefore = sendsAnswered(up);
    for (const [i, id] of ids.entries()) await call(t, (cb) => t.tcp.send(id, filled(2, 100 + i), cb));
    expect(sendsAnswered(up) - answeredBefore).to.equal(4);
    for (const [i] of ids.entries()) {
      const expected = Buffer.concat([filled(1, i), ...(i === 11 ? [big] : []), filled(2, 100 + i)]);
      await until(() => receivedLength(peer.conns[i]) === expected.length, `the bytes of socket ${i}`);
      expect(received(peer.conns[i]).equals(expected)).to.equal(true);
    }
    expect(quotaUsed(h)).to.equal(4 * 65536);
  });

  it("ends the page's credit at a secure() that fails its first checks, so its sends on other sockets stay within maxCreditedWrites as it counts them", async () => {
    const h = host({ limits: { sendCredit: 32 * 1024 * 1024, maxCreditedWrites: 4 } });
    const { t } = spiedPage(h, cleanup);
    const stalled = await collector(cleanup, 'paused');
    const reading = await collector(cleanup);
    const a = await connected(t, stalled.port);
    const b = await connected(t, reading.port);
    await call(t, (cb) => t.tcp.send(a, filled(1, 0), cb));
    await call(t, (cb) => t.tcp.send(b, bytesOf('<'), cb));
    // Four credited writes on A wait in Node behind a peer that does not read.
    await Promise.all(Array.from({ length: 4 }, (_, i) => call(t, (cb) => t.tcp.send(a, filled(8 * 1024 * 1024, i), cb))));
    // secure() on A, which is still reading: Chrome's -2, and A is destroyed. In the same task,
    // four sends on B, within what the page counts once A's credit is gone.
    const secured = call(t, (cb) => t.tcp.secure(a, cb));
    const sends = ['w', 'x', 'y', 'z'].map((c) => call(t, (cb) => t.tcp.send(b, bytesOf(c), cb)));
    for (const answer of await Promise.all(sends)) expect(answer.args).to.deep.equal([{ resultCode: 0, bytesSent: 1 }]);
    expect(await secured).to.deep.equal({ args: [NET_ERRORS.FAILED], lastError: 'net::ERR_FAILED' });
    await until(() => received(reading.conns[0]).toString() === '<wxyz', 'every byte of B at its peer');
  });

  for (const op of ['disconnect', 'close'] as const) {
    it(`answers a send made after the page's own ${op}() like Chrome, even when the grant an earlier send earned is still on its way`, async () => {
      const h = host();
      const { t } = spiedPage(h, cleanup);
      const peer = await collector(cleanup);
      const id = await connected(t, peer.port);
      // send A (its write completes and earns a grant before the host takes the next call),
      // then disconnect() or close() at once, then B in A's callback.
      const second = new Promise<Answer>((resolve) => {
        t.tcp.send(id, bytesOf('A'), () => {
          t.tcp.send(id, bytesOf('B'), (...args: unknown[]) => resolve({ args, lastError: t.chrome.runtime.lastError?.message }));
        });
        t.tcp[op](id, () => {});
      });
      expect(await second).to.deep.equal(
        op === 'disconnect'
          ? { args: [{ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED }], lastError: 'net::ERR_SOCKET_NOT_CONNECTED' }
          : { args: [], lastError: 'Socket not found' },
      );
      await until(() => peer.conns[0].ended, 'the peer sees the end');
      expect(received(peer.conns[0]).toString()).to.equal('A');
    });
  }

  it('fails a secure() still waiting for credited bytes as soon as the page disconnects, and never upgrades a later connection', async () => {
    const h = host({ limits: { sendCredit: 8 * 1024 * 1024, lingerTimeout: 20_000 } });
    const { t } = spiedPage(h, cleanup);
    const peer = await collector(cleanup, 'paused');
    const id = await connected(t, peer.port, true);
    // Credited bytes wait in Node behind a peer that does not read.
    await call(t, (cb) => t.tcp.send(id, filled(1, 0), cb));
    for (let i = 0; i < 128; i++) t.tcp.send(id, filled(65536, i), () => {});
    await until(() => (h.inspect().sockets?.find((s) => s.kind === 'tcp' && s.id === id)?.bytesInFlight ?? 0) > 0, 'bytes waiting in Node');
    const started = Date.now();
    const secured = call(t, (cb) => t.tcp.secure(id, cb));
    expect((await call(t, (cb) => t.tcp.disconnect(id, cb))).lastError).to.equal(undefined);
    expect(await secured).to.deep.equal({ args: [NET_ERRORS.CONNECTION_CLOSED], lastError: 'net::ERR_CONNECTION_CLOSED' });
    expect(Date.now() - started).to.be.below(10_000);
    // As a secure() that fails in the handshake: the socket is gone, so nothing can reconnect it.
    const other = await collector(cleanup);
    expect((await call(t, (cb) => t.tcp.connect(id, '127.0.0.1', other.port, cb))).lastError).to.equal('Socket not found');
    expect(other.conns).to.have.length(0);
  });

  it('destroys a closed connection whose peer does not read after limits.lingerTimeout, and gives the quota back', async () => {
    const h = host({ limits: { sendCredit: 65536, lingerTimeout: 300 } });
    const { t } = spiedPage(h, cleanup);
    const peer = await collector(cleanup, 'paused');
    const id = await connected(t, peer.port);
    // Fill the kernel's buffers (the host answers once written), then credited bytes stay in Node.
    await call(t, (cb) => t.tcp.send(id, filled(1, 0), cb));
    for (let i = 0; i < 64; i++) t.tcp.send(id, filled(65536, i), () => {});
    const closedAt = Date.now();
    expect((await call(t, (cb) => t.tcp.close(id, cb))).lastError).to.equal(undefined);
    await delay(100);
    expect(quotaUsed(h)).to.be.greaterThan(0);
    // Destroyed after the linger timeout with what was left: the quota comes back then.
    await until(() => quotaUsed(h) === 0, 'the quota back', 5000);
    expect(Date.now() - closedAt).to.be.greaterThan(250);
    peer.conns[0].socket.resume();
    await until(() => peer.conns[0].closed, 'the peer sees the connection go', 5000);
    expect(received(peer.conns[0]).length).to.be.lessThan(1 + 64 * 65536);
  });
});

/** Bytes the kernel takes on a loopback connection whose peer does not read. */
async function kernelTakes(cleanup: SupportCleanup): Promise<number> {
  const peer = await collector(cleanup, 'paused');
  const socket = net.connect(peer.port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  let written = 0;
  const chunk = Buffer.alloc(65536);
  while (socket.write(chunk)) written += chunk.length;
  written += chunk.length;
  await delay(300);
  const taken = written - socket.writableLength;
  socket.destroy();
  return taken;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
