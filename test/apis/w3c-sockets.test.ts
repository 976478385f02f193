/**
 * The W3C 2013 TCP and UDP Socket API (other-socket-apis.md §2.2–§2.5, acceptance outline §6
 * "W3C 2013") through the test host, against local servers.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import {
  W3C_MAX_BUFFERED,
  W3C_SEND_THRESHOLD,
  type W3CTCPServerSocket,
  type W3CTCPSocket,
  type W3CUDPSocket,
} from '../../preload/w3c/w3c-sockets';
import { hostInternals } from '../../main/host';
import { createTestHost, type TestHost } from '../../testing';
import { tlsServer, useTestCertificates } from '../support/tls-peers';
import { bytes, nextConnection, peerWrite, quiet, readAll, tcpServer, useCleanup, waitFor, type Cleanup } from './helpers';

async function openTestHost(cleanup: Cleanup, options: Parameters<typeof createTestHost>[0] = {}): Promise<TestHost> {
  const t = await createTestHost({ log: () => {}, ...options });
  cleanup.add(() => t.close());
  return t;
}

function once(target: EventTarget, type: string): Promise<any> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

/** Every `message` event's bytes, in order. */
function collect(socket: EventTarget): { events: any[]; bytes(): Buffer; text(): string } {
  const events: any[] = [];
  socket.addEventListener('message', (e) => events.push(e));
  const all = (): Buffer => Buffer.concat(events.map((e) => Buffer.from(e.data as ArrayBuffer)));
  return { events, bytes: all, text: () => all().toString() };
}

/** Counts the events of `types` a target fires. */
function count(target: EventTarget, ...types: string[]): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const type of types) {
    seen[type] = 0;
    target.addEventListener(type, () => seen[type]++);
  }
  return seen;
}

/** A round trip on the test host's one port: every event queued before it has been dispatched. */
async function roundTrip(t: TestHost): Promise<void> {
  await (t.chrome.sockets.tcp.getSockets as () => Promise<unknown>)();
}

async function connected(t: TestHost, port: number): Promise<W3CTCPSocket> {
  const socket = new t.w3c.TCPSocket('127.0.0.1', port);
  await once(socket, 'open');
  return socket;
}

