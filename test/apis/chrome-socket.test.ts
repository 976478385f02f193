/**
 * Legacy chrome.socket (Chrome Apps before Chrome 33; Chromium's socket.idl and socket_api.cc)
 * through the test host, against local servers: pull reads, Chrome's result codes and lastError
 * texts, TCP client and server, UDP, STARTTLS through secure().
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { MAX_QUEUED_DATAGRAMS } from '../../main/raw/raw-udp';
import { createTestHost, type TestHost } from '../../testing';
import { startTlsPeer, useTestCertificates } from '../support/tls-peers';
import { nextConnection, peerWrite, quiet, readAll, tcpServer, useCleanup, waitFor, type Cleanup } from './helpers';

async function openTestHost(cleanup: Cleanup, options: Parameters<typeof createTestHost>[0] = {}): Promise<TestHost> {
  const t = await createTestHost({ log: () => {}, ...options });
  cleanup.add(() => t.close());
  return t;
}

/** Calls `chrome.socket[method](...args, callback)` and resolves with the callback's arguments and lastError. */
function call(t: TestHost, method: string, ...args: unknown[]): Promise<{ value: any; error?: string }> {
  return new Promise((resolve) => {
    (t.chrome.socket as unknown as Record<string, (...a: unknown[]) => void>)[method](...args, (value: unknown) => {
      resolve({ value, error: t.chrome.runtime.lastError?.message });
    });
  });
}

async function value(t: TestHost, method: string, ...args: unknown[]): Promise<any> {
  const { value: v, error } = await call(t, method, ...args);
  expect(error, `${method} lastError`).to.equal(undefined);
  return v;
}

