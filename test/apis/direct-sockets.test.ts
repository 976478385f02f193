/**
 * Direct Sockets (other-socket-apis.md §3, acceptance outline §6 "Direct Sockets") through the
 * test host: real sockets on 127.0.0.1, the facade across a real MessageChannel.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { RAW_READ_BYTES } from '../../main/raw/raw-tcp';
import { DIRECT_READ_HIGH_WATER_MARK, DIRECT_UDP_HIGH_WATER_MARK } from '../../preload/direct/direct-sockets';
import { createTestHost, type TestHost } from '../../testing';
import { bytes, nextConnection, quiet, readAll, settled, tcpServer, useCleanup, waitFor, type Cleanup } from './helpers';
import { hostInternals } from '../../main/host';

async function openTestHost(cleanup: Cleanup, options: Parameters<typeof createTestHost>[0] = {}): Promise<TestHost> {
  const t = await createTestHost({ log: () => {}, ...options });
  cleanup.add(() => t.close());
  return t;
}

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function readBytes(reader: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    got += value.byteLength;
  }
  return Buffer.concat(chunks);
}

describe('Direct Sockets', () => {
  const cleanup = useCleanup();

  describe('TCPSocket', () => {
    it('throws the constructor TypeErrors synchronously', async () => {
      const { direct } = await openTestHost(cleanup);
      expect(() => new direct.TCPSocket('127.0.0.1', 1, { keepAliveDelay: 999 })).to.throw(TypeError, /keepAliveDelay/);
      expect(() => new direct.TCPSocket('127.0.0.1', 1, { sendBufferSize: 0 })).to.throw(TypeError, /sendBufferSize/);
      expect(() => new direct.TCPSocket('127.0.0.1', 1, { receiveBufferSize: 0 })).to.throw(TypeError, /receiveBufferSize/);
      expect(() => new direct.TCPSocket('127.0.0.1', 1, { dnsQueryType: 'any' as never })).to.throw(TypeError, /dnsQueryType/);
      expect(() => new (direct.TCPSocket as any)('127.0.0.1')).to.throw(TypeError, /2 arguments required/);
    });

    it('opened gives the streams and both addresses', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port, { noDelay: true, keepAliveDelay: 5000 });
      const info = await socket.opened;
      const peer = await accepted;
      expect(info.remoteAddress).to.equal('127.0.0.1');
      expect(info.remotePort).to.equal(port);
      expect(info.localAddress).to.equal('127.0.0.1');
      expect(info.localPort).to.equal(peer.remotePort);
      expect(info.readable).to.be.instanceOf(ReadableStream);
      expect(info.writable).to.be.instanceOf(WritableStream);
      await socket.close();
    });

    it('rejects opened and closed with NetworkError for a refused connection', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      await new Promise((r) => server.close(r));
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const [opened, closed] = await Promise.all([rejection(socket.opened), rejection(socket.closed)]);
      expect(opened).to.be.instanceOf(DOMException);
      expect(opened.name).to.equal('NetworkError');
      expect(closed.name).to.equal('NetworkError');
    });

    it('reads 150 000 bytes and writes 3 × 64 KiB + 1, byte for byte', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable, writable } = await socket.opened;
      const peer = await accepted;
      const incoming = bytes(150_000, 1);
      peer.write(Buffer.from(incoming));
      const reader = readable.getReader();
      expect((await readBytes(reader, 150_000)).equals(Buffer.from(incoming))).to.equal(true);
      const outgoing = bytes(3 * 65536 + 1, 2);
      const peerGot = readAll(peer);
      const writer = writable.getWriter();
      await writer.write(outgoing.subarray(0, 65536));
      await writer.write(outgoing.buffer.slice(65536, 131072) as ArrayBuffer);
      await writer.write(outgoing.subarray(131072));
      await writer.close();
      expect((await peerGot).equals(Buffer.from(outgoing))).to.equal(true);
      reader.releaseLock();
    });

    it('rejects a write of something that is not a BufferSource with a TypeError', async () => {
      const { direct } = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { writable } = await socket.opened;
      const writer = writable.getWriter();
      const error = await rejection(writer.write('text' as never));
      expect(error).to.be.instanceOf(TypeError);
    });

    it('fills the view a BYOB reader supplies, asking the host for no more than it holds', async () => {
      const { direct, host } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable } = await socket.opened;
      const peer = await accepted;
      peer.write(Buffer.from('0123456789abcdef'));
      const reader = readable.getReader({ mode: 'byob' });
      const first = await reader.read(new Uint8Array(4));
      expect(Buffer.from(first.value!).toString()).to.equal('0123');
      expect(first.value!.byteLength).to.equal(4);
      const second = await reader.read(new Uint8Array(100));
      expect(Buffer.from(second.value!).toString()).to.equal('456789abcdef');
      expect(hostInternals(host).registries.raw.size).to.equal(1);
    });

    it('a BYOB reader with odd-sized views gets three times the high-water mark in order, pausing halfway, byte for byte', async function () {
      this.timeout(60_000);
      const { direct, host } = await openTestHost(cleanup);
      const total = 3 * DIRECT_READ_HIGH_WATER_MARK;
      // Each 4-byte word is its own index, so a chunk out of place or lost shows.
      const incoming = Buffer.alloc(total);
      for (let i = 0; i < total / 4; i++) incoming.writeUInt32LE(i, i * 4);
      const { port } = await tcpServer(cleanup, (peer) => peer.end(incoming));
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable } = await socket.opened;
      const reader = readable.getReader({ mode: 'byob' });
      const got = Buffer.alloc(total);
      let filled = 0;
      let view = new Uint8Array(7001);
      const readUntil = async (n: number): Promise<void> => {
        while (filled < n) {
          const { value, done } = await reader.read(view);
          if (done) throw new Error(`ended after ${filled} bytes`);
          got.set(value, filled);
          filled += value.byteLength;
          view = new Uint8Array(value.buffer, 0, 7001);
        }
      };
      await readUntil(total / 2);
      // The reader stops: the host reads no more than the readable asked for, then waits.
      const raw = hostInternals(host).registries.raw.all()[0] as unknown as { snapshot(): { bytesReceived: number } };
      const hostRead = await settled(() => raw.snapshot().bytesReceived);
      expect(hostRead).to.be.below(total);
      expect(hostRead).to.be.at.most(filled + DIRECT_READ_HIGH_WATER_MARK + RAW_READ_BYTES);
      await readUntil(total);
      expect(filled).to.equal(total);
      expect(got.equals(incoming)).to.equal(true);
      expect((await reader.read(view)).done).to.equal(true);
    });

    it('peer FIN: the read resolves done, the writable still works, closed resolves after writer.close()', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable, writable } = await socket.opened;
      const peer = await accepted;
      const peerGot = readAll(peer);
      peer.end('bye');
      const reader = readable.getReader();
      expect(Buffer.from((await reader.read()).value!).toString()).to.equal('bye');
      expect((await reader.read()).done).to.equal(true);
      const writer = writable.getWriter();
      await writer.write(new TextEncoder().encode('still writable'));
      await writer.close();
      expect((await peerGot).toString()).to.equal('still writable');
      await socket.closed;
    });

    it('writer.close() half-closes: the peer sees EOF while its data still flows back', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable, writable } = await socket.opened;
      const peer = await accepted;
      const writer = writable.getWriter();
      await writer.write(new TextEncoder().encode('question'));
      await writer.close();
      expect((await readAll(peer)).toString()).to.equal('question');
      peer.end('answer');
      const reader = readable.getReader();
      expect(Buffer.from((await reader.read()).value!).toString()).to.equal('answer');
      expect((await reader.read()).done).to.equal(true);
      await socket.closed;
    });

    it('close() rejects with InvalidStateError before open and while a stream is locked', async () => {
      const { direct } = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const early = await rejection(socket.close());
      expect(early.name).to.equal('InvalidStateError');
      const { readable } = await socket.opened;
      const reader = readable.getReader();
      expect((await rejection(socket.close())).name).to.equal('InvalidStateError');
      reader.releaseLock();
      await socket.close();
      await socket.closed;
    });

    it('rejects closed when the connection is reset (both streams error)', async () => {
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable } = await socket.opened;
      (await accepted).resetAndDestroy();
      const reader = readable.getReader();
      const readError = await rejection(reader.read());
      expect(readError.name).to.equal('NetworkError');
      expect((await rejection(socket.closed)).name).to.equal('NetworkError');
    });

    it('a reader that stops reading keeps host memory bounded through a 256 MiB flood, then gets every byte', async function () {
      this.timeout(120_000);
      const { direct, host } = await openTestHost(cleanup);
      const total = 256 * 1024 * 1024;
      let written = 0;
      const { port } = await tcpServer(cleanup, (peer) => {
        const chunk = Buffer.alloc(1024 * 1024, 0x5a);
        const pump = (): void => {
          while (written < total) {
            written += chunk.length;
            if (!peer.write(chunk)) return void peer.once('drain', pump);
          }
          peer.end();
        };
        pump();
      });
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { readable } = await socket.opened;
      const reader = readable.getReader();
      let received = (await reader.read()).value!.byteLength;
      // The reader stops here. The peer gets as far as the kernel buffers let it.
      const stalled = await settled(() => written);
      const raw = hostInternals(host).registries.raw.all()[0] as unknown as { heldBytes: number; snapshot(): { bytesReceived: number } };
      const held = raw.heldBytes;
      const unacked = host.inspect().contexts[0].unackedBytes;
      expect(stalled).to.be.below(64 * 1024 * 1024);
      expect(held).to.be.at.most(1024 * 1024);
      expect(unacked).to.be.at.most(1024 * 1024);
      // The host read no more than the readable asked for: its high-water mark past what the
      // reader took, and one socket read beyond the credit (held in the host).
      expect(raw.snapshot().bytesReceived).to.be.at.most(received + DIRECT_READ_HIGH_WATER_MARK + RAW_READ_BYTES);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
      expect(received).to.equal(total);
      console.log(`      (peer stalled after ${(stalled / 1048576).toFixed(1)} MiB; host held ${held} bytes, ${unacked} unacked)`);
    });

    it('a peer that never reads stalls the writer after a bounded amount', async function () {
      this.timeout(60_000);
      const { direct } = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new direct.TCPSocket('127.0.0.1', port);
      const { writable } = await socket.opened;
      (await accepted).pause();
      const writer = writable.getWriter();
      let accepted2 = 0;
      let stop = false;
      cleanup.add(() => (stop = true));
      void (async () => {
        const chunk = new Uint8Array(64 * 1024);
        while (!stop && accepted2 < 200 * 1024 * 1024) {
          try {
            await writer.write(chunk);
          } catch {
            return;
          }
          accepted2 += chunk.byteLength;
        }
      })();
      const stalled = await settled(() => accepted2);
      expect(stalled).to.be.above(0);
      expect(stalled).to.be.below(32 * 1024 * 1024);
      console.log(`      (writer stalled after ${(stalled / 1048576).toFixed(1)} MiB)`);
    });
  });

  describe('TCPServerSocket', () => {
    it('throws its TypeErrors synchronously', async () => {
      const { direct } = await openTestHost(cleanup);
      expect(() => new direct.TCPServerSocket('localhost')).to.throw(TypeError, /IP address/);
      expect(() => new direct.TCPServerSocket('127.0.0.1', { localPort: 0 })).to.throw(TypeError, /localPort/);
      expect(() => new direct.TCPServerSocket('127.0.0.1', { backlog: 0 })).to.throw(TypeError, /backlog/);
      expect(() => new direct.TCPServerSocket('127.0.0.1', { ipv6Only: true })).to.throw(TypeError, /ipv6Only/);
    });

    it('yields accepted sockets that work, and close() leaves them open', async () => {
      const { direct } = await openTestHost(cleanup);
      const server = new direct.TCPServerSocket('127.0.0.1');
      const { readable, localAddress, localPort } = await server.opened;
      expect(localAddress).to.equal('127.0.0.1');
      const peer = net.connect(localPort, '127.0.0.1');
      cleanup.add(() => peer.destroy());
      const reader = readable.getReader();
      const { value: accepted } = await reader.read();
      const info = await accepted!.opened;
      expect(info.remotePort).to.equal(
        await new Promise((r) => (peer.localPort ? r(peer.localPort) : peer.once('connect', () => r(peer.localPort)))),
      );
      reader.releaseLock();
      await server.close();
      await server.closed;
      peer.write('after server close');
      const r = info.readable.getReader();
      expect(Buffer.from((await r.read()).value!).toString()).to.equal('after server close');
      const w = info.writable.getWriter();
      const echoed = new Promise<string>((resolve) => peer.once('data', (d) => resolve(d.toString())));
      await w.write(new TextEncoder().encode('pong'));
      expect(await echoed).to.equal('pong');
      // A new connection is refused now.
      const refused = net.connect(localPort, '127.0.0.1');
      expect(await new Promise((resolve) => refused.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)))).to.equal('ECONNREFUSED');
    });
  });

  describe('UDPSocket', () => {
    it('throws the mode TypeErrors synchronously', async () => {
      const { direct } = await openTestHost(cleanup);
      const bad: Array<[object, RegExp]> = [
        [{}, /must be specified/],
        [{ remoteAddress: '127.0.0.1', remotePort: 9, localAddress: '127.0.0.1' }, /together/],
        [{ remoteAddress: '127.0.0.1' }, /together/],
        [{ localPort: 5000 }, /without localAddress/],
        [{ localAddress: '127.0.0.1', dnsQueryType: 'ipv4' }, /dnsQueryType/],
        [{ localAddress: '0.0.0.0', ipv6Only: true }, /ipv6Only/],
        [{ localAddress: '127.0.0.1', localPort: 0 }, /localPort/],
        [{ localAddress: '127.0.0.1', multicastTimeToLive: -1 }, /octet/],
        [{ localAddress: '127.0.0.1', multicastTimeToLive: 256 }, /octet/],
        [{ localAddress: '127.0.0.1', sendBufferSize: 0 }, /sendBufferSize/],
      ];
      for (const [options, message] of bad)
        expect(() => new direct.UDPSocket(options), JSON.stringify(options)).to.throw(TypeError, message);
      for (const ttl of [0, 255]) {
        const socket = new direct.UDPSocket({ localAddress: '127.0.0.1', multicastTimeToLive: ttl });
        await socket.opened;
        await socket.close();
      }
    });

    it('connected mode: echo, no addresses on messages, a write with an address is a TypeError', async () => {
      const { direct } = await openTestHost(cleanup);
      const echo = dgram.createSocket('udp4');
      echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
      await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
      cleanup.add(() => echo.close());
      const socket = new direct.UDPSocket({ remoteAddress: '127.0.0.1', remotePort: echo.address().port });
      const info = await socket.opened;
      expect(info.remotePort).to.equal(echo.address().port);
      expect(info.multicastController).to.equal(undefined);
      const writer = info.writable.getWriter();
      await writer.write({ data: new TextEncoder().encode('ping') });
      const { value } = await info.readable.getReader().read();
      expect(Buffer.from(value!.data as Uint8Array).toString()).to.equal('ping');
      expect(value!.remoteAddress).to.equal(undefined);
      expect(await rejection(writer.write({ data: new Uint8Array(1), remoteAddress: '127.0.0.1', remotePort: 1 }))).to.be.instanceOf(
        TypeError,
      );
    });

    it('bound mode: messages carry the sender; writes need an address', async () => {
      const { direct } = await openTestHost(cleanup);
      const peer = dgram.createSocket('udp4');
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
      cleanup.add(() => peer.close());
      const socket = new direct.UDPSocket({ localAddress: '127.0.0.1' });
      const info = await socket.opened;
      const reader = info.readable.getReader();
      peer.send('hello', info.localPort, '127.0.0.1');
      const { value } = await reader.read();
      expect(Buffer.from(value!.data as Uint8Array).toString()).to.equal('hello');
      expect(value!.remoteAddress).to.equal('127.0.0.1');
      expect(value!.remotePort).to.equal(peer.address().port);
      const writer = info.writable.getWriter();
      const got = new Promise<string>((resolve) => peer.once('message', (m) => resolve(m.toString())));
      await writer.write({ data: new TextEncoder().encode('back'), remoteAddress: '127.0.0.1', remotePort: peer.address().port });
      expect(await got).to.equal('back');
      expect(await rejection(writer.write({ data: new Uint8Array(1) }))).to.be.instanceOf(TypeError);
    });

    it(`asks the host for at most ${DIRECT_UDP_HIGH_WATER_MARK} datagrams ahead of a reader that does not read; the rest wait in the host`, async () => {
      const t = await openTestHost(cleanup);
      const peer = dgram.createSocket('udp4');
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
      cleanup.add(() => peer.close());
      const socket = new t.direct.UDPSocket({ localAddress: '127.0.0.1' });
      const info = await socket.opened;
      const total = DIRECT_UDP_HIGH_WATER_MARK + 24;
      for (let i = 0; i < total; i++) {
        await new Promise((resolve, reject) =>
          peer.send(`d${i}`, info.localPort, '127.0.0.1', (err) => (err ? reject(err) : resolve(undefined))),
        );
      }
      // Every datagram is in the host's socket queue (loopback); two round trips let it read them all.
      await quiet(() => (t.chrome.sockets.udp.getSockets as () => Promise<unknown>)());
      const raw = t.host.inspect().sockets.find((s) => s.kind === 'raw' && s.localPort === info.localPort);
      expect(raw?.queued).to.equal(total - DIRECT_UDP_HIGH_WATER_MARK);
      const reader = info.readable.getReader();
      const got: string[] = [];
      for (let i = 0; i < total; i++) got.push(Buffer.from((await reader.read()).value!.data as Uint8Array).toString());
      expect(got).to.deep.equal(Array.from({ length: total }, (_, i) => `d${i}`));
    });

    it('rejects a bound socket below port 1024 with NotAllowedError', async () => {
      const { direct } = await openTestHost(cleanup);
      const socket = new direct.UDPSocket({ localAddress: '127.0.0.1', localPort: 80 });
      expect((await rejection(socket.opened)).name).to.equal('NotAllowedError');
    });
  });

  describe('MulticastController', () => {
    const GROUP = '237.132.100.17';
    let route = true;
    before(async () => {
      const probe = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => probe.bind(0, '0.0.0.0', () => resolve()));
      try {
        probe.addMembership(GROUP);
      } catch {
        route = false;
      }
      probe.close();
    });

    it('checks groups: invalid and unicast are TypeErrors, a double join and an unjoined leave InvalidStateError, after close InvalidStateError', async function () {
      if (!route) this.skip(); // no route for 224.0.0.0/4 here: `ip route add 224.0.0.0/4 dev lo`
      const { direct } = await openTestHost(cleanup);
      const socket = new direct.UDPSocket({ localAddress: '0.0.0.0' });
      const { multicastController: mc } = await socket.opened;
      expect(await rejection(mc!.joinGroup('not-an-ip'))).to.be.instanceOf(TypeError);
      expect(await rejection(mc!.joinGroup('127.0.0.1'))).to.be.instanceOf(TypeError);
      expect((await rejection(mc!.leaveGroup(GROUP))).name).to.equal('InvalidStateError');
      await mc!.joinGroup(GROUP);
      expect(mc!.joinedGroups).to.deep.equal([GROUP]);
      expect(Object.isFrozen(mc!.joinedGroups)).to.equal(true);
      expect((await rejection(mc!.joinGroup(GROUP))).name).to.equal('InvalidStateError');
      await mc!.leaveGroup(GROUP);
      expect(mc!.joinedGroups).to.deep.equal([]);
      await socket.close();
      expect((await rejection(mc!.joinGroup(GROUP))).name).to.equal('InvalidStateError');
      expect((await rejection(mc!.leaveGroup(GROUP))).name).to.equal('InvalidStateError');
    });

    it('joinedGroups lists an any-source membership as a string and a source-specific one as a frozen object', async function () {
      if (!route) this.skip(); // no route for 224.0.0.0/4 here: `ip route add 224.0.0.0/4 dev lo`
      const { direct } = await openTestHost(cleanup);
      const socket = new direct.UDPSocket({ localAddress: '0.0.0.0' });
      const { multicastController: mc } = await socket.opened;
      const SSM_GROUP = '232.1.2.3';
      const SOURCE = '192.0.2.7';
      expect(await rejection(mc!.joinGroup(SSM_GROUP, { sourceAddress: '127.0.0.1' }))).to.be.instanceOf(TypeError);
      expect(await rejection(mc!.joinGroup(SSM_GROUP, { sourceAddress: '::1' }))).to.be.instanceOf(TypeError);
      await mc!.joinGroup(GROUP);
      await mc!.joinGroup(SSM_GROUP, { sourceAddress: SOURCE });
      expect(mc!.joinedGroups).to.deep.equal([GROUP, { groupAddress: SSM_GROUP, sourceAddress: SOURCE }]);
      expect(Object.isFrozen(mc!.joinedGroups[1])).to.equal(true);
      expect((await rejection(mc!.joinGroup(SSM_GROUP, { sourceAddress: SOURCE }))).name).to.equal('InvalidStateError');
      await mc!.leaveGroup(SSM_GROUP, { sourceAddress: SOURCE });
      expect(mc!.joinedGroups).to.deep.equal([GROUP]);
      await socket.close();
    });

    it('delivers to one and to several receivers sharing the port (loopback)', async function () {
      if (!route) this.skip();
      const { direct } = await openTestHost(cleanup);
      const first = new direct.UDPSocket({ localAddress: '0.0.0.0', multicastAllowAddressSharing: true });
      const a = await first.opened;
      const second = new direct.UDPSocket({ localAddress: '0.0.0.0', localPort: a.localPort, multicastAllowAddressSharing: true });
      const b = await second.opened;
      await a.multicastController!.joinGroup(GROUP);
      await b.multicastController!.joinGroup(GROUP);
      const sender = new direct.UDPSocket({ localAddress: '0.0.0.0', multicastTimeToLive: 0 });
      const s = await sender.opened;
      await s.writable.getWriter().write({ data: new TextEncoder().encode('to the group'), remoteAddress: GROUP, remotePort: a.localPort });
      const [ma, mb] = await Promise.all([a.readable.getReader().read(), b.readable.getReader().read()]);
      expect(Buffer.from(ma.value!.data as Uint8Array).toString()).to.equal('to the group');
      expect(Buffer.from(mb.value!.data as Uint8Array).toString()).to.equal('to the group');
    });
  });

  describe('lifetime', () => {
    it('leaves no socket behind when the test host closes', async () => {
      const t = await createTestHost({ log: () => {} });
      const { port } = await tcpServer(cleanup);
      const socket = new t.direct.TCPSocket('127.0.0.1', port);
      await socket.opened;
      await t.close();
      expect(hostInternals(t.host).registries.raw.size).to.equal(0);
      await waitFor(() => true, 'nothing');
    });
  });
});
