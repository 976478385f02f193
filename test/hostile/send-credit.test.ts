/**
 * Issue #13 item 5: a page that skips the page-side checks of the tcp send credit. Credited
 * writes in flight are bounded per page context (limits.maxCreditedWrites), and a page that never
 * lets go of a revoked grant holds a disconnected connection only until limits.lingerTimeout.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import type * as api from '../../common/api-types';
import { PROTOCOL_VERSION, type CreditMessage, type DownItem, type ResultMessage } from '../../common/protocol';
import type { SocketsHost } from '../../main/host';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { attachRaw, Cleanup, listen, newHost, type RawPage } from '../support';
import { until } from '../support/wait';

interface Peer {
  port: number;
  conns: Array<{ socket: net.Socket; data: Buffer[]; closed: boolean }>;
}

/** A peer that keeps what it is sent; with `paused` it reads nothing until resumed. */
async function peer(cleanup: Cleanup, paused: boolean): Promise<Peer> {
  const conns: Peer['conns'] = [];
  const server = net.createServer((socket) => {
    const conn = { socket, data: [] as Buffer[], closed: false };
    conns.push(conn);
    if (paused) socket.pause();
    socket.on('data', (chunk) => conn.data.push(chunk));
    socket.on('close', () => {
      conn.closed = true;
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

const length = (data: Buffer[]): number => data.reduce((sum, chunk) => sum + chunk.byteLength, 0);
const quotaUsed = (host: SocketsHost): number | undefined => host.inspect().apps?.find((a) => a.app === 'hostile')?.writeQuota?.used;
const result = (id: number) => (i: DownItem) => i.t === 'r' && i.id === id;
const grantFor = (socketId: number) => (i: DownItem) => i.t === 'c' && i.s === socketId && i.n !== undefined && i.n > 0;

/** Hello, a connected tcp socket, and the grant its first send earned. */
async function connectedWithCredit(page: RawPage, port: number): Promise<{ socketId: number; grant: CreditMessage }> {
  page.send({ t: 'hello', v: PROTOCOL_VERSION });
  page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{}] });
  const socketId = (((await page.next(result(1))) as ResultMessage).a[0] as api.tcp.CreateInfo).socketId;
  page.send({ t: 'call', id: 2, ns: 'tcp', m: 'connect', a: [socketId, '127.0.0.1', port] });
  await page.next(result(2));
  page.send({ t: 'call', id: 3, ns: 'tcp', m: 'send', a: [socketId, new Uint8Array([0x2a]).buffer] });
  return { socketId, grant: (await page.next(grantFor(socketId))) as CreditMessage };
}

describe('tcp send credit against a hostile page (issue #13 item 5)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('drops credited writes past limits.maxCreditedWrites in flight (tiny and empty ones too), logs it, and writes the rest in order', async () => {
    const logs: string[] = [];
    const host = newHost({ log: (line) => logs.push(line), limits: { sendCredit: 65536, maxCreditedWrites: 8 } }, cleanup);
    const page = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const p = await peer(cleanup, true);
    const { socketId, grant } = await connectedWithCredit(page, p.port);
    expect(grant.w).to.equal(8);
    // More than the kernel takes from a peer that does not read: what follows waits in Node.
    const big = 32 * 1024 * 1024;
    page.send({ t: 'call', id: 4, ns: 'tcp', m: 'send', a: [socketId, new Uint8Array(big).buffer] });
    for (let i = 0; i < 20; i++) page.send({ t: 'send', s: socketId, g: grant.g, d: new Uint8Array([0x41 + i]).buffer });
    for (let i = 0; i < 1000; i++) page.send({ t: 'send', s: socketId, g: grant.g, d: new ArrayBuffer(0) });
    // Everything before it was taken once a later call is answered.
    page.send({ t: 'call', id: 5, ns: 'tcp', m: 'getInfo', a: [socketId] });
    await page.next(result(5));
    // 12 + 1000 refused: the first ten logged, then every 1000th.
    expect(logs.filter((line) => /beyond the socket's send credit was dropped/.test(line))).to.have.length(11);
    expect(logs.join('\n')).to.contain('(#1000)');
    p.conns[0].socket.resume();
    await until(() => length(p.conns[0].data) === 1 + big + 8, 'the accepted bytes at the peer');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = Buffer.concat(p.conns[0].data);
    expect(all.length).to.equal(1 + big + 8);
    expect(all.subarray(1 + big).toString()).to.equal('ABCDEFGH');
    await until(() => quotaUsed(host) === 65536, 'only the credit still reserved');
  });

  it('ends a connection another page disconnected after limits.lingerTimeout when the holder never lets go of its grant', async () => {
    const host = newHost({ limits: { sendCredit: 65536, lingerTimeout: 300 } }, cleanup);
    const holder = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const other = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: false }, cleanup);
    const p = await peer(cleanup, false);
    const { socketId, grant } = await connectedWithCredit(holder, p.port);
    other.send({ t: 'hello', v: PROTOCOL_VERSION });
    other.send({ t: 'call', id: 1, ns: 'tcp', m: 'disconnect', a: [socketId] });
    await other.next(result(1));
    const disconnectedAt = Date.now();
    await holder.next((i) => i.t === 'c' && i.g === grant.g && i.n === 0);
    holder.send({ t: 'send', s: socketId, g: grant.g, d: new Uint8Array([0x62]).buffer });
    // No 'cr': the connection waits for it until the linger timeout, then goes.
    await until(() => p.conns[0].closed, 'the connection ends', 5000);
    expect(Date.now() - disconnectedAt).to.be.greaterThan(250);
    expect(Buffer.concat(p.conns[0].data).toString()).to.equal('*b');
    // The grant's quota goes back once the page lets go, or goes.
    holder.send({ t: 'cr', s: socketId, g: grant.g });
    await until(() => quotaUsed(host) === 0, 'the quota back');
  });
});