const text = (data: ArrayBuffer): string => Buffer.from(data).toString();
const buf = (s: string): ArrayBuffer => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('chrome.socket (legacy)', () => {
  const cleanup = useCleanup();

  describe('TCP client', () => {
    it('create → connect → write → read (pull, at most bufferSize) → getInfo → disconnect → destroy', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const { socketId } = await value(t, 'create', 'tcp', {});
      expect(socketId).to.be.a('number');
      expect(await value(t, 'getInfo', socketId)).to.deep.equal({ socketType: 'tcp', connected: false });
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(0);
      const peer = await accepted;
      const info = await value(t, 'getInfo', socketId);
      expect(info).to.include({ socketType: 'tcp', connected: true, peerAddress: '127.0.0.1', peerPort: port, localAddress: '127.0.0.1' });
      expect(info.localPort).to.equal(peer.remotePort);
      const atPeer = new Promise<string>((resolve) => peer.once('data', (d) => resolve(d.toString())));
      expect(await value(t, 'write', socketId, buf('hello'))).to.deep.equal({ bytesWritten: 5 });
      expect(await atPeer).to.equal('hello');
      peer.write('0123456789');
      const first = await value(t, 'read', socketId, 4);
      expect(first.resultCode).to.equal(4);
      expect(text(first.data)).to.equal('0123');
      const rest = await value(t, 'read', socketId);
      expect(text(rest.data)).to.equal('456789');
      expect(rest.resultCode).to.equal(6);
      t.chrome.socket.disconnect(socketId);
      expect(await value(t, 'getInfo', socketId)).to.deep.equal({ socketType: 'tcp', connected: false });
      const afterDisconnect = await value(t, 'read', socketId);
      expect(afterDisconnect.resultCode).to.equal(-15);
      t.chrome.socket.destroy(socketId);
      const gone = await call(t, 'getInfo', socketId);
      expect(gone.error).to.equal('Socket not found');
    });

    it('reads nothing until asked: a peer flooding a socket nobody reads is held by TCP', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const { socketId } = await value(t, 'create', 'tcp');
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(0);
      const peer = await accepted;
      const rawBytes = (): number => t.host.inspect().sockets.find((s) => s.kind === 'raw' && s.peerPort === port)?.bytesReceived ?? -1;
      // A first 64 KiB surely in our socket's queue, then 8 MiB more: nothing reads on our side, so
      // the host has read nothing after two round trips, and TCP holds most of it in the peer.
      await peerWrite(peer, Buffer.alloc(64 * 1024, 7));
      peer.write(Buffer.alloc(8 * 1024 * 1024, 7));
      await quiet(() => call(t, 'getInfo', socketId));
      expect(rawBytes()).to.equal(0);
      expect(peer.writableLength).to.be.above(0);
      const read = await value(t, 'read', socketId, 1000);
      expect(read.resultCode).to.equal(1000);
      expect(Buffer.from(read.data as ArrayBuffer).every((b) => b === 7)).to.equal(true);
    });

    it('answers a second read while one is pending with -1 (ERR_IO_PENDING); a read at EOF gives 0, then -15', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const { socketId } = await value(t, 'create', 'tcp');
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(0);
      const peer = await accepted;
      const pending = value(t, 'read', socketId, 100);
      const second = await value(t, 'read', socketId, 100);
      expect(second.resultCode).to.equal(-1);
      peer.end('bye');
      const first = await pending;
      expect(text(first.data)).to.equal('bye');
      expect((await value(t, 'read', socketId)).resultCode).to.equal(0);
      expect((await value(t, 'getInfo', socketId)).connected).to.equal(false);
      expect((await value(t, 'read', socketId)).resultCode).to.equal(-15);
    });

    it("gives Chrome's results: refused -102, connect twice -23, bind on TCP, bad port, unknown id, no permission", async () => {
      const t = await openTestHost(cleanup, { sockets: { tcp: { connect: '127.0.0.1:*' }, udp: { bind: '*', send: '*' } } });
      const { port } = await tcpServer(cleanup);
      const { socketId } = await value(t, 'create', 'tcp');
      const closedPort = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (probe.address() as net.AddressInfo).port;
          probe.close(() => resolve(p));
        });
      });
      expect(await value(t, 'connect', socketId, '127.0.0.1', closedPort)).to.equal(-102);
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(0);
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(-23);
      expect(await call(t, 'bind', socketId, '127.0.0.1', 0)).to.deep.equal({
        value: -1,
        error: 'TCP socket does not support bind. For TCP server please use listen.',
      });
      expect((await call(t, 'connect', socketId, '127.0.0.1', 70000)).error).to.equal('Port must be a value between 0 and 65535.');
      expect(await call(t, 'connect', 9999, '127.0.0.1', port)).to.deep.equal({ value: -1, error: 'Socket not found' });
      const other = (await value(t, 'create', 'tcp')).socketId;
      expect(await call(t, 'connect', other, '10.1.2.3', 80)).to.deep.equal({ value: -1, error: 'App does not have permission' });
      expect(await call(t, 'listen', socketId, '127.0.0.1', 0)).to.deep.equal({
        value: -11,
        error: 'Cannot call both connect and listen on the same socket.',
      });
      expect(() => t.chrome.socket.create('sctp' as never, {}, () => {})).to.throw(TypeError, /socket.create/);
    });

    it('sets keep-alive and no-delay on a connected socket (true) and not on an unconnected one (false)', async () => {
      const t = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup);
      const { socketId } = await value(t, 'create', 'tcp');
      expect(await value(t, 'setNoDelay', socketId, true)).to.equal(false);
      expect(await value(t, 'connect', socketId, '127.0.0.1', port)).to.equal(0);
      expect(await value(t, 'setNoDelay', socketId, true)).to.equal(true);
      expect(await value(t, 'setKeepAlive', socketId, true, 5)).to.equal(true);
    });

    describe('#secure', () => {
      const certs = useTestCertificates();

      it('STARTTLS: plaintext, secure() → 0, then TLS on the same id', async () => {
        const t = await openTestHost(cleanup, { tls: { ca: certs().ca } });
        const seen: string[] = [];
        const { port } = await tcpServer(cleanup, startTlsPeer(certs(), seen, '250 ok'));
        const { socketId } = await value(t, 'create', 'tcp');
        expect(await value(t, 'connect', socketId, 'localhost', port)).to.equal(0);
        expect(await value(t, 'write', socketId, buf('STARTTLS'))).to.deep.equal({ bytesWritten: 8 });
        await waitFor(() => seen.length === 1, 'the plaintext command');
        expect(await value(t, 'secure', socketId, {})).to.equal(0);
        expect((await value(t, 'write', socketId, buf('EHLO'))).bytesWritten).to.equal(4);
        const answer = await value(t, 'read', socketId, 100);
        expect(text(answer.data)).to.equal('250 ok');
        expect(seen).to.deep.equal(['plain:STARTTLS', 'tls:EHLO']);
        const udp = (await value(t, 'create', 'udp')).socketId;
        expect(await call(t, 'secure', udp)).to.deep.equal({ value: -1, error: 'Only TCP sockets are supported for TLS.' });
      });
    });
  });

  describe('TCP server', () => {
    it('listen → accept (one at a time, -2 for a second) → the accepted socket reads and writes', async () => {
      const t = await openTestHost(cleanup);
      const { socketId: serverId } = await value(t, 'create', 'tcp');
      expect(await value(t, 'listen', serverId, '127.0.0.1', 0, 5)).to.equal(0);
      const { localPort } = await value(t, 'getInfo', serverId);
      expect(localPort).to.be.above(0);
      const accepting = value(t, 'accept', serverId);
      expect(await value(t, 'accept', serverId)).to.deep.equal({ resultCode: -2 });
      const peer = net.connect(localPort, '127.0.0.1');
      peer.on('error', () => {});
      cleanup.add(() => peer.destroy());
      const accepted = await accepting;
      expect(accepted.resultCode).to.equal(0);
      const clientId = accepted.socketId as number;
      expect(clientId).to.not.equal(serverId);
      const info = await value(t, 'getInfo', clientId);
      expect(info).to.include({ socketType: 'tcp', connected: true, peerAddress: '127.0.0.1', localPort });
      peer.write('from the peer');
      expect(text((await value(t, 'read', clientId, 100)).data)).to.equal('from the peer');
      const atPeer = readAll(peer);
      await value(t, 'write', clientId, buf('to the peer'));
      t.chrome.socket.destroy(clientId);
      expect((await atPeer).toString()).to.equal('to the peer');
      // A connection made before accept() waits for it.
      const later = net.connect(localPort, '127.0.0.1');
      later.on('error', () => {});
      cleanup.add(() => later.destroy());
      await new Promise((resolve) => later.once('connect', resolve));
      const next = await value(t, 'accept', serverId);
      expect(next.resultCode).to.equal(0);
    });

    it('a port in use gives its net error with "Could not listen on the specified port."', async () => {
      const t = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup);
      const { socketId } = await value(t, 'create', 'tcp');
      expect(await call(t, 'listen', socketId, '127.0.0.1', port)).to.deep.equal({
        value: -147,
        error: 'Could not listen on the specified port.',
      });
    });
  });

  describe('UDP', () => {
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

    it('bind → sendTo → recvFrom with the source; a datagram over bufferSize gives -142', async () => {
      const t = await openTestHost(cleanup);
      const peer = await nodePeer();
      const { socketId } = await value(t, 'create', 'udp');
      expect(await value(t, 'bind', socketId, '127.0.0.1', 0)).to.equal(0);
      const { localPort } = await value(t, 'getInfo', socketId);
      const atPeer = peer.next();
      expect(await value(t, 'sendTo', socketId, buf('ping'), '127.0.0.1', peer.port)).to.deep.equal({ bytesWritten: 4 });
      const [m, r] = await atPeer;
      expect(m.toString()).to.equal('ping');
      expect(r.port).to.equal(localPort);
      peer.socket.send('pong', localPort, '127.0.0.1');
      const got = await value(t, 'recvFrom', socketId, 100);
      expect(got).to.include({ resultCode: 4, address: '127.0.0.1', port: peer.port });
      expect(text(got.data)).to.equal('pong');
      peer.socket.send('a longer datagram', localPort, '127.0.0.1');
      expect((await value(t, 'recvFrom', socketId, 4)).resultCode).to.equal(-142);
      expect(await call(t, 'recvFrom', (await value(t, 'create', 'tcp')).socketId)).to.deep.include({ error: 'Socket not found' });
    });

    it('sendTo on a socket never bound binds an ephemeral port first; connect gives read/write to a default peer', async () => {
      const t = await openTestHost(cleanup);
      const peer = await nodePeer();
      const { socketId } = await value(t, 'create', 'udp');
      const atPeer = peer.next();
      expect(await value(t, 'sendTo', socketId, buf('first'), '127.0.0.1', peer.port)).to.deep.equal({ bytesWritten: 5 });
      expect((await atPeer)[0].toString()).to.equal('first');
      const connected = (await value(t, 'create', 'udp')).socketId;
      expect(await value(t, 'connect', connected, '127.0.0.1', peer.port)).to.equal(0);
      const info = await value(t, 'getInfo', connected);
      expect(info).to.include({ socketType: 'udp', connected: true, peerAddress: '127.0.0.1', peerPort: peer.port });
      const next = peer.next();
      expect(await value(t, 'write', connected, buf('via write'))).to.deep.equal({ bytesWritten: 9 });
      const [, from] = await next;
      peer.socket.send('reply', from.port, '127.0.0.1');
      expect(text((await value(t, 'read', connected, 100)).data)).to.equal('reply');
    });

    it(`holds at most ${MAX_QUEUED_DATAGRAMS} datagrams the page has not asked for: the oldest are dropped, counted and logged`, async () => {
      const logged: string[] = [];
      const t = await openTestHost(cleanup, { log: (line: string) => logged.push(line) });
      const peer = await nodePeer();
      const { socketId } = await value(t, 'create', 'udp');
      expect(await value(t, 'bind', socketId, '127.0.0.1', 0)).to.equal(0);
      const { localPort } = await value(t, 'getInfo', socketId);
      const snapshot = () => t.host.inspect().sockets.find((s) => s.kind === 'raw' && s.localPort === localPort)!;
      const total = MAX_QUEUED_DATAGRAMS + 100;
      // In batches the kernel's receive buffer can hold; nobody calls recvFrom meanwhile.
      for (let sent = 0; sent < total; ) {
        const batch = Math.min(100, total - sent);
        for (let i = 0; i < batch; i++) peer.socket.send(String(sent + i), localPort, '127.0.0.1');
        sent += batch;
        await waitFor(() => (snapshot().messagesReceived ?? 0) >= sent, `${sent} datagrams at the host`);
      }
      expect(snapshot().queued).to.equal(MAX_QUEUED_DATAGRAMS);
      expect(snapshot().dropped).to.equal(100);
      expect(logged.some((line) => line.includes(`${MAX_QUEUED_DATAGRAMS} datagrams wait for the page; dropped the oldest`))).to.equal(
        true,
      );
      const first = await value(t, 'recvFrom', socketId, 100);
      expect(text(first.data)).to.equal('100');
    });

    it('multicast calls: TCP sockets refused, TTL and loopback set, groups listed, unbound -15', async () => {
      const t = await openTestHost(cleanup);
      const tcp = (await value(t, 'create', 'tcp')).socketId;
      expect(await call(t, 'joinGroup', tcp, '239.1.2.3')).to.deep.equal({ value: -1, error: 'Only UDP socket supports multicast.' });
      const { socketId } = await value(t, 'create', 'udp');
      expect((await call(t, 'joinGroup', socketId, '239.1.2.3')).value).to.equal(-15);
      expect(await value(t, 'setMulticastTimeToLive', socketId, 0)).to.equal(0);
      expect(await value(t, 'setMulticastLoopbackMode', socketId, true)).to.equal(0);
      expect(await value(t, 'bind', socketId, '0.0.0.0', 0)).to.equal(0);
      expect(await value(t, 'getJoinedGroups', socketId)).to.deep.equal([]);
      const joined = await call(t, 'joinGroup', socketId, '239.1.2.3');
      if (joined.error === undefined) {
        expect(joined.value).to.equal(0);
        expect(await value(t, 'getJoinedGroups', socketId)).to.deep.equal(['239.1.2.3']);
        expect(await value(t, 'leaveGroup', socketId, '239.1.2.3')).to.equal(0);
        expect(await value(t, 'getJoinedGroups', socketId)).to.deep.equal([]);
      } else {
        // No multicast route on this machine: the join fails with a net error and lists nothing.
        expect(joined.value).to.be.below(0);
        expect(await value(t, 'getJoinedGroups', socketId)).to.deep.equal([]);
      }
    });
  });

  it('getNetworkList lists interfaces with name, address and prefixLength', async () => {
    const t = await openTestHost(cleanup);
    const list = await value(t, 'getNetworkList');
    expect(list).to.be.an('array');
    for (const entry of list) expect(entry).to.have.keys('name', 'address', 'prefixLength');
  });
});
