import { expect } from 'chai';
import * as dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import * as sinon from 'sinon';
import { AppState } from '../../main/app-state';
import { SocketsHost, hostInternals } from '../../main/host';
import type { SocketEnv } from '../../main/socket-env';
import { MAX_QUEUED_BYTES, MAX_QUEUED_DATAGRAMS, UdpSocket } from '../../main/udp/udp-socket';
import type { ChromeSockets } from '../../preload/facade';
import { createTestHost } from '../../testing';
import { attachContext, call, collect, handleCounts, nextEvent, settled, useTestHost, waitFor } from '../support/server-udp';
import { WAIT_TIMEOUT_MS } from '../support/wait';

type Info = Record<string, unknown>;
interface ReceiveInfo {
  socketId: number;
  data: ArrayBuffer;
  remoteAddress: string;
  remotePort: number;
}

async function create(chrome: ChromeSockets, props?: Info): Promise<number> {
  const r = await call(chrome, chrome.sockets.udp.create, ...(props === undefined ? [] : [props]));
  return (r.args[0] as { socketId: number }).socketId;
}

async function info(chrome: ChromeSockets, id: number): Promise<Info> {
  return (await call(chrome, chrome.sockets.udp.getInfo, id)).args[0] as Info;
}

/** A udp socket bound to `address`:0; returns its id and port. */
async function bound(chrome: ChromeSockets, address = '127.0.0.1', props?: Info): Promise<{ id: number; port: number }> {
  const id = await create(chrome, props);
  expect(await call(chrome, chrome.sockets.udp.bind, id, address, 0)).to.deep.equal({ args: [0] });
  return { id, port: (await info(chrome, id)).localPort as number };
}

