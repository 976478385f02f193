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
import { until } from '../support/wait';
import type { Host, TcpApi } from './helpers';

/** A peer that keeps every byte it is sent, per connection. */
async function collector(
  cleanup: SupportCleanup,
): Promise<{ port: number; conns: Array<{ socket: net.Socket; data: Buffer[]; ended: boolean }> }> {
  const conns: Array<{ socket: net.Socket; data: Buffer[]; ended: boolean }> = [];
  const server = net.createServer((socket) => {
    const conn = { socket, data: [] as Buffer[], ended: false };
    conns.push(conn);
    socket.on('data', (chunk) => conn.data.push(chunk));
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
  return { port, conns };
}

const received = (conn: { data: Buffer[] }): Buffer => Buffer.concat(conn.data);

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

  /** A host with 256 KiB of credit (it is opt-in), unless `options.limits` says otherwise. */
  function host(options: SocketsHostOptions = {}): SocketsHost {
    return newHost({ ...options, limits: { sendCredit: 256 * 1024, ...options.limits } }, cleanup);
  }

  it('is off by default: every send is answered by the host once written', async () => {
    const h = newHost({}, cleanup);
    const { t, tcp, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    for (let i = 0; i < 5; i++) {
      expect(await call(t, (cb) => tcp.send(id, filled(1000, i), cb))).to.deep.equal({
        args: [{ resultCode: 0, bytesSent: 1000 }],
        lastError: undefined,
      });
    }
    expect(sendsAnswered(up)).to.equal(0);
    expect(sendsToHost(up)).to.equal(5);
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
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
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
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
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

  it('takes the credit away at disconnect(): bytes answered before it are written, later sends get -15, a reconnect earns a new credit', async () => {
    const h = host();
    const { t, up } = spiedPage(h, cleanup);
    const peer = await collector(cleanup);
    const id = await connected(t, peer.port);
    await call(t, (cb) => t.tcp.send(id, filled(10, 0), cb));
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
    // A quota with room: the credit is reserved while granted, so the rest of the quota is what
    // a send the host answers can use.
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
    expect(quotaUsed(roomy)).to.equal(0);
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
    page.send({ t: 'send', s: socketId, d: bytesOf('b') });
    // Past the credit: refused and logged; the bytes never reach the peer.
    page.send({ t: 'send', s: socketId, d: new Uint8Array(5000).fill(0x78).buffer });
    await until(() => received(peer.conns[0]).toString() === 'ab', 'the credited byte');
    // The page reloads: its credit goes with it, and a send on it is dropped.
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'send', s: socketId, d: bytesOf('X') });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'getSockets', a: [] });
    const sockets = ((await page.next((i) => i.t === 'r' && i.id === 1 && Array.isArray(i.a[0]))) as ResultMessage)
      .a[0] as api.tcp.SocketInfo[];
    expect(sockets.map((s) => s.socketId)).to.deep.equal([socketId]);
    expect(quotaUsed(h)).to.equal(0);
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'send', a: [socketId, bytesOf('c')] });
    await page.next(grant(first.g));
    page.send({ t: 'send', s: socketId, d: bytesOf('d') });
    await until(() => received(peer.conns[0]).toString() === 'abcd', 'the new page’s bytes');
    expect(logs.join('\n')).to.match(/beyond the socket's send credit/);
  });
});