describe('W3C 2013 TCP and UDP Socket API', () => {
  const cleanup = useCleanup();

  describe('TCPSocket', () => {
    it('goes connecting → open with an open event and fills in the addresses', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = new t.w3c.TCPSocket('127.0.0.1', port);
      cleanup.add(() => socket.close());
      expect(socket.readyState).to.equal('connecting');
      expect(socket.remoteAddress).to.equal('127.0.0.1');
      expect(socket.remotePort).to.equal(port);
      expect(socket.bufferedAmount).to.equal(0);
      await once(socket, 'open');
      const peer = await accepted;
      expect(socket.readyState).to.equal('open');
      expect(socket.localAddress).to.equal('127.0.0.1');
      expect(socket.localPort).to.equal(peer.remotePort);
    });

    it('sends strings as UTF-8 (counted in UTF-8 bytes), a Blob, an ArrayBuffer and a view, in order', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      const got = readAll(peer);
      expect(socket.send('héllo ')).to.equal(true);
      expect(socket.bufferedAmount).to.equal(7);
      expect(socket.send(new Blob(['blob ']))).to.equal(true);
      expect(socket.send(new TextEncoder().encode('buffer ').buffer)).to.equal(true);
      expect(socket.send(new TextEncoder().encode('xxviewxx').subarray(2, 6))).to.equal(true);
      expect(socket.bufferedAmount).to.equal(7 + 5 + 7 + 4);
      socket.halfclose();
      expect((await got).toString()).to.equal('héllo blob buffer view');
      await waitFor(() => socket.bufferedAmount === 0, 'bufferedAmount back to 0');
    });

    it('halfclose(): halfclosed at once, the peer sees EOF, and data still flows back until the peer closes', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      const atClient = collect(socket);
      const events = count(socket, 'close', 'error', 'halfclose');
      const atPeer = readAll(peer);
      socket.send('request');
      socket.halfclose();
      expect(socket.readyState).to.equal('halfclosed');
      expect(() => socket.send('more'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
      expect((await atPeer).toString()).to.equal('request');
      peer.write('answer after your FIN');
      await waitFor(() => atClient.text() === 'answer after your FIN', 'the answer');
      expect(socket.readyState).to.equal('halfclosed');
      const closed = once(socket, 'close');
      peer.end();
      await closed;
      expect(socket.readyState).to.equal('closed');
      expect(events.error).to.equal(0);
    });

    it('halfclose() while connecting finishes connecting, then sends FIN', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const socket = new t.w3c.TCPSocket('127.0.0.1', port);
      socket.halfclose();
      expect(socket.readyState).to.equal('halfclosed');
      await once(socket, 'open');
      expect(socket.readyState).to.equal('halfclosed');
      const peer = await accepted;
      expect((await readAll(peer)).length).to.equal(0);
      peer.end('bye');
      const closed = once(socket, 'close');
      const atClient = collect(socket);
      await closed;
      expect(atClient.text()).to.equal('bye');
    });

    it('fires halfclose when the peer sends FIN; the socket still sends, then closes', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup, () => {}, { allowHalfOpen: true });
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      const halfclosed = once(socket, 'halfclose');
      peer.end('last words');
      const atClient = collect(socket);
      await halfclosed;
      expect(atClient.text()).to.equal('last words');
      expect(socket.readyState).to.equal('open');
      const atPeer = readAll(peer);
      expect(socket.send('still here')).to.equal(true);
      const closed = once(socket, 'close');
      socket.close();
      expect(socket.readyState).to.equal('closing');
      expect((await atPeer).toString()).to.equal('still here');
      await closed;
      expect(socket.readyState).to.equal('closed');
    });

    it(`send() returns false past ${W3C_SEND_THRESHOLD} bytes, then one drain with bufferedAmount 0; it re-arms`, async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      let received = 0;
      peer.on('data', (d: Buffer) => (received += d.length));
      const events = count(socket, 'drain');
      for (let round = 1; round <= 2; round++) {
        expect(socket.send(bytes(W3C_SEND_THRESHOLD).buffer as ArrayBuffer)).to.equal(true);
        expect(socket.send(bytes(3).buffer as ArrayBuffer)).to.equal(false);
        const drain = await once(socket, 'drain');
        expect(drain.type).to.equal('drain');
        expect(socket.bufferedAmount).to.equal(0);
        expect(events.drain).to.equal(round);
      }
      await waitFor(() => received === 2 * (W3C_SEND_THRESHOLD + 3), 'every byte at the peer');
    });

    it(`a send that would buffer more than ${W3C_MAX_BUFFERED} bytes fails the socket: NetworkError (send_buffer_full), then close`, async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      // The peer never reads, and every send below is counted before the host answers any.
      peer.pause();
      const order: string[] = [];
      let error: any;
      socket.onerror = (e: any) => {
        order.push('error');
        error = e.error;
      };
      socket.onclose = () => order.push('close');
      const MiB = new Uint8Array(1024 * 1024);
      let sent = 0;
      while (sent + MiB.length <= W3C_MAX_BUFFERED) {
        expect(socket.send(MiB)).to.equal(false);
        sent += MiB.length;
      }
      expect(socket.bufferedAmount).to.be.at.most(W3C_MAX_BUFFERED);
      expect(socket.send(MiB)).to.equal(false);
      expect(socket.readyState).to.equal('closing');
      expect(() => socket.send('x'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
      await waitFor(() => order.length === 2, 'error and close');
      expect(order).to.deep.equal(['error', 'close']);
      expect(error.name).to.equal('NetworkError');
      expect(error.type).to.equal('send_buffer_full');
    });

    it('a refused connection fires error (NetworkError, tcp_connection_not_accepted) and no close', async () => {
      const t = await openTestHost(cleanup);
      const { port, server } = await tcpServer(cleanup);
      await new Promise((resolve) => server.close(resolve));
      const socket = new t.w3c.TCPSocket('127.0.0.1', port);
      const events = count(socket, 'open', 'close');
      const { error } = await once(socket, 'error');
      expect(error).to.be.instanceOf(DOMException);
      expect(error.name).to.equal('NetworkError');
      expect(error.type).to.equal('tcp_connection_not_accepted');
      expect(socket.readyState).to.equal('closed');
      await roundTrip(t);
      expect(events).to.deep.equal({ open: 0, close: 0 });
    });

    it('a lost connection fires error (tcp_connection_lost), then close', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      const order: string[] = [];
      let type = '';
      socket.onerror = (e: any) => {
        order.push('error');
        type = e.error.type;
      };
      socket.onclose = () => order.push('close');
      peer.resetAndDestroy();
      await waitFor(() => order.includes('close'), 'close');
      expect(order).to.deep.equal(['error', 'close']);
      expect(type).to.equal('tcp_connection_lost');
    });

    it('throws InvalidAccessError for a host name or port 0, InvalidStateError for send before open', async () => {
      const t = await openTestHost(cleanup);
      expect(() => new t.w3c.TCPSocket('localhost', 80))
        .to.throw(DOMException)
        .with.property('name', 'InvalidAccessError');
      expect(() => new t.w3c.TCPSocket('127.0.0.1', 0))
        .to.throw(DOMException)
        .with.property('name', 'InvalidAccessError');
      const { port } = await tcpServer(cleanup);
      const socket = new t.w3c.TCPSocket('127.0.0.1', port);
      expect(() => socket.send('early'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
      await once(socket, 'open');
      socket.close();
      await once(socket, 'close');
      expect(() => socket.send('late'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
    });

    it('suspend() holds incoming data; resume() lets it flow', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const socket = await connected(t, port);
      const peer = await accepted;
      const atClient = collect(socket);
      socket.suspend();
      await roundTrip(t);
      await peerWrite(peer, 'held');
      await quiet(() => roundTrip(t));
      expect(atClient.events).to.deep.equal([]);
      socket.resume();
      await waitFor(() => atClient.text() === 'held', 'data after resume');
    });

    describe('useSecureTransport', () => {
      const certs = useTestCertificates();

      it('connects with TLS from the start to a TLS server', async () => {
        const t = await openTestHost(cleanup, { tls: { ca: certs().ca } });
        const port = await tlsServer(cleanup, certs(), (s) => {
          s.on('error', () => {});
          s.on('data', (d) => s.write(`echo:${d.toString()}`));
        });
        const socket = new t.w3c.TCPSocket('127.0.0.1', port, { useSecureTransport: true });
        await once(socket, 'open');
        const atClient = collect(socket);
        socket.send('secret');
        await waitFor(() => atClient.text() === 'echo:secret', 'the echo over TLS');
        socket.close();
        await once(socket, 'close');
      });
    });
  });

  describe('TCPServerSocket', () => {
    async function listening(t: TestHost): Promise<W3CTCPServerSocket> {
      const server = new t.w3c.TCPServerSocket({ localAddress: '127.0.0.1' });
      cleanup.add(() => server.close());
      expect(server.readyState).to.equal('opening');
      await once(server, 'open');
      return server;
    }

    it('hands over an open connectedSocket with its addresses, and both ways work', async () => {
      const t = await openTestHost(cleanup);
      const server = await listening(t);
      expect(server.readyState).to.equal('open');
      expect(server.localAddress).to.equal('127.0.0.1');
      expect(server.localPort).to.be.above(0);
      const connect = once(server, 'connect');
      const client = await connected(t, server.localPort!);
      const { connectedSocket: peer } = (await connect) as { connectedSocket: W3CTCPSocket };
      expect(peer.readyState).to.equal('open');
      expect(peer.bufferedAmount).to.equal(0);
      expect(peer.remoteAddress).to.equal('127.0.0.1');
      expect(peer.remotePort).to.equal(client.localPort);
      expect(peer.localPort).to.equal(server.localPort);
      const atPeer = collect(peer);
      const atClient = collect(client);
      client.send('ping');
      await waitFor(() => atPeer.text() === 'ping', 'ping at the server');
      peer.send('pong');
      await waitFor(() => atClient.text() === 'pong', 'pong at the client');
    });

    it('handlers set inside onconnect see every byte the client sent at once', async () => {
      const t = await openTestHost(cleanup);
      const server = await listening(t);
      const seen: string[] = [];
      server.onconnect = (e: any) => {
        e.connectedSocket.onmessage = (m: any) => seen.push(Buffer.from(m.data as ArrayBuffer).toString());
      };
      const client = net.connect(server.localPort!, '127.0.0.1');
      client.on('error', () => {});
      cleanup.add(() => client.destroy());
      client.write('first bytes');
      await waitFor(() => seen.join('') === 'first bytes', 'the first bytes');
    });

    it('suspend() holds new connections until resume(); close() keeps established ones', async () => {
      const t = await openTestHost(cleanup);
      const server = await listening(t);
      const connects: W3CTCPSocket[] = [];
      server.onconnect = (e: any) => connects.push(e.connectedSocket);
      const first = await connected(t, server.localPort!);
      await waitFor(() => connects.length === 1, 'the first connect');
      server.suspend();
      await roundTrip(t);
      const second = new t.w3c.TCPSocket('127.0.0.1', server.localPort!);
      await once(second, 'open');
      await roundTrip(t);
      expect(connects.length).to.equal(1);
      server.resume();
      await waitFor(() => connects.length === 2, 'the held connection after resume');
      server.close();
      expect(server.readyState).to.equal('closed');
      const atPeer = collect(connects[0]);
      first.send('still works');
      await waitFor(() => atPeer.text() === 'still works', 'data on an established connection');
      const refused = new t.w3c.TCPSocket('127.0.0.1', server.localPort!);
      const { error } = await once(refused, 'error');
      expect(error.type).to.equal('tcp_connection_not_accepted');
    });

    it('a port in use fires error (local_address_port_already_in_use) and closes', async () => {
      const t = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup);
      const server = new t.w3c.TCPServerSocket({ localAddress: '127.0.0.1', localPort: port });
      const { error } = await once(server, 'error');
      expect(error.name).to.equal('NetworkError');
      expect(error.type).to.equal('local_address_port_already_in_use');
      expect(server.readyState).to.equal('closed');
    });
  });

  describe('UDPSocket', () => {
    async function nodePeer(): Promise<{ socket: dgram.Socket; port: number; next(): Promise<[Buffer, dgram.RemoteInfo]> }> {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      cleanup.add(() => new Promise((resolve) => socket.close(() => resolve(undefined))));
      return {
        socket,
        port: socket.address().port,
        next: () => new Promise((resolve) => socket.once('message', (m, r) => resolve([m, r]))),
      };
    }

    async function opened(t: TestHost, options: ConstructorParameters<TestHost['w3c']['UDPSocket']>[0]): Promise<W3CUDPSocket> {
      const socket = new t.w3c.UDPSocket(options);
      cleanup.add(() => socket.close());
      expect(socket.readyState).to.equal('opening');
      await once(socket, 'open');
      return socket;
    }

    it('sends to the default destination, to an explicit one, and receives with the source address', async () => {
      const t = await openTestHost(cleanup);
      const a = await nodePeer();
      const b = await nodePeer();
      const socket = await opened(t, { localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: a.port });
      expect(socket.readyState).to.equal('open');
      expect(socket.remoteAddress).to.equal('127.0.0.1');
      expect(socket.remotePort).to.equal(a.port);
      expect(socket.localPort).to.be.above(0);
      expect(socket.addressReuse).to.equal(true);
      expect(socket.loopback).to.equal(false);
      const atA = a.next();
      expect(socket.send('to the default ✓')).to.equal(true);
      const [m1, r1] = await atA;
      expect(m1.toString()).to.equal('to the default ✓');
      expect(r1.port).to.equal(socket.localPort);
      const atB = b.next();
      socket.send(new Uint8Array([1, 2, 3]), '127.0.0.1', b.port);
      expect([...(await atB)[0]]).to.deep.equal([1, 2, 3]);
      const message = once(socket, 'message');
      b.socket.send('reply', socket.localPort!, '127.0.0.1');
      const e = await message;
      expect(Buffer.from(e.data as ArrayBuffer).toString()).to.equal('reply');
      expect(e.remoteAddress).to.equal('127.0.0.1');
      expect(e.remotePort).to.equal(b.port);
      await waitFor(() => socket.bufferedAmount === 0, 'bufferedAmount back to 0');
    });

    it('throws InvalidAccessError without a destination or for a bad address, InvalidStateError while opening and after close', async () => {
      const t = await openTestHost(cleanup);
      expect(() => new t.w3c.UDPSocket({ localAddress: 'localhost' }))
        .to.throw(DOMException)
        .with.property('name', 'InvalidAccessError');
      const socket = new t.w3c.UDPSocket({ localAddress: '127.0.0.1' });
      expect(() => socket.send('early', '127.0.0.1', 9))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
      await once(socket, 'open');
      expect(() => socket.send('nowhere'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidAccessError');
      // The size counts at once: a Blob past the bound is refused before it is read.
      const huge = new Blob([new Uint8Array(W3C_MAX_BUFFERED + 1)]);
      expect(() => socket.send(huge, '127.0.0.1', 9))
        .to.throw(DOMException)
        .with.property('name', 'InvalidAccessError');
      expect(socket.bufferedAmount).to.equal(0);
      socket.close();
      expect(socket.readyState).to.equal('closed');
      expect(() => socket.send('late', '127.0.0.1', 9))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
      expect(() => socket.joinMulticast('239.1.2.3'))
        .to.throw(DOMException)
        .with.property('name', 'InvalidStateError');
    });

    it('addressReuse (default true) lets two sockets share a port; false makes the second fail with local_address_port_already_in_use', async () => {
      const t = await openTestHost(cleanup);
      const first = await opened(t, { localAddress: '127.0.0.1' });
      const second = await opened(t, { localAddress: '127.0.0.1', localPort: first.localPort! });
      expect(second.localPort).to.equal(first.localPort);
      const exclusive = await opened(t, { localAddress: '127.0.0.1', addressReuse: false });
      const refused = new t.w3c.UDPSocket({ localAddress: '127.0.0.1', localPort: exclusive.localPort!, addressReuse: false });
      const { error } = await once(refused, 'error');
      expect(error.name).to.equal('NetworkError');
      expect(error.type).to.equal('local_address_port_already_in_use');
      expect(refused.readyState).to.equal('closed');
    });

    it('suspend() holds datagrams; resume() delivers them', async () => {
      const t = await openTestHost(cleanup);
      const peer = await nodePeer();
      const socket = await opened(t, { localAddress: '127.0.0.1' });
      const got = collect(socket);
      socket.suspend();
      await roundTrip(t);
      await new Promise((resolve, reject) =>
        peer.socket.send('held', socket.localPort!, '127.0.0.1', (err) => (err ? reject(err) : resolve(undefined))),
      );
      await quiet(() => roundTrip(t));
      expect(got.events.length).to.equal(0);
      socket.resume();
      await waitFor(() => got.text() === 'held', 'the datagram after resume');
    });

    it('send() to an address the manifest does not allow fires error and keeps the socket open', async () => {
      const t = await openTestHost(cleanup, { sockets: { udp: { bind: '*', send: '127.0.0.1:7' } } });
      const socket = await opened(t, { localAddress: '127.0.0.1' });
      expect(socket.send('no', '127.0.0.1', 8)).to.equal(true);
      const { error } = await once(socket, 'error');
      expect(error.name).to.equal('NetworkError');
      expect(error.type).to.equal('udp_error');
      expect(socket.readyState).to.equal('open');
    });

    describe('multicast', () => {
      const GROUP = '237.132.100.18';
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

      it('joinMulticast while opening is replayed; with loopback the group delivers to the socket itself', async function () {
        if (!route) this.skip(); // no route for 224.0.0.0/4 here: `ip route add 224.0.0.0/4 dev lo`
        const t = await openTestHost(cleanup);
        const socket = new t.w3c.UDPSocket({ localAddress: '0.0.0.0', loopback: true });
        cleanup.add(() => socket.close());
        socket.joinMulticast(GROUP);
        const errors = count(socket, 'error');
        await once(socket, 'open');
        const message = once(socket, 'message');
        socket.send('to the group', GROUP, socket.localPort);
        expect(Buffer.from((await message).data as ArrayBuffer).toString()).to.equal('to the group');
        socket.leaveMulticastGroup(GROUP);
        await roundTrip(t);
        expect(errors.error).to.equal(0);
      });

      it('joining a unicast address fires error', async function () {
        if (!route) this.skip();
        const t = await openTestHost(cleanup);
        const socket = await opened(t, { localAddress: '0.0.0.0' });
        socket.joinMulticast('127.0.0.1');
        const { error } = await once(socket, 'error');
        expect(error.name).to.equal('NetworkError');
      });
    });
  });

  it('leaves no socket behind when the test host closes', async () => {
    const t = await createTestHost({ log: () => {} });
    const { port } = await tcpServer(cleanup);
    const socket = new t.w3c.TCPSocket('127.0.0.1', port);
    await once(socket, 'open');
    const udp = new t.w3c.UDPSocket({ localAddress: '127.0.0.1' });
    await once(udp, 'open');
    await t.close();
    expect(hostInternals(t.host).registries.raw.size).to.equal(0);
  });
});
