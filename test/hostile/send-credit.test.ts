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

/** A tcp socket connected to `port` that sent one byte (calls `firstId` to `firstId + 2`): its id. */
async function connectedAndSent(page: RawPage, port: number, firstId: number): Promise<number> {
  page.send({ t: 'call', id: firstId, ns: 'tcp', m: 'create', a: [{}] });
  const socketId = (((await page.next(result(firstId))) as ResultMessage).a[0] as api.tcp.CreateInfo).socketId;
  page.send({ t: 'call', id: firstId + 1, ns: 'tcp', m: 'connect', a: [socketId, '127.0.0.1', port] });
  await page.next(result(firstId + 1));
  page.send({ t: 'call', id: firstId + 2, ns: 'tcp', m: 'send', a: [socketId, new Uint8Array([0x2a]).buffer] });
  await page.next(result(firstId + 2));
  return socketId;
}

/** Hello, a connected tcp socket, and the grant its first send earned. */
async function connectedWithCredit(page: RawPage, port: number): Promise<{ socketId: number; grant: CreditMessage }> {
  page.send({ t: 'hello', v: PROTOCOL_VERSION });
  const socketId = await connectedAndSent(page, port, 1);
  return { socketId, grant: (await page.next(grantFor(socketId))) as CreditMessage };
}

describe('tcp send credit against a hostile page (issue #13 item 5)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('drops credited writes past limits.maxCreditedWrites in flight (one-byte ones too), takes empty ones as done without queueing them, logs it, and writes the rest in order', async () => {
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
    // Empty ones have nothing to write: done at once, neither queued nor counted nor refused.
    for (let i = 0; i < 1000; i++) page.send({ t: 'send', s: socketId, g: grant.g, d: new ArrayBuffer(0) });
    for (let i = 0; i < 1000; i++) page.send({ t: 'send', s: socketId, g: grant.g, d: new Uint8Array([0x61]).buffer });
    // Everything before it was taken once a later call is answered.
    page.send({ t: 'call', id: 5, ns: 'tcp', m: 'getInfo', a: [socketId] });
    await page.next(result(5));
    // 12 + 1000 refused: the first ten logged, then every 1000th.
    expect(logs.filter((line) => /beyond the socket's send credit was dropped/.test(line))).to.have.length(11);
    expect(logs.join('\n')).to.contain('(#1000)');
    expect(logs.join('\n')).to.not.contain('(#2000)');
    // The empty writes were reported done with the written counts once the queue moved.
    p.conns[0].socket.resume();
    const counts = (await page.next((i) => i.t === 'c' && i.g === grant.g && typeof i.k === 'number' && i.k >= 1008)) as CreditMessage;
    expect(counts.k).to.equal(1008);
    await until(() => length(p.conns[0].data) === 1 + big + 8, 'the accepted bytes at the peer');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = Buffer.concat(p.conns[0].data);
    expect(all.length).to.equal(1 + big + 8);
    expect(all.subarray(1 + big).toString()).to.equal('ABCDEFGH');
    await until(() => quotaUsed(host) === 65536, 'only the credit still reserved');
  });

  it('bounds credited writes per page context over grants another page revoked too, until the holder lets go of them', async () => {
    const host = newHost({ limits: { sendCredit: 65536, maxCreditedWrites: 8 } }, cleanup);
    const holder = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const other = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: false }, cleanup);
    const p = await peer(cleanup, true);
    holder.send({ t: 'hello', v: PROTOCOL_VERSION });
    other.send({ t: 'hello', v: PROTOCOL_VERSION });
    const big = 16 * 1024 * 1024;
    const held: { socketId: number; g: number }[] = [];
    for (let k = 0; k < 3; k++) {
      const socketId = await connectedAndSent(holder, p.port, 10 * k + 1);
      const grant = (await holder.next(grantFor(socketId))) as CreditMessage;
      // More than the kernel takes from a peer that does not read: later writes wait in Node.
      holder.send({ t: 'call', id: 10 * k + 4, ns: 'tcp', m: 'send', a: [socketId, new Uint8Array(big).buffer] });
      held.push({ socketId, g: grant.g });
    }
    // Another page of the app disconnects the three: the holder's grants wait for its 'cr'.
    for (const [k, { socketId }] of held.entries()) {
      other.send({ t: 'call', id: 100 + k, ns: 'tcp', m: 'disconnect', a: [socketId] });
      await other.next(result(100 + k));
    }
    for (const { socketId, g } of held) {
      await holder.next((i) => i.t === 'c' && i.s === socketId && i.g === g && i.n === 0);
      for (let i = 0; i < 20; i++) holder.send({ t: 'send', s: socketId, g, d: new Uint8Array([0x41 + i]).buffer });
    }
    holder.send({ t: 'call', id: 200, ns: 'tcp', m: 'getSockets', a: [] });
    await holder.next(result(200));
    // The holder lets go: its grants are done, and what they took is written and the FIN sent.
    for (const { socketId, g } of held) holder.send({ t: 'cr', s: socketId, g });
    for (const conn of p.conns) conn.socket.resume();
    await until(() => p.conns.every((conn) => conn.closed), 'the three connections end');
    const taken = p.conns.map((conn) => length(conn.data) - 1 - big);
    // 8 over the three, not 8 each: the first grant's 8 fill the context's bound.
    expect(taken).to.deep.equal([8, 0, 0]);
    expect(
      Buffer.concat(p.conns[0].data)
        .subarray(1 + big)
        .toString(),
    ).to.equal('ABCDEFGH');
  });

  it('grants a page credit on no more than a quarter of the write quota, however many sockets it earns it on, and the rest stays for sends', async () => {
    // Quota 1 MiB, credit 64 KiB: four grants, then none.
    const host = newHost({ writeQuota: 1024 * 1024, limits: { sendCredit: 65536 } }, cleanup);
    const page = attachRaw(host, { app: 'hostile', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    const p = await peer(cleanup, false);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    const ids: number[] = [];
    for (let k = 0; k < 10; k++) {
      ids.push(await connectedAndSent(page, p.port, 10 * k + 1));
    }
    const grants = page.items.filter((i) => i.t === 'c' && i.n !== undefined && i.n > 0) as CreditMessage[];
    expect(grants.map((g) => g.s)).to.deep.equal(ids.slice(0, 4));
    expect(quotaUsed(host)).to.equal(4 * 65536);
    // Bytes beyond a grant on a socket without one go nowhere; a send of three quarters of the quota fits.
    page.send({ t: 'send', s: ids[9], g: 1, d: new Uint8Array(1000).buffer });
    page.send({ t: 'call', id: 200, ns: 'tcp', m: 'send', a: [ids[9], new Uint8Array(768 * 1024).buffer] });
    expect(((await page.next(result(200))) as ResultMessage).a).to.deep.equal([{ resultCode: 0, bytesSent: 768 * 1024 }]);
    await until(() => length(p.conns[9].data) === 1 + 768 * 1024, 'the send at its peer');
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