const text = (data: ArrayBuffer): string => Buffer.from(data).toString();
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('chrome.sockets.udp', () => {
  const testHost = useTestHost();
  let raws: dgram.Socket[] = [];

  /** A raw Node dgram socket bound to 127.0.0.1:`port` (0: any); closed after the test. */
  async function raw(port = 0, type: 'udp4' | 'udp6' = 'udp4', address = type === 'udp4' ? '127.0.0.1' : '::1'): Promise<dgram.Socket> {
    const socket = dgram.createSocket(type);
    raws.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    return socket;
  }

  function rawSend(socket: dgram.Socket, data: string | Uint8Array, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => socket.send(data, port, address, (e) => (e ? reject(e) : resolve())));
  }

  afterEach(() => {
    for (const s of raws) {
      try {
        s.close();
      } catch {
        // already closed by the test
      }
    }
    raws = [];
    sinon.restore();
  });

  describe('#create', () => {
    it('gives a socketId > 0 (CreateGood)', async () => {
      expect(await create(testHost().chrome)).to.be.greaterThan(0);
    });

    it('describes a new socket without address; close makes getInfo fail (testSocketCreation)', async () => {
      const { chrome } = testHost();
      const id = await create(chrome, {});
      expect(await info(chrome, id)).to.deep.equal({ paused: false, persistent: false, socketId: id });
      expect(await call(chrome, chrome.sockets.udp.close, id)).to.deep.equal({ args: [] });
      expect(await call(chrome, chrome.sockets.udp.getInfo, id)).to.deep.equal({ args: [], lastError: 'Socket not found' });
    });
  });

  describe('#update', () => {
    it('reflects name, persistent and bufferSize; bufferSize 0 and name "" are not reported', async () => {
      const { chrome } = testHost();
      const id = await create(chrome, { name: 'u', persistent: true, bufferSize: 104 });
      expect(await info(chrome, id)).to.deep.equal({ bufferSize: 104, name: 'u', paused: false, persistent: true, socketId: id });
      await call(chrome, chrome.sockets.udp.update, id, { name: '', bufferSize: 0, persistent: false });
      expect(await info(chrome, id)).to.deep.equal({ paused: false, persistent: false, socketId: id });
    });
  });

  describe('unknown ids', () => {
    for (const [method, extra] of [
      ['update', [{}]],
      ['setPaused', [true]],
      ['close', []],
      ['getInfo', []],
      ['bind', ['127.0.0.1', 0]],
      ['send', [new ArrayBuffer(1), '127.0.0.1', 9]],
      ['joinGroup', ['237.132.100.133']],
      ['leaveGroup', ['237.132.100.133']],
      ['setMulticastTimeToLive', [1]],
      ['setMulticastLoopbackMode', [true]],
      ['getJoinedGroups', []],
      ['setBroadcast', [true]],
    ] as const) {
      it(`${method} calls back with no arguments and "Socket not found"`, async () => {
        const { chrome } = testHost();
        expect(await call(chrome, chrome.sockets.udp[method], 42, ...extra)).to.deep.equal({ args: [], lastError: 'Socket not found' });
      });
    }

    it("keeps another app's sockets out of reach", async () => {
      const { chrome, host } = testHost();
      const { id } = await bound(chrome);
      const other = attachContext(host, 'other-app');
      try {
        expect(await call(other.chrome, other.chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', 9)).to.deep.equal({
          args: [],
          lastError: 'Socket not found',
        });
        expect(await call(other.chrome, other.chrome.sockets.udp.close, id)).to.deep.equal({ args: [], lastError: 'Socket not found' });
        expect((await call(other.chrome, other.chrome.sockets.udp.getSockets)).args).to.deep.equal([[]]);
        expect((await info(chrome, id)).socketId).to.equal(id);
      } finally {
        other.end();
      }
    });
  });

  describe('#bind', () => {
    it('binds 0.0.0.0:0 and reports the local address and port (testSending)', async () => {
      const { chrome } = testHost();
      const { id, port } = await bound(chrome, '0.0.0.0');
      expect(await info(chrome, id)).to.deep.equal({
        localAddress: '0.0.0.0',
        localPort: port,
        paused: false,
        persistent: false,
        socketId: id,
      });
      expect(port).to.be.within(1, 65535);
    });

    it('binds an IPv6 literal on a udp6 socket', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome, '::1');
      expect((await info(chrome, id)).localAddress).to.equal('::1');
    });

    it('gives "App does not have permission" with no arguments, checked on the literal string', async () => {
      const t = await createTestHost({ sockets: { udp: { bind: '127.0.0.1:*' } }, log: () => {} });
      try {
        const id = await create(t.chrome);
        expect(await call(t.chrome, t.chrome.sockets.udp.bind, id, '0.0.0.0', 0)).to.deep.equal({
          args: [],
          lastError: 'App does not have permission',
        });
        expect(await call(t.chrome, t.chrome.sockets.udp.bind, id, '127.1', 0)).to.deep.equal({
          args: [],
          lastError: 'App does not have permission',
        });
        expect(await call(t.chrome, t.chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
      } finally {
        await t.close();
      }
    });

    it('asks the OS for a 1 MiB receive buffer, so a busy main process loses fewer datagrams', async () => {
      const { chrome } = testHost();
      const spy = sinon.spy(dgram.Socket.prototype, 'setRecvBufferSize');
      const { port } = await bound(chrome);
      expect(spy.firstCall.args).to.deep.equal([1024 * 1024]);
      expect((spy.firstCall.thisValue as dgram.Socket).address().port).to.equal(port);
      if (process.platform === 'linux') {
        // Linux caps the request at net.core.rmem_max and reports double (for bookkeeping).
        const max = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
        expect((spy.firstCall.thisValue as dgram.Socket).getRecvBufferSize()).to.equal(2 * Math.min(1024 * 1024, max));
      }
    });

    it('gives -104 net::ERR_CONNECTION_FAILED when already bound', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome);
      expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({
        args: [-104],
        lastError: 'net::ERR_CONNECTION_FAILED',
      });
    });

    it('gives -4 net::ERR_INVALID_ARGUMENT for a host name, whatever the IDL says', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.bind, id, 'localhost', 0)).to.deep.equal({
        args: [-4],
        lastError: 'net::ERR_INVALID_ARGUMENT',
      });
      expect(await info(chrome, id)).to.not.have.property('localPort');
    });

    it('gives -147 net::ERR_ADDRESS_IN_USE for a taken port', async () => {
      const { chrome } = testHost();
      const other = await raw();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', other.address().port)).to.deep.equal({
        args: [-147],
        lastError: 'net::ERR_ADDRESS_IN_USE',
      });
      // A failed bind leaves the socket unbound: it can bind elsewhere.
      expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
    });

    it('wraps the port modulo 65536 and reads IPv4 short forms like Chrome', async () => {
      const { chrome } = testHost();
      const probe = await raw();
      const port = probe.address().port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.bind, id, '127.1', port + 65536)).to.deep.equal({ args: [0] });
      expect(await info(chrome, id)).to.include({ localAddress: '127.0.0.1', localPort: port });
    });

    it('gives -12 net::ERR_INSUFFICIENT_RESOURCES past 6000 open sockets (LimitOpenUDPSockets)', async function () {
      this.timeout(60000);
      const { host } = testHost();
      const app = new AppState('many');
      const sockets: UdpSocket[] = [];
      try {
        for (let i = 0; i < 6000; i++) {
          const s = hostInternals(host).registries.udp.add((id) => new UdpSocket(hostInternals(host).env, id, app));
          sockets.push(s);
          expect(await s.bind({ address: '127.0.0.1', family: 4 }, 0)).to.equal(0);
        }
        const { chrome } = testHost();
        const id = await create(chrome);
        expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({
          args: [-12],
          lastError: 'net::ERR_INSUFFICIENT_RESOURCES',
        });
        hostInternals(host).env.removeSocket(sockets.pop()!);
        expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
      } finally {
        for (const s of sockets) hostInternals(host).env.removeSocket(s);
      }
    });
  });

  describe('#send', () => {
    it('sends to a host name (first address), reports bytesSent, and the echo comes back (testSending)', async () => {
      const lookup = ((name: string, options: unknown, callback: (e: Error | null, a: unknown) => void) => {
        if (name === 'echo.test') return callback(null, [{ address: '127.0.0.1', family: 4 }]);
        callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), undefined);
      }) as unknown as LookupFunction;
      const t = await createTestHost({ lookup, log: () => {} });
      try {
        const echo = await raw();
        echo.on('message', (m, r) => echo.send(m, r.port, r.address));
        const received = nextEvent<ReceiveInfo>(t.chrome.sockets.udp.onReceive);
        const { id } = await bound(t.chrome, '0.0.0.0');
        const r = await call(t.chrome, t.chrome.sockets.udp.send, id, bytes('udp echo'), 'echo.test', echo.address().port);
        expect(r).to.deep.equal({ args: [{ resultCode: 0, bytesSent: 8 }] });
        const got = await received;
        expect(text(got.data)).to.equal('udp echo');
        expect(got).to.include({ socketId: id, remoteAddress: '127.0.0.1', remotePort: echo.address().port });
        expect(await call(t.chrome, t.chrome.sockets.udp.send, id, bytes('x'), 'nowhere.test', 9)).to.deep.equal({
          args: [{ resultCode: -105 }],
          lastError: 'net::ERR_NAME_NOT_RESOLVED',
        });
      } finally {
        await t.close();
      }
    });

    it('uses only the first resolved address', async () => {
      const lookup = ((_n: string, _o: unknown, callback: (e: Error | null, a: unknown) => void) =>
        callback(null, [
          { address: '127.0.0.2', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ])) as unknown as LookupFunction;
      const t = await createTestHost({ lookup, log: () => {} });
      try {
        const first = await raw(0, 'udp4', '127.0.0.2');
        const second = await raw(first.address().port, 'udp4', '127.0.0.1');
        const hits: string[] = [];
        first.on('message', () => hits.push('first'));
        second.on('message', () => hits.push('second'));
        const { id } = await bound(t.chrome);
        expect((await call(t.chrome, t.chrome.sockets.udp.send, id, bytes('x'), 'two.test', first.address().port)).args).to.deep.equal([
          { resultCode: 0, bytesSent: 1 },
        ]);
        await waitFor(() => hits.length > 0, WAIT_TIMEOUT_MS, 'a datagram');
        await settled(t.chrome);
        expect(hits).to.deep.equal(['first']);
      } finally {
        await t.close();
      }
    });

    it('checks the write quota first, even for an unknown id (SocketsUdpSendWriteQuota)', async () => {
      const t = await createTestHost({ writeQuota: 1, log: () => {} });
      try {
        const { id } = await bound(t.chrome);
        const payload = bytes('0123456789abcdefghijklmn');
        expect(await call(t.chrome, t.chrome.sockets.udp.send, id, payload, '127.0.0.1', 9)).to.deep.equal({
          args: [],
          lastError: 'Exceeded write quota.',
        });
        expect(await call(t.chrome, t.chrome.sockets.udp.send, 999, payload, '127.0.0.1', 9)).to.deep.equal({
          args: [],
          lastError: 'Exceeded write quota.',
        });
        // The quota came back: a 1-byte send fits.
        expect(
          (await call(t.chrome, t.chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', (await raw()).address().port)).args,
        ).to.deep.equal([{ resultCode: 0, bytesSent: 1 }]);
      } finally {
        await t.close();
      }
    });

    it('gives "App does not have permission" with no arguments for a destination the manifest does not allow', async () => {
      const t = await createTestHost({ sockets: { udp: { bind: '', send: '127.0.0.1:53' } }, log: () => {} });
      try {
        const { id } = await bound(t.chrome);
        expect(await call(t.chrome, t.chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', 54)).to.deep.equal({
          args: [],
          lastError: 'App does not have permission',
        });
      } finally {
        await t.close();
      }
    });

    it('gives {resultCode: -15} net::ERR_SOCKET_NOT_CONNECTED when not bound', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', 9)).to.deep.equal({
        args: [{ resultCode: -15 }],
        lastError: 'net::ERR_SOCKET_NOT_CONNECTED',
      });
    });

    it('gives {resultCode: -142} net::ERR_MSG_TOO_BIG above 65535 bytes, and for what the OS refuses as too big', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome);
      const target = (await raw()).address().port;
      expect(await call(chrome, chrome.sockets.udp.send, id, new Uint8Array(65536), '127.0.0.1', target)).to.deep.equal({
        args: [{ resultCode: -142 }],
        lastError: 'net::ERR_MSG_TOO_BIG',
      });
      // 65508..65535 pass Chrome's limit but exceed IPv4's: the OS says EMSGSIZE.
      expect(await call(chrome, chrome.sockets.udp.send, id, new Uint8Array(65535), '127.0.0.1', target)).to.deep.equal({
        args: [{ resultCode: -142 }],
        lastError: 'net::ERR_MSG_TOO_BIG',
      });
      expect((await call(chrome, chrome.sockets.udp.send, id, new Uint8Array(65507), '127.0.0.1', target)).args).to.deep.equal([
        { resultCode: 0, bytesSent: 65507 },
      ]);
    });

    it('gives {resultCode: -12} net::ERR_INSUFFICIENT_RESOURCES with more than 32 sends queued behind the one in progress', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome);
      // Stand in for a socket the OS cannot write to right now: sends stay in flight.
      const held: Array<(e: Error | null) => void> = [];
      sinon
        .stub(dgram.Socket.prototype, 'send')
        .callsFake(((...args: unknown[]) => void held.push(args[args.length - 1] as (e: Error | null) => void)) as never);
      const results = Array.from({ length: 35 }, () => call(chrome, chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', 9));
      await waitFor(() => held.length === 33, WAIT_TIMEOUT_MS, '33 sends in flight');
      await settled(chrome); // the host has handled all 35 calls
      expect(held).to.have.length(33);
      for (const done of held) done(null);
      const all = await Promise.all(results);
      expect(all.filter((r) => r.lastError === undefined)).to.have.length(33);
      expect(all.slice(33)).to.deep.equal([
        { args: [{ resultCode: -12 }], lastError: 'net::ERR_INSUFFICIENT_RESOURCES' },
        { args: [{ resultCode: -12 }], lastError: 'net::ERR_INSUFFICIENT_RESOURCES' },
      ]);
    });

    it("sends only a view's own bytes, and empty datagrams", async () => {
      const { chrome } = testHost();
      const peer = await raw();
      const got: Buffer[] = [];
      peer.on('message', (m) => got.push(m));
      const { id } = await bound(chrome);
      const backing = bytes('xxHELLOxx');
      expect(
        (await call(chrome, chrome.sockets.udp.send, id, backing.subarray(2, 7), '127.0.0.1', peer.address().port)).args,
      ).to.deep.equal([{ resultCode: 0, bytesSent: 5 }]);
      expect((await call(chrome, chrome.sockets.udp.send, id, new ArrayBuffer(0), '127.0.0.1', peer.address().port)).args).to.deep.equal([
        { resultCode: 0, bytesSent: 0 },
      ]);
      await waitFor(() => got.length === 2, WAIT_TIMEOUT_MS, 'two datagrams');
      expect(got.map((b) => b.toString())).to.deep.equal(['HELLO', '']);
    });
  });

  describe('#onReceive', () => {
    it('carries the source address and port, one event per datagram, empty ones included', async () => {
      const { chrome } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { id, port } = await bound(chrome);
      const peer = await raw();
      await rawSend(peer, 'one', port);
      await rawSend(peer, new Uint8Array(0), port);
      await rawSend(peer, 'three', port);
      await waitFor(() => received.events.length === 3, WAIT_TIMEOUT_MS, 'three datagrams');
      expect(received.events.map((e) => [e.socketId, text(e.data), e.data.byteLength, e.remoteAddress, e.remotePort])).to.deep.equal([
        [id, 'one', 3, '127.0.0.1', peer.address().port],
        [id, '', 0, '127.0.0.1', peer.address().port],
        [id, 'three', 5, '127.0.0.1', peer.address().port],
      ]);
    });

    it('reports an IPv6 source without brackets', async () => {
      const { chrome } = testHost();
      const received = nextEvent<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { port } = await bound(chrome, '::1');
      const peer = await raw(0, 'udp6');
      await rawSend(peer, 'v6', port, '::1');
      expect(await received).to.include({ remoteAddress: '::1', remotePort: peer.address().port });
    });

    it('reports a datagram larger than bufferSize as onReceiveError -142 and pauses the socket', async () => {
      const { chrome } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const errors = collect<{ socketId: number; resultCode: number }>(chrome.sockets.udp.onReceiveError);
      const { id, port } = await bound(chrome, '127.0.0.1', { bufferSize: 8 });
      const peer = await raw();
      await rawSend(peer, '12345678', port);
      await rawSend(peer, '123456789', port);
      await rawSend(peer, 'after', port);
      await waitFor(() => errors.events.length === 1, WAIT_TIMEOUT_MS, 'the error');
      await settled(chrome);
      expect(errors.events).to.deep.equal([{ resultCode: -142, socketId: id }]);
      expect(received.events.map((e) => text(e.data))).to.deep.equal(['12345678']);
      expect((await info(chrome, id)).paused).to.equal(true);
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await waitFor(() => received.events.length === 2, WAIT_TIMEOUT_MS, 'the datagram after the error');
      expect(text(received.events[1].data)).to.equal('after');
    });

    it('reads 4096 bytes by default and caps bufferSize at 65536', async () => {
      const { chrome } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const errors = collect(chrome.sockets.udp.onReceiveError);
      const { id, port } = await bound(chrome);
      const peer = await raw();
      await rawSend(peer, new Uint8Array(4096), port);
      await rawSend(peer, new Uint8Array(4097), port);
      await waitFor(() => errors.events.length === 1, WAIT_TIMEOUT_MS, 'the error');
      expect(received.events.map((e) => e.data.byteLength)).to.deep.equal([4096]);
      await call(chrome, chrome.sockets.udp.update, id, { bufferSize: 1 << 30 });
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await rawSend(peer, new Uint8Array(65507), port);
      await waitFor(() => received.events.length === 2, WAIT_TIMEOUT_MS, 'the big datagram');
      expect(received.events[1].data.byteLength).to.equal(65507);
    });

    it('never transfers a pooled Node buffer to the page, and copies small datagrams', async () => {
      const host = new SocketsHost({ log: () => {} });
      const app = new AppState('pool');
      const socket = new UdpSocket(hostInternals(host).env, 1, app);
      const emit = sinon.stub(hostInternals(host).env, 'emit').returns(true);
      (socket as unknown as { state: string }).state = 'bound';
      const pooled = Buffer.from('pooled');
      expect(pooled.buffer.byteLength).to.be.greaterThan(pooled.byteLength);
      socket.bufferSize = 65536;
      const whole = Buffer.from(new Uint8Array(32 * 1024).buffer);
      const pooledBig = Buffer.from(new Uint8Array(64 * 1024).buffer, 16, 32 * 1024);
      const small = Buffer.from(new Uint8Array(3).buffer);
      const onMessage = (socket as unknown as { onMessage: (d: Buffer, r: dgram.RemoteInfo) => void }).onMessage;
      onMessage(pooled, { address: '127.0.0.1', family: 'IPv4', port: 1, size: pooled.length });
      onMessage(pooledBig, { address: '127.0.0.1', family: 'IPv4', port: 1, size: pooledBig.length });
      onMessage(whole, { address: 'fe80::1%eth0', family: 'IPv6', port: 2, size: whole.length });
      onMessage(small, { address: '127.0.0.1', family: 'IPv4', port: 1, size: 3 });
      await new Promise((resolve) => setImmediate(resolve));
      const calls = emit.getCalls();
      // A large buffer the datagram owns outright moves as it is; a pooled one never does.
      expect(calls[1].args[5]).to.deep.equal({ transferable: false });
      expect(calls[2].args[4]).to.equal(whole);
      expect(calls[2].args[5]).to.deep.equal({ transferable: true });
      expect(calls[2].args[3]).to.include({ remoteAddress: 'fe80::1' });
      // Small ones are copied into a buffer of the host's own, which may move.
      for (const i of [0, 3]) {
        const data = calls[i].args[4] as Uint8Array;
        expect(data.buffer).to.not.equal(pooled.buffer).and.not.equal(small.buffer);
        expect(Buffer.from(data).toString('hex')).to.equal((i === 0 ? pooled : small).toString('hex'));
      }
      // An arena is not used again once another buffer came between in the batch.
      expect((calls[3].args[4] as Uint8Array).buffer).to.not.equal((calls[0].args[4] as Uint8Array).buffer);
    });

    it('leaves the Node buffer of a real datagram intact after delivery', async () => {
      const { chrome, host } = testHost();
      const seen: Buffer[] = [];
      const env = hostInternals(host).env;
      const original = env.emit.bind(env);
      sinon.stub(env, 'emit').callsFake((...args: Parameters<SocketEnv['emit']>) => {
        if (args[4] !== undefined) seen.push(args[4] as Buffer);
        return original(...args);
      });
      const received = nextEvent<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { port } = await bound(chrome);
      await rawSend(await raw(), 'intact', port);
      expect(text((await received).data)).to.equal('intact');
      await settled(chrome);
      // Only a buffer the datagram owned outright may have been moved (detached) to the page.
      for (const b of seen) if (b.byteOffset !== 0 || b.buffer.byteLength !== b.byteLength) expect(b.toString()).to.equal('intact');
    });
  });

  describe('#setPaused', () => {
    it('delivers nothing while paused before bind (testSetPaused)', async () => {
      const { chrome } = testHost();
      const received = collect(chrome.sockets.udp.onReceive);
      const errors = collect(chrome.sockets.udp.onReceiveError);
      const id = await create(chrome);
      await call(chrome, chrome.sockets.udp.setPaused, id, true);
      expect(await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
      const port = (await info(chrome, id)).localPort as number;
      expect((await call(chrome, chrome.sockets.udp.send, id, bytes('self'), '127.0.0.1', port)).args).to.deep.equal([
        { resultCode: 0, bytesSent: 4 },
      ]);
      await settled(chrome);
      expect(received.events).to.have.length(0);
      expect(errors.events).to.have.length(0);
      expect((await info(chrome, id)).paused).to.equal(true);
    });

    it('delivers exactly the datagram sent while paused and the one after resuming (testPauseAndThenResume)', async () => {
      const { chrome } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const id = await create(chrome);
      await call(chrome, chrome.sockets.udp.setPaused, id, true);
      await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', 0);
      const port = (await info(chrome, id)).localPort as number;
      await call(chrome, chrome.sockets.udp.send, id, bytes('#1'), '127.0.0.1', port);
      await settled(chrome);
      expect(received.events).to.have.length(0);
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await call(chrome, chrome.sockets.udp.send, id, bytes('#2'), '127.0.0.1', port);
      await waitFor(() => received.events.length >= 2, WAIT_TIMEOUT_MS, 'two datagrams');
      await settled(chrome);
      expect(received.events.map((e) => text(e.data))).to.deep.equal(['#1', '#2']);
    });

    it('delivers 100 datagrams that arrived while paused, in order, on resume', async () => {
      const { chrome, host } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { id, port } = await bound(chrome);
      await call(chrome, chrome.sockets.udp.setPaused, id, true);
      const peer = await raw();
      for (let i = 0; i < 100; i++) await rawSend(peer, `datagram ${i}`, port);
      await waitFor(
        () => host.inspect().sockets.some((s) => s.kind === 'udp' && s.queued === 100),
        WAIT_TIMEOUT_MS,
        '100 queued datagrams',
      );
      expect(received.events).to.have.length(0);
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await waitFor(() => received.events.length === 100, WAIT_TIMEOUT_MS, '100 datagrams');
      expect(received.events.map((e) => text(e.data))).to.deep.equal(Array.from({ length: 100 }, (_, i) => `datagram ${i}`));
    });

    it(`keeps the first ${MAX_QUEUED_DATAGRAMS} datagrams while paused, drops newer ones and counts them`, async function () {
      this.timeout(30000);
      const { chrome, host } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { id, port } = await bound(chrome);
      await call(chrome, chrome.sockets.udp.setPaused, id, true);
      const peer = await raw();
      const total = MAX_QUEUED_DATAGRAMS + 10;
      const snap = () => host.inspect().sockets.find((s) => s.kind === 'udp' && s.id === id)!;
      // Paced, so the kernel receive buffer never overflows before the host reads.
      for (let i = 0; i < total; i += 64) {
        for (let j = i; j < Math.min(total, i + 64); j++) peer.send(String(j), port, '127.0.0.1');
        const expected = Math.min(total, i + 64);
        await waitFor(() => snap().queued! + snap().dropped! === expected, 5000, `${expected} datagrams`);
      }
      expect(snap()).to.include({ queued: MAX_QUEUED_DATAGRAMS, dropped: 10 });
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await waitFor(() => received.events.length === MAX_QUEUED_DATAGRAMS, 10000, 'the queued datagrams');
      expect(received.events.map((e) => Number(text(e.data)))).to.deep.equal(Array.from({ length: MAX_QUEUED_DATAGRAMS }, (_, i) => i));
      expect(snap()).to.include({ queued: 0, dropped: 10 });
    });

    it(`holds at most ${MAX_QUEUED_BYTES} bytes of datagrams while paused`, async function () {
      this.timeout(30000);
      const { chrome, host } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const { id, port } = await bound(chrome, '127.0.0.1', { bufferSize: 65536 });
      await call(chrome, chrome.sockets.udp.setPaused, id, true);
      const peer = await raw();
      const size = 60000;
      const fit = Math.floor(MAX_QUEUED_BYTES / size);
      const snap = () => host.inspect().sockets.find((s) => s.kind === 'udp' && s.id === id)!;
      for (let i = 0; i < fit + 2; i++) {
        await rawSend(peer, Buffer.alloc(size, i), port);
        await waitFor(() => snap().queued! + snap().dropped! === i + 1, 5000, `datagram ${i}`);
      }
      expect(snap()).to.include({ queued: fit, dropped: 2 });
      await call(chrome, chrome.sockets.udp.setPaused, id, false);
      await waitFor(() => received.events.length === fit, 10000, 'the queued datagrams');
      expect(received.events.map((e) => new Uint8Array(e.data)[0])).to.deep.equal(Array.from({ length: fit }, (_, i) => i & 0xff));
    });

    it('holds datagrams while the app is flow-blocked and delivers them in order on unblock', async () => {
      const host = new SocketsHost({ log: () => {} });
      const app = new AppState('flow');
      const socket = new UdpSocket(hostInternals(host).env, 1, app);
      app.sockets.add(socket);
      const emit = sinon.stub(hostInternals(host).env, 'emit').returns(true);
      (socket as unknown as { state: string }).state = 'bound';
      const onMessage = (socket as unknown as { onMessage: (d: Buffer, r: dgram.RemoteInfo) => void }).onMessage;
      app.setContextBlocked(true);
      for (const s of ['a', 'b', 'c']) onMessage(Buffer.from(s), { address: '127.0.0.1', family: 'IPv4', port: 1, size: 1 });
      expect(emit.callCount).to.equal(0);
      expect(socket.snapshot().pausedBy).to.deep.equal(['flow']);
      app.setContextBlocked(false);
      // Delivery starts on a later turn (as after setPaused(false): the answer comes first).
      expect(emit.callCount).to.equal(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(emit.getCalls().map((c) => Buffer.from(c.args[4] as Uint8Array).toString())).to.deep.equal(['a', 'b', 'c']);
      // Packed side by side into one buffer for the page.
      expect(new Set(emit.getCalls().map((c) => (c.args[4] as Uint8Array).buffer)).size).to.equal(1);
    });
  });

  describe('#close', () => {
    it('fires no onReceiveError and frees the port', async () => {
      const { chrome } = testHost();
      const errors = collect(chrome.sockets.udp.onReceiveError);
      const { id, port } = await bound(chrome);
      expect(await call(chrome, chrome.sockets.udp.close, id)).to.deep.equal({ args: [] });
      await settled(chrome);
      expect(errors.events).to.have.length(0);
      await raw(port);
    });
    it('answers a send still in flight with -15 and returns its quota', async () => {
      const t = await createTestHost({ writeQuota: 10, log: () => {} });
      try {
        const { id } = await bound(t.chrome);
        const held: unknown[] = [];
        sinon.stub(dgram.Socket.prototype, 'send').callsFake(((...args: unknown[]) => void held.push(args)) as never);
        const pending = call(t.chrome, t.chrome.sockets.udp.send, id, new Uint8Array(10), '127.0.0.1', 9);
        await waitFor(() => held.length === 1, WAIT_TIMEOUT_MS, 'the send');
        expect(await call(t.chrome, t.chrome.sockets.udp.close, id)).to.deep.equal({ args: [] });
        expect(await pending).to.deep.equal({ args: [{ resultCode: -15 }], lastError: 'net::ERR_SOCKET_NOT_CONNECTED' });
        sinon.restore();
        const next = await bound(t.chrome);
        expect((await call(t.chrome, t.chrome.sockets.udp.send, next.id, new Uint8Array(10), '127.0.0.1', next.port)).args).to.deep.equal([
          { resultCode: 0, bytesSent: 10 },
        ]);
      } finally {
        await t.close();
      }
    });
  });

  describe('multicast options', () => {
    it('takes ttl 0..255 and loopback before bind; -3 and 256 give -4 (testMulticast settings)', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 0)).to.deep.equal({ args: [0] });
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 255)).to.deep.equal({ args: [0] });
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, -3)).to.deep.equal({
        args: [-4],
        lastError: 'net::ERR_INVALID_ARGUMENT',
      });
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 256)).to.deep.equal({
        args: [-4],
        lastError: 'net::ERR_INVALID_ARGUMENT',
      });
      expect(await call(chrome, chrome.sockets.udp.setMulticastLoopbackMode, id, false)).to.deep.equal({ args: [0] });
      expect(await call(chrome, chrome.sockets.udp.setMulticastLoopbackMode, id, true)).to.deep.equal({ args: [0] });
    });

    it('gives -23 net::ERR_SOCKET_IS_CONNECTED once bound, before the range check', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome);
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 1)).to.deep.equal({
        args: [-23],
        lastError: 'net::ERR_SOCKET_IS_CONNECTED',
      });
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, -3)).to.deep.equal({
        args: [-23],
        lastError: 'net::ERR_SOCKET_IS_CONNECTED',
      });
      expect(await call(chrome, chrome.sockets.udp.setMulticastLoopbackMode, id, true)).to.deep.equal({
        args: [-23],
        lastError: 'net::ERR_SOCKET_IS_CONNECTED',
      });
    });

    it('gives -23 after a failed bind too: Chrome hands its options to the first bind attempt', async () => {
      const { chrome } = testHost();
      const taken = await raw();
      const id = await create(chrome);
      await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 4);
      expect((await call(chrome, chrome.sockets.udp.bind, id, '127.0.0.1', taken.address().port)).args).to.deep.equal([-147]);
      expect(await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 1)).to.deep.equal({
        args: [-23],
        lastError: 'net::ERR_SOCKET_IS_CONNECTED',
      });
    });
    it('applies the stored ttl and loopback mode to the OS socket at bind', async () => {
      const { chrome } = testHost();
      const ttl = sinon.spy(dgram.Socket.prototype, 'setMulticastTTL');
      const loop = sinon.spy(dgram.Socket.prototype, 'setMulticastLoopback');
      const id = await create(chrome);
      await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, id, 7);
      await call(chrome, chrome.sockets.udp.setMulticastLoopbackMode, id, false);
      expect(ttl.callCount + loop.callCount).to.equal(0);
      await call(chrome, chrome.sockets.udp.bind, id, '0.0.0.0', 0);
      expect(ttl.firstCall.args).to.deep.equal([7]);
      expect(loop.firstCall.args).to.deep.equal([false]);
      expect(ttl.firstCall.thisValue).to.equal(loop.firstCall.thisValue);
      expect((ttl.firstCall.thisValue as dgram.Socket).address().port).to.equal((await info(chrome, id)).localPort);
    });
  });

  describe('#joinGroup / #leaveGroup / #getJoinedGroups', () => {
    const GROUP = '237.132.100.133';

    it('gives -9 net::ERR_UNEXPECTED when not bound', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.joinGroup, id, GROUP)).to.deep.equal({ args: [-9], lastError: 'net::ERR_UNEXPECTED' });
    });

    it('gives -108 net::ERR_ADDRESS_INVALID for a non-IP, before the bound check', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.joinGroup, id, 'not-an-ip')).to.deep.equal({
        args: [-108],
        lastError: 'net::ERR_ADDRESS_INVALID',
      });
      expect(await call(chrome, chrome.sockets.udp.leaveGroup, id, 'not-an-ip')).to.deep.equal({
        args: [-108],
        lastError: 'net::ERR_ADDRESS_INVALID',
      });
    });

    it('gives -108 for leaving a group never joined and for a group of the other family', async () => {
      const { chrome } = testHost();
      const { id } = await bound(chrome, '0.0.0.0');
      expect(await call(chrome, chrome.sockets.udp.leaveGroup, id, GROUP)).to.deep.equal({
        args: [-108],
        lastError: 'net::ERR_ADDRESS_INVALID',
      });
      expect(await call(chrome, chrome.sockets.udp.joinGroup, id, 'ff02::1')).to.deep.equal({
        args: [-108],
        lastError: 'net::ERR_ADDRESS_INVALID',
      });
    });

    it('gives "App does not have permission" without multicastMembership', async () => {
      const t = await createTestHost({ sockets: { udp: { bind: '', send: '' } }, log: () => {} });
      try {
        const id = await create(t.chrome);
        for (const [method, args] of [
          ['joinGroup', [GROUP]],
          ['leaveGroup', [GROUP]],
          ['getJoinedGroups', []],
        ] as const) {
          expect(await call(t.chrome, t.chrome.sockets.udp[method], id, ...args), method).to.deep.equal({
            args: [],
            lastError: 'App does not have permission',
          });
        }
      } finally {
        await t.close();
      }
    });

    describe('on this machine', () => {
      // Joining needs a route for 224.0.0.0/4 (a default route does); Chrome gives no way to
      // pick an interface. Without one the OS answers ENODEV: `ip route add 224.0.0.0/4 dev lo`.
      let multicastRoute = true;
      before(async () => {
        const probe = dgram.createSocket('udp4');
        await new Promise<void>((resolve) => probe.bind(0, '0.0.0.0', () => resolve()));
        try {
          probe.addMembership(GROUP);
        } catch (error) {
          multicastRoute = false;
          console.warn(
            `      (multicast tests skipped: joining ${GROUP} failed with ${(error as NodeJS.ErrnoException).code}; no route for 224.0.0.0/4 — \`ip route add 224.0.0.0/4 dev lo\` adds one)`,
          );
        }
        probe.close();
      });
      beforeEach(function () {
        if (!multicastRoute) this.skip();
      });

      it('joins, receives, leaves and then receives no more (testMulticast)', async () => {
        const { chrome } = testHost();
        const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
        const receiver = await bound(chrome, '0.0.0.0');
        const sender = await create(chrome);
        // TTL 0 keeps the datagrams on this host (the loopback copy is still delivered).
        await call(chrome, chrome.sockets.udp.setMulticastTimeToLive, sender, 0);
        await call(chrome, chrome.sockets.udp.bind, sender, '0.0.0.0', 0);
        const sendToGroup = async (message: string) =>
          expect((await call(chrome, chrome.sockets.udp.send, sender, bytes(message), GROUP, receiver.port)).args).to.deep.equal([
            { resultCode: 0, bytesSent: message.length },
          ]);
        const onReceiver = () => received.events.filter((e) => e.socketId === receiver.id).map((e) => text(e.data));

        await sendToGroup('before join');
        await settled(chrome);
        expect(onReceiver()).to.deep.equal([]);

        expect(await call(chrome, chrome.sockets.udp.joinGroup, receiver.id, GROUP)).to.deep.equal({ args: [0] });
        expect((await call(chrome, chrome.sockets.udp.getJoinedGroups, receiver.id)).args).to.deep.equal([[GROUP]]);
        await sendToGroup('joined');
        await waitFor(() => onReceiver().length === 1, WAIT_TIMEOUT_MS, 'the multicast datagram');
        expect(onReceiver()).to.deep.equal(['joined']);

        expect(await call(chrome, chrome.sockets.udp.leaveGroup, receiver.id, GROUP)).to.deep.equal({ args: [0] });
        expect((await call(chrome, chrome.sockets.udp.getJoinedGroups, receiver.id)).args).to.deep.equal([[]]);
        await sendToGroup('after leave');
        await settled(chrome);
        expect(onReceiver()).to.deep.equal(['joined']);
      });

      it('normalises groups: an octal spelling of a joined group is a duplicate (-108)', async () => {
        const { chrome } = testHost();
        const { id } = await bound(chrome, '0.0.0.0');
        expect((await call(chrome, chrome.sockets.udp.joinGroup, id, GROUP)).args).to.deep.equal([0]);
        expect(await call(chrome, chrome.sockets.udp.joinGroup, id, '0355.132.100.133')).to.deep.equal({
          args: [-108],
          lastError: 'net::ERR_ADDRESS_INVALID',
        });
        expect(await call(chrome, chrome.sockets.udp.joinGroup, id, GROUP)).to.deep.equal({
          args: [-108],
          lastError: 'net::ERR_ADDRESS_INVALID',
        });
        expect((await call(chrome, chrome.sockets.udp.getJoinedGroups, id)).args).to.deep.equal([[GROUP]]);
      });

      it('gives the OS error for a unicast "group" (EINVAL: -4)', async () => {
        const { chrome } = testHost();
        const { id } = await bound(chrome, '0.0.0.0');
        expect(await call(chrome, chrome.sockets.udp.joinGroup, id, '127.0.0.1')).to.deep.equal({
          args: [-4],
          lastError: 'net::ERR_INVALID_ARGUMENT',
        });
      });
    });
  });

  describe('#setBroadcast', () => {
    it('gives -15 net::ERR_SOCKET_NOT_CONNECTED when not bound', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.udp.setBroadcast, id, true)).to.deep.equal({
        args: [-15],
        lastError: 'net::ERR_SOCKET_NOT_CONNECTED',
      });
    });

    it('lets a sender reach a listener through 127.255.255.255 (testBroadcast)', async () => {
      const { chrome } = testHost();
      const received = collect<ReceiveInfo>(chrome.sockets.udp.onReceive);
      const listener = await bound(chrome, '0.0.0.0');
      expect(await call(chrome, chrome.sockets.udp.setBroadcast, listener.id, true)).to.deep.equal({ args: [0] });
      const sender = await bound(chrome, '127.0.0.1');
      // Without SO_BROADCAST the OS refuses: EACCES, -10.
      expect(await call(chrome, chrome.sockets.udp.send, sender.id, bytes('no'), '127.255.255.255', listener.port)).to.deep.equal({
        args: [{ resultCode: -10 }],
        lastError: 'net::ERR_ACCESS_DENIED',
      });
      expect(await call(chrome, chrome.sockets.udp.setBroadcast, sender.id, true)).to.deep.equal({ args: [0] });
      expect(
        (await call(chrome, chrome.sockets.udp.send, sender.id, bytes('broadcast'), '127.255.255.255', listener.port)).args,
      ).to.deep.equal([{ resultCode: 0, bytesSent: 9 }]);
      await waitFor(() => received.events.length === 1, WAIT_TIMEOUT_MS, 'the broadcast');
      expect(received.events[0]).to.include({ socketId: listener.id, remoteAddress: '127.0.0.1', remotePort: sender.port });
      expect(text(received.events[0].data)).to.equal('broadcast');
    });
  });

  describe('#getSockets', () => {
    it("lists the app's udp sockets", async () => {
      const { chrome } = testHost();
      const a = await create(chrome, { name: 'a' });
      const b = await bound(chrome);
      const list = ((await call(chrome, chrome.sockets.udp.getSockets)).args[0] as Info[]).sort(
        (x, y) => (x.socketId as number) - (y.socketId as number),
      );
      expect(list).to.deep.equal([
        { name: 'a', paused: false, persistent: false, socketId: a },
        { localAddress: '127.0.0.1', localPort: b.port, paused: false, persistent: false, socketId: b.id },
      ]);
    });
  });

  describe('bad input', () => {
    it('survives extreme ports and sizes without touching other sockets', async () => {
      const { chrome } = testHost();
      const { id, port } = await bound(chrome);
      for (const p of [-1, 2 ** 31 - 1, -(2 ** 31), 0]) {
        const r = await call(chrome, chrome.sockets.udp.send, id, bytes('x'), '127.0.0.1', p);
        expect(r.args).to.have.length(1);
      }
      for (const p of [-1, 2 ** 31 - 1]) {
        const other = await create(chrome);
        const r = await call(chrome, chrome.sockets.udp.bind, other, '127.0.0.1', p);
        expect(r.args).to.have.length(1);
        await call(chrome, chrome.sockets.udp.close, other);
      }
      expect(() => (chrome.sockets.udp.send as (...a: unknown[]) => void)(id, 'not binary', '127.0.0.1', 9, () => {})).to.throw(
        TypeError,
        'No matching signature.',
      );
      expect((await info(chrome, id)).localPort).to.equal(port);
    });
  });

  describe('lifecycle', () => {
    it('leaves no udp socket open after the test host closes', async () => {
      const before = handleCounts();
      const t = await createTestHost({ log: () => {} });
      await bound(t.chrome);
      const paused = await bound(t.chrome, '::1');
      await call(t.chrome, t.chrome.sockets.udp.setPaused, paused.id, true);
      const peer = await raw(0, 'udp6');
      await rawSend(peer, 'queued', paused.port, '::1');
      await waitFor(() => t.host.inspect().sockets.some((s) => s.queued === 1), WAIT_TIMEOUT_MS, 'a queued datagram');
      peer.close();
      raws = [];
      await t.close();
      // A dgram socket gives its handle back in the close callback, after close() returned.
      await waitFor(() => (handleCounts().UDPWrap ?? 0) <= (before.UDPWrap ?? 0), WAIT_TIMEOUT_MS, 'the UDP handles to close');
      expect(handleCounts().UDPWrap ?? 0).to.equal(before.UDPWrap ?? 0);
    });
  });
});
