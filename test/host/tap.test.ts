/**
 * The debugging window's tap (main/tap.ts): the host records a followed socket's traffic and the
 * app's calls on it only while the window watches, in a bounded ring, reachable only from the
 * window's privileged channels (Electron IPC for its webContents, POST /tap with the token).
 */
import { expect } from 'chai';
import * as net from 'node:net';
import { BROWSER_HOST_PATHS } from '../../common/browser-host-paths';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { serveTap, type InspectIpcMain } from '../../main/electron/inspect-ipc';
import { startBrowserHost } from '../../main/browser-host/server';
import { SocketTap, type TapRead } from '../../main/tap';
import { createTestHost } from '../../testing';
import { Cleanup, echoServer, until } from '../support';

/** The promise form of the chrome.sockets.tcp calls used here. */
interface PromiseTcp {
  create(p: object): Promise<{ socketId: number }>;
  connect(id: number, host: string, port: number): Promise<number>;
  send(id: number, data: ArrayBuffer): Promise<unknown>;
  setPaused(id: number, paused: boolean): Promise<void>;
  getInfo(id: number): Promise<unknown>;
  onReceive: { addListener(fn: (info: { socketId: number; data: ArrayBuffer }) => void): void };
}

describe('tap (following an app socket from the debugging window)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it("records the app's calls (result, lastError, latency) and both directions of traffic while watched", async () => {
    const t = await createTestHost({ log: () => {}, console: { error() {}, warn() {} } as never });
    cleanup.add(() => t.close());
    const { port } = await echoServer(cleanup);
    const tcp = t.chrome.sockets.tcp as unknown as PromiseTcp;
    const { socketId } = await tcp.create({});
    expect(t.host.tap.active, 'nothing recorded before anyone watches').to.equal(false);
    t.host.tap.handle({ op: 'watch', kind: 'tcp', id: socketId });
    expect(t.host.tap.active).to.equal(true);
    const got: number[] = [];
    tcp.onReceive.addListener((info) => got.push(info.data.byteLength));
    expect(await tcp.connect(socketId, '127.0.0.1', port)).to.equal(0);
    await tcp.send(socketId, new TextEncoder().encode('hello tap').buffer);
    await until(() => got.reduce((a, b) => a + b, 0) === 9, 'the echo');
    await tcp.setPaused(socketId, true);
    await tcp.getInfo(999).catch(() => undefined);
    const read = t.host.tap.handle({ op: 'read', kind: 'tcp', id: socketId, since: 0 }) as TapRead;
    const calls = read.records.filter((r) => r.type === 'call');
    expect(calls.map((r) => r.name)).to.include.members(['tcp.connect', 'tcp.send', 'tcp.setPaused']);
    const connect = calls.find((r) => r.name === 'tcp.connect')!;
    expect(connect).to.include({ resultCode: 0, args: `${socketId}, "127.0.0.1", ${port}` });
    expect(connect.latencyMs).to.be.a('number').and.at.least(0);
    const send = calls.find((r) => r.name === 'tcp.send')!;
    expect(send.args).to.equal(`${socketId}, <9 bytes>`);
    expect(send.resultCode).to.equal(0);
    const tx = read.records.filter((r) => r.type === 'tx');
    const rx = read.records.filter((r) => r.type === 'rx');
    expect(Buffer.from(tx[0]!.bytes!).toString()).to.equal('hello tap');
    expect(Buffer.concat(rx.map((r) => r.bytes!)).toString()).to.equal('hello tap');
    expect(rx[0]!.offset).to.equal(0);
    expect(read.socket).to.include({ kind: 'tcp', id: socketId, state: 'connected' });
    // Another socket's calls are not in this ring.
    expect(read.records.every((r) => !r.args?.startsWith('999'))).to.equal(true);
    // Reading on from `next` gives only what is new.
    const again = t.host.tap.handle({ op: 'read', kind: 'tcp', id: socketId, since: read.next }) as TapRead;
    expect(again.records).to.deep.equal([]);
    t.host.tap.handle({ op: 'unwatch', kind: 'tcp', id: socketId });
    expect(t.host.tap.active, 'recording stops when the window stops watching').to.equal(false);
    expect(() => t.host.tap.handle({ op: 'read', kind: 'tcp', id: socketId, since: 0 })).to.throw('Not watching tcp socket');
  });

  it('records a failed call with its lastError and an error event with its code', async () => {
    const t = await createTestHost({ log: () => {}, console: { error() {}, warn() {} } as never });
    cleanup.add(() => t.close());
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const tcp = t.chrome.sockets.tcp as unknown as PromiseTcp;
    const { socketId } = await tcp.create({});
    t.host.tap.handle({ op: 'watch', kind: 'tcp', id: socketId });
    await tcp.connect(socketId, '127.0.0.1', port).catch(() => undefined);
    const read = t.host.tap.handle({ op: 'read', kind: 'tcp', id: socketId, since: 0 }) as TapRead;
    expect(read.records.find((r) => r.name === 'tcp.connect')).to.include({ resultCode: -102, lastError: 'net::ERR_CONNECTION_REFUSED' });
  });

  describe('bounds', () => {
    const lookup = () => ({ kind: 'tcp', id: 1 }) as never;

    it('keeps at most maxRecords and maxBytes per socket, counting what it dropped', () => {
      const tap = new SocketTap(lookup, { maxRecords: 3, maxBytes: 10, maxWatches: 2, leaseMs: 1000 });
      tap.handle({ op: 'watch', kind: 'tcp', id: 1 });
      for (let i = 0; i < 5; i++) tap.onEvent('tcp', 'onReceive', { socketId: 1 }, new Uint8Array([i, i, i, i]));
      const read = tap.handle({ op: 'read', kind: 'tcp', id: 1, since: 0 }) as TapRead;
      expect(read.records.map((r) => r.bytes![0])).to.deep.equal([3, 4]);
      expect(read.dropped).to.equal(3);
      expect(read.next).to.equal(5);
    });

    it('follows at most maxWatches sockets and says so', () => {
      const tap = new SocketTap(lookup, { maxRecords: 3, maxBytes: 10, maxWatches: 2, leaseMs: 1000 });
      tap.handle({ op: 'watch', kind: 'tcp', id: 1 });
      tap.handle({ op: 'watch', kind: 'udp', id: 1 });
      expect(() => tap.handle({ op: 'watch', kind: 'tcp', id: 2 })).to.throw('The tap follows at most 2 sockets at once');
    });

    it('ends a watch nobody read for leaseMs (a window that went away stops the recording)', () => {
      let now = 0;
      const tap = new SocketTap(lookup, { maxRecords: 3, maxBytes: 10, maxWatches: 2, leaseMs: 1000 }, () => now);
      tap.handle({ op: 'watch', kind: 'tcp', id: 1 });
      now = 1001;
      tap.onEvent('tcp', 'onReceive', { socketId: 1 }, new Uint8Array(1));
      expect(tap.active).to.equal(false);
    });

    it('refuses malformed requests with a clear message', () => {
      const tap = new SocketTap(lookup);
      expect(() => tap.handle(null)).to.throw('tap request must be an object');
      expect(() => tap.handle({ op: 'watch', kind: 'socket', id: 1 })).to.throw('kind must be tcp, tcpServer or udp');
      expect(() => tap.handle({ op: 'watch', kind: 'tcp', id: -1 })).to.throw('id must be a positive integer');
      expect(() => tap.handle({ op: 'drop', kind: 'tcp', id: 1 })).to.throw('op must be watch, unwatch or read');
      expect(() => new SocketTap(() => undefined).handle({ op: 'watch', kind: 'tcp', id: 7 })).to.throw('No tcp socket 7');
    });
  });

  describe('channels', () => {
    it('browser host: POST /tap needs the token; GET is refused; an oversized body gets 413', async () => {
      const bh = await startBrowserHost({ allowAll: true, log: () => {} });
      cleanup.add(() => bh.close());
      const url = new URL(BROWSER_HOST_PATHS.tap, bh.url);
      const post = (body: string, token?: string) =>
        fetch(url, { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect((await post('{}')).status).to.equal(401);
      expect((await post('{}', 'f'.repeat(32))).status).to.equal(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${bh.token}` } })).status).to.equal(405);
      const bad = await post(JSON.stringify({ op: 'watch', kind: 'tcp', id: 1 }), bh.token);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: string }).error).to.equal('No tcp socket 1');
      expect((await post('x'.repeat(10_000), bh.token).catch(() => ({ status: 413 }))).status).to.equal(413);
    });

    it('Electron: answers the debugging window only', async () => {
      const handlers = new Map<string, (event: { sender: unknown }, ...args: unknown[]) => unknown>();
      const ipc: InspectIpcMain = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
      const tap = new SocketTap(() => ({ kind: 'tcp', id: 1 }) as never);
      const window = { id: 1 };
      const logs: string[] = [];
      const stop = serveTap(
        ipc,
        { tap },
        (s) => s === window,
        (l) => logs.push(l),
      );
      const handler = handlers.get(ELECTRON_CHANNELS.tap)!;
      expect(handler({ sender: window }, { op: 'watch', kind: 'tcp', id: 1 })).to.deep.equal({ watching: 1 });
      expect(() => handler({ sender: { id: 2 } }, { op: 'read', kind: 'tcp', id: 1, since: 0 })).to.throw('not allowed');
      expect(logs).to.have.length(1);
      stop();
      expect(handlers.size).to.equal(0);
    });
  });
});
