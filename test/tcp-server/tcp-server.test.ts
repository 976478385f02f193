import { expect } from 'chai';
import * as net from 'node:net';
import * as sinon from 'sinon';
import { NET_ERRORS } from '../../common/net-errors';
import { AppState } from '../../main/app-state';
import { SocketsHost, hostInternals } from '../../main/host';
import { netErrorFrom } from '../../main/net-error-map';
import { MAX_QUEUED_ACCEPTS, TcpServerSocket } from '../../main/tcp-server/tcp-server-socket';
import type { ChromeSockets } from '../../preload/facade';
import { createTestHost, type TestHost } from '../../testing';
import { attachContext, call, collect, handleCounts, nextEvent, useTestHost, waitFor } from '../support/server-udp';
import { WAIT_TIMEOUT_MS } from '../support/wait';

type Info = Record<string, unknown>;

async function create(chrome: ChromeSockets, props?: Info): Promise<number> {
  const r = await call(chrome, chrome.sockets.tcpServer.create, ...(props === undefined ? [] : [props]));
  return (r.args[0] as { socketId: number }).socketId;
}

async function info(chrome: ChromeSockets, id: number): Promise<Info> {
  return (await call(chrome, chrome.sockets.tcpServer.getInfo, id)).args[0] as Info;
}

/** A server listening on 127.0.0.1:0; returns its id and port. */
async function listening(chrome: ChromeSockets): Promise<{ id: number; port: number }> {
  const id = await create(chrome);
  const r = await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', 0);
  expect(r).to.deep.equal({ args: [0] });
  return { id, port: (await info(chrome, id)).localPort as number };
}

/** Opens a raw Node client and resolves once it is connected; cleanup is the caller's `clients`. */
/** Connections the host accepted for a paused server and holds for it (its inspect() view). */
function queued(t: TestHost, id: number): number {
  return t.host.inspect().sockets.find((s) => s.kind === 'tcpServer' && s.id === id)?.queued ?? 0;
}

/** Two tcpServer.getSockets round trips: any onAccept the host had sent is delivered by then. */
async function settled(chrome: ChromeSockets): Promise<void> {
  for (let i = 0; i < 2; i++) await call(chrome, chrome.sockets.tcpServer.getSockets);
}

function connectClient(port: number, clients: net.Socket[], host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    clients.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('chrome.sockets.tcpServer', () => {
  const testHost = useTestHost();
  let clients: net.Socket[] = [];
  afterEach(() => {
    for (const c of clients) c.destroy();
    clients = [];
    sinon.restore();
  });

  describe('#create', () => {
    it('gives a socketId > 0 (CreateGood)', async () => {
      const { chrome } = testHost();
      expect(await create(chrome)).to.be.greaterThan(0);
    });

    it('counts ids per namespace: the first tcpServer and the first tcp socket are both 1', async () => {
      const { chrome } = testHost();
      expect(await create(chrome)).to.equal(1);
      const tcp = await call(chrome, chrome.sockets.tcp.create);
      expect(tcp.args[0]).to.deep.equal({ socketId: 1 });
      expect(await create(chrome)).to.equal(2);
    });

    it('rejects bufferSize, which tcpServer.SocketProperties does not have', () => {
      const { chrome } = testHost();
      expect(() => (chrome.sockets.tcpServer.create as (...a: unknown[]) => void)({ bufferSize: 10 }, () => {})).to.throw(
        TypeError,
        "Unexpected property: 'bufferSize'.",
      );
    });
  });

  describe('#getInfo', () => {
    it('describes a new server: its id, not paused, not persistent, no address, no connected field (testSocketListening)', async () => {
      const { chrome } = testHost();
      const id = await create(chrome, {});
      expect(await info(chrome, id)).to.deep.equal({ paused: false, persistent: false, socketId: id });
    });

    it('reflects create and update properties; name "" is not reported', async () => {
      const { chrome } = testHost();
      const id = await create(chrome, { name: 'srv', persistent: true });
      expect(await info(chrome, id)).to.deep.equal({ name: 'srv', paused: false, persistent: true, socketId: id });
      expect(await call(chrome, chrome.sockets.tcpServer.update, id, { name: '', persistent: false })).to.deep.equal({ args: [] });
      expect(await info(chrome, id)).to.deep.equal({ paused: false, persistent: false, socketId: id });
    });

    it('gives the listening address and port, and drops them after disconnect', async () => {
      const { chrome } = testHost();
      const { id, port } = await listening(chrome);
      expect(await info(chrome, id)).to.deep.equal({
        localAddress: '127.0.0.1',
        localPort: port,
        paused: false,
        persistent: false,
        socketId: id,
      });
      await call(chrome, chrome.sockets.tcpServer.disconnect, id);
      expect(await info(chrome, id)).to.deep.equal({ paused: false, persistent: false, socketId: id });
    });
  });

  describe('unknown ids', () => {
    for (const [method, extra] of [
      ['update', [{}]],
      ['setPaused', [true]],
      ['disconnect', []],
      ['close', []],
      ['getInfo', []],
      ['listen', ['127.0.0.1', 0]],
    ] as const) {
      it(`${method} calls back with no arguments and "Socket not found"`, async () => {
        const { chrome } = testHost();
        const r = await call(chrome, chrome.sockets.tcpServer[method], 42, ...extra);
        expect(r).to.deep.equal({ args: [], lastError: 'Socket not found' });
      });
    }

    it('does not let another app see or use a server', async () => {
      const { chrome, host } = testHost();
      const { id, port } = await listening(chrome);
      const other = attachContext(host, 'other-app');
      try {
        expect(await call(other.chrome, other.chrome.sockets.tcpServer.getInfo, id)).to.deep.equal({
          args: [],
          lastError: 'Socket not found',
        });
        expect(await call(other.chrome, other.chrome.sockets.tcpServer.disconnect, id)).to.deep.equal({
          args: [],
          lastError: 'Socket not found',
        });
        expect(await call(other.chrome, other.chrome.sockets.tcpServer.close, id)).to.deep.equal({
          args: [],
          lastError: 'Socket not found',
        });
        expect((await call(other.chrome, other.chrome.sockets.tcpServer.getSockets)).args).to.deep.equal([[]]);
        expect((await info(chrome, id)).localPort).to.equal(port);
      } finally {
        other.end();
      }
    });
  });

  describe('#listen', () => {
    it('listens on 127.0.0.1 port 0 and reports the chosen port', async () => {
      const { chrome } = testHost();
      const { port } = await listening(chrome);
      expect(port).to.be.within(1, 65535);
      await connectClient(port, clients);
    });

    it('listens on ::1 and reports it without brackets', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '::1', 0)).to.deep.equal({ args: [0] });
      const i = await info(chrome, id);
      expect(i.localAddress).to.equal('::1');
      await connectClient(i.localPort as number, clients, '::1');
    });

    it('takes an optional backlog', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', 0, 5)).to.deep.equal({ args: [0] });
    });

    it('gives "Does not have permission" with no arguments when the manifest does not allow the address', async () => {
      const t = await createTestHost({ sockets: { tcpServer: { listen: '127.0.0.1:8888' } }, log: () => {} });
      try {
        const id = await create(t.chrome);
        expect(await call(t.chrome, t.chrome.sockets.tcpServer.listen, id, '127.0.0.1', 0)).to.deep.equal({
          args: [],
          lastError: 'Does not have permission',
        });
        // The check uses the literal string: "localhost" is not 127.0.0.1 (spec §8 item 11).
        expect(await call(t.chrome, t.chrome.sockets.tcpServer.listen, id, 'localhost', 8888)).to.deep.equal({
          args: [],
          lastError: 'Does not have permission',
        });
      } finally {
        await t.close();
      }
    });

    it('gives -4 net::ERR_INVALID_ARGUMENT for a host name', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, 'localhost', 0)).to.deep.equal({
        args: [-4],
        lastError: 'net::ERR_INVALID_ARGUMENT',
      });
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, 'fe80::1%lo', 0)).to.deep.equal({
        args: [-4],
        lastError: 'net::ERR_INVALID_ARGUMENT',
      });
    });

    it("accepts Chrome's IPv4 short forms (127.1), which its URL-based parser reads as 127.0.0.1", async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.1', 0)).to.deep.equal({ args: [0] });
      expect((await info(chrome, id)).localAddress).to.equal('127.0.0.1');
    });

    it('gives -147 net::ERR_ADDRESS_IN_USE when the port is taken', async () => {
      const { chrome } = testHost();
      const { port } = await listening(chrome);
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', port)).to.deep.equal({
        args: [-147],
        lastError: 'net::ERR_ADDRESS_IN_USE',
      });
      expect(await info(chrome, id)).to.not.have.property('localPort');
    });

    it('maps EACCES (a privileged port for a non-root user) to -10 net::ERR_ACCESS_DENIED', async () => {
      expect(netErrorFrom(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), 'listen')).to.equal(NET_ERRORS.ACCESS_DENIED);
      // The same through the whole path: this suite runs as root, so the OS is stood in for.
      sinon.stub(net.Server.prototype, 'listen').callsFake(function (this: net.Server) {
        setImmediate(() =>
          this.emit(
            'error',
            Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES', syscall: 'listen' }),
          ),
        );
        return this;
      });
      const { chrome } = testHost();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', 80)).to.deep.equal({
        args: [-10],
        lastError: 'net::ERR_ACCESS_DENIED',
      });
    });

    it("wraps the port modulo 65536 like Chrome's uint16 parameter", async () => {
      const { chrome } = testHost();
      const port = await freePort();
      const id = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', port + 65536)).to.deep.equal({ args: [0] });
      expect((await info(chrome, id)).localPort).to.equal(port);
      const other = await create(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, other, '127.0.0.1', port - 65536)).to.deep.equal({
        args: [-147],
        lastError: 'net::ERR_ADDRESS_IN_USE',
      });
    });

    it('moves a listening server to the new address when called again (the old port is freed)', async () => {
      const { chrome } = testHost();
      const { id, port } = await listening(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
      const moved = (await info(chrome, id)).localPort as number;
      expect(moved).to.not.equal(port);
      const raw = net.createServer();
      await new Promise<void>((resolve, reject) => raw.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => raw.close(resolve));
    });
  });

  describe('#onAccept', () => {
    it('delivers a paused tcp socket whose data arrives once resumed, then -100 when the peer closes (testSocketListening)', async () => {
      const { chrome } = testHost();
      const accepts = collect(chrome.sockets.tcpServer.onAccept);
      const { id: serverId, port } = await listening(chrome);
      // The client is a chrome.sockets.tcp socket of the same app, as in Chromium's test.
      const clientId = ((await call(chrome, chrome.sockets.tcp.create, {})).args[0] as { socketId: number }).socketId;
      expect(await call(chrome, chrome.sockets.tcp.connect, clientId, '127.0.0.1', port)).to.deep.equal({ args: [0] });
      const request = '0100000005320000005hello';
      const sent = await call(chrome, chrome.sockets.tcp.send, clientId, new TextEncoder().encode(request));
      expect(sent).to.deep.equal({ args: [{ resultCode: 0, bytesSent: request.length }] });
      await waitFor(() => accepts.events.length === 1, WAIT_TIMEOUT_MS, 'onAccept');
      const accept = accepts.events[0] as { socketId: number; clientSocketId: number };
      expect(accept.socketId).to.equal(serverId);
      expect(accept.clientSocketId).to.be.greaterThan(0).and.not.equal(clientId);
      expect((await call(chrome, chrome.sockets.tcp.getInfo, accept.clientSocketId)).args[0]).to.include({ paused: true, connected: true });

      const received = nextEvent<{ socketId: number; data: ArrayBuffer }>(
        chrome.sockets.tcp.onReceive,
        (e) => e.socketId === accept.clientSocketId,
      );
      const closed = nextEvent<{ socketId: number; resultCode: number }>(
        chrome.sockets.tcp.onReceiveError,
        (e) => e.socketId === accept.clientSocketId,
      );
      expect(await call(chrome, chrome.sockets.tcp.setPaused, accept.clientSocketId, false)).to.deep.equal({ args: [] });
      expect(Buffer.from((await received).data).toString()).to.equal(request);
      await call(chrome, chrome.sockets.tcp.disconnect, clientId);
      expect((await closed).resultCode).to.equal(-100);
      expect((await call(chrome, chrome.sockets.tcp.getInfo, accept.clientSocketId)).args[0]).to.include({
        connected: false,
        paused: true,
      });
    });

    it("gives the accepted socket Chrome's getInfo: connected, peer address, no local address, not persistent, default buffer", async () => {
      const { chrome } = testHost();
      const accepted = nextEvent<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { port } = await listening(chrome);
      const client = await connectClient(port, clients);
      const { clientSocketId } = await accepted;
      expect((await call(chrome, chrome.sockets.tcp.getInfo, clientSocketId)).args[0]).to.deep.equal({
        connected: true,
        paused: true,
        peerAddress: '127.0.0.1',
        peerPort: client.localPort,
        persistent: false,
        socketId: clientSocketId,
      });
      const all = (await call(chrome, chrome.sockets.tcp.getSockets)).args[0] as Info[];
      expect(all.map((s) => s.socketId)).to.include(clientSocketId);
    });

    it('makes sockets that work with the tcp functions: send, setNoDelay, setKeepAlive, disconnect; no reconnect', async () => {
      const { chrome } = testHost();
      const accepted = nextEvent<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { port } = await listening(chrome);
      const client = await connectClient(port, clients);
      const { clientSocketId: id } = await accepted;
      const got = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
      expect(await call(chrome, chrome.sockets.tcp.send, id, new TextEncoder().encode('pong'))).to.deep.equal({
        args: [{ resultCode: 0, bytesSent: 4 }],
      });
      expect(await got).to.equal('pong');
      expect(await call(chrome, chrome.sockets.tcp.setNoDelay, id, true)).to.deep.equal({ args: [0] });
      expect(await call(chrome, chrome.sockets.tcp.setKeepAlive, id, true, 5)).to.deep.equal({ args: [0] });
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      client.resume();
      expect(await call(chrome, chrome.sockets.tcp.disconnect, id)).to.deep.equal({ args: [] });
      await ended;
      expect(await call(chrome, chrome.sockets.tcp.connect, id, '127.0.0.1', port)).to.deep.equal({
        args: [-104],
        lastError: 'net::ERR_CONNECTION_FAILED',
      });
    });

    it('fails secure() on an accepted socket with -2 and destroys it, as Chrome does', async () => {
      const { chrome } = testHost();
      const accepted = nextEvent<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { port } = await listening(chrome);
      await connectClient(port, clients);
      const { clientSocketId: id } = await accepted;
      expect(await call(chrome, chrome.sockets.tcp.secure, id)).to.deep.equal({ args: [-2], lastError: 'net::ERR_FAILED' });
      expect(await call(chrome, chrome.sockets.tcp.getInfo, id)).to.deep.equal({ args: [], lastError: 'Socket not found' });
    });

    it('goes to every context of the app that listens', async () => {
      const { chrome, host } = testHost();
      const other = attachContext(host, 'test-app');
      try {
        const inOther = nextEvent<{ clientSocketId: number }>(other.chrome.sockets.tcpServer.onAccept);
        const inFirst = nextEvent<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
        await call(other.chrome, other.chrome.sockets.tcpServer.getSockets);
        const { port } = await listening(chrome);
        await connectClient(port, clients);
        expect((await inOther).clientSocketId).to.equal((await inFirst).clientSocketId);
      } finally {
        other.end();
      }
    });
  });

  describe('#setPaused', () => {
    it('holds onAccept while paused and delivers the waiting connections in arrival order on resume', async () => {
      const { chrome } = testHost();
      const accepts = collect<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { id, port } = await listening(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.setPaused, id, true)).to.deep.equal({ args: [] });
      expect((await info(chrome, id)).paused).to.equal(true);
      const ports: number[] = [];
      for (let i = 0; i < 5; i++) ports.push((await connectClient(port, clients)).localPort!);
      await waitFor(() => queued(testHost(), id) === 5, WAIT_TIMEOUT_MS, 'five connections queued at the host');
      await settled(chrome);
      expect(accepts.events).to.have.length(0);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, false);
      await waitFor(() => accepts.events.length === 5, WAIT_TIMEOUT_MS, 'five accepts');
      const peers: number[] = [];
      for (const a of accepts.events)
        peers.push(((await call(chrome, chrome.sockets.tcp.getInfo, a.clientSocketId)).args[0] as Info).peerPort as number);
      expect(peers).to.deep.equal(ports);
      // ids follow delivery order
      expect(accepts.events.map((a) => a.clientSocketId)).to.deep.equal(
        [...accepts.events.map((a) => a.clientSocketId)].sort((a, b) => a - b),
      );
    });

    it('delivers every one of 1,000 connections that arrived while paused', async function () {
      this.timeout(30000);
      const { chrome } = testHost();
      const accepts = collect<{ clientSocketId: number; socketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { id, port } = await listening(chrome);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, true);
      const errors: Error[] = [];
      const connected: Array<Promise<net.Socket>> = [];
      for (let i = 0; i < 1000; i++) {
        const p = connectClient(port, clients);
        p.then(
          (s) => s.on('error', (e) => errors.push(e)),
          (e: Error) => errors.push(e),
        );
        connected.push(p);
      }
      await Promise.allSettled(connected);
      expect(errors).to.deep.equal([]);
      await waitFor(() => queued(testHost(), id) === 1000, 20000, '1000 connections queued at the host');
      await settled(chrome);
      expect(accepts.events).to.have.length(0);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, false);
      await waitFor(() => accepts.events.length >= 1000, 20000, '1000 accepts');
      await settled(chrome);
      expect(accepts.events).to.have.length(1000);
      expect(new Set(accepts.events.map((a) => a.clientSocketId)).size).to.equal(1000);
      expect(accepts.events.every((a) => a.socketId === id)).to.equal(true);
      expect(errors).to.deep.equal([]);
    });

    it('lets a server paused before listen accept into the queue and deliver on resume', async () => {
      const { chrome } = testHost();
      const accepts = collect(chrome.sockets.tcpServer.onAccept);
      const id = await create(chrome);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, true);
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', 0)).to.deep.equal({ args: [0] });
      await connectClient((await info(chrome, id)).localPort as number, clients);
      await waitFor(() => queued(testHost(), id) === 1, WAIT_TIMEOUT_MS, 'a connection queued at the host');
      await settled(chrome);
      expect(accepts.events).to.have.length(0);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, false);
      await waitFor(() => accepts.events.length === 1, WAIT_TIMEOUT_MS, 'one accept');
    });

    it('holds onAccept while the app is flow-blocked and delivers on unblock', async () => {
      const host = new SocketsHost({ log: () => {} });
      const app = new AppState('flow-app');
      const { env, registries } = hostInternals(host);
      const server = registries.tcpServer.add((id) => new TcpServerSocket(env, id, app, registries.tcp));
      const emit = sinon.spy(env, 'emit');
      try {
        expect(await server.listen({ address: '127.0.0.1', family: 4 }, 0, 16)).to.equal(0);
        app.setContextBlocked(true);
        await connectClient(server.info().localPort!, clients);
        await waitFor(() => server.snapshot().queued === 1, WAIT_TIMEOUT_MS, 'a queued connection');
        expect(emit.callCount).to.equal(0);
        app.setContextBlocked(false);
        expect(emit.callCount).to.equal(1);
        expect(emit.firstCall.args.slice(1, 3)).to.deep.equal(['tcpServer', 'onAccept']);
        expect(server.snapshot()).to.include({ queued: 0, dropped: 0, messagesReceived: 1 });
      } finally {
        await host.dispose();
        for (const s of registries.tcp.all()) s.destroy();
        server.destroy();
      }
    });

    it(`resets connections past ${MAX_QUEUED_ACCEPTS} waiting ones and counts them in the snapshot`, async function () {
      this.timeout(30000);
      const host = new SocketsHost({ log: () => {} });
      const app = new AppState('queue-app');
      const { env, registries } = hostInternals(host);
      const server = registries.tcpServer.add((id) => new TcpServerSocket(env, id, app, registries.tcp));
      try {
        server.pausedBy = 'app'; // paused before listen, as setPaused(true) leaves it
        expect(await server.listen({ address: '127.0.0.1', family: 4 }, 0, 8192)).to.equal(0);
        const port = server.info().localPort!;
        const extra = 3;
        const resets: number[] = [];
        for (let i = 0; i < MAX_QUEUED_ACCEPTS + extra; i++) {
          connectClient(port, clients).then(
            (s) => s.on('error', () => resets.push(i)),
            () => resets.push(i),
          );
        }
        await waitFor(
          () => server.snapshot().queued! + server.snapshot().dropped! === MAX_QUEUED_ACCEPTS + extra,
          20000,
          'all connections accepted',
        );
        expect(server.snapshot()).to.include({ queued: MAX_QUEUED_ACCEPTS, dropped: extra });
        for (const c of clients) c.write('x');
        await waitFor(() => resets.length === extra, WAIT_TIMEOUT_MS, 'the resets');
      } finally {
        for (const c of clients) c.destroy();
        await host.dispose();
        server.destroy();
      }
    });
  });

  describe('#disconnect', () => {
    it('stops listening and frees the port; the id stays valid and can listen again', async () => {
      const { chrome } = testHost();
      const { id, port } = await listening(chrome);
      expect(await call(chrome, chrome.sockets.tcpServer.disconnect, id)).to.deep.equal({ args: [] });
      const refused = await new Promise<string>((resolve) =>
        net
          .connect(port, '127.0.0.1')
          .once('error', (e: NodeJS.ErrnoException) => resolve(e.code!))
          .once('connect', () => resolve('connected')),
      );
      expect(refused).to.equal('ECONNREFUSED');
      expect(await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', port)).to.deep.equal({ args: [0] });
      await connectClient(port, clients);
    });

    it('keeps the paused flag', async () => {
      const { chrome } = testHost();
      const { id } = await listening(chrome);
      await call(chrome, chrome.sockets.tcpServer.setPaused, id, true);
      await call(chrome, chrome.sockets.tcpServer.disconnect, id);
      expect((await info(chrome, id)).paused).to.equal(true);
    });
  });

  describe('#close', () => {
    it('removes the id and frees the port, leaving accepted sockets open', async () => {
      const { chrome } = testHost();
      const accepted = nextEvent<{ clientSocketId: number }>(chrome.sockets.tcpServer.onAccept);
      const { id, port } = await listening(chrome);
      const client = await connectClient(port, clients);
      const { clientSocketId } = await accepted;
      expect(await call(chrome, chrome.sockets.tcpServer.close, id)).to.deep.equal({ args: [] });
      expect(await call(chrome, chrome.sockets.tcpServer.getInfo, id)).to.deep.equal({ args: [], lastError: 'Socket not found' });
      const raw = net.createServer();
      await new Promise<void>((resolve, reject) => raw.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => raw.close(resolve));
      const got = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
      await call(chrome, chrome.sockets.tcp.send, clientSocketId, new TextEncoder().encode('still here'));
      expect(await got).to.equal('still here');
    });
  });

  describe('#getSockets', () => {
    it("lists the app's servers", async () => {
      const { chrome } = testHost();
      const a = await create(chrome, { name: 'a' });
      const { id: b, port } = await listening(chrome);
      const list = (await call(chrome, chrome.sockets.tcpServer.getSockets)).args[0] as Info[];
      expect(list.sort((x, y) => (x.socketId as number) - (y.socketId as number))).to.deep.equal([
        { name: 'a', paused: false, persistent: false, socketId: a },
        { localAddress: '127.0.0.1', localPort: port, paused: false, persistent: false, socketId: b },
      ]);
    });
  });

  describe('lifecycle', () => {
    it('leaves no server, queued connection or accepted socket open after the test host closes', async () => {
      const before = handleCounts();
      const t = await createTestHost({ log: () => {} });
      const accepted = nextEvent(t.chrome.sockets.tcpServer.onAccept);
      const { id, port } = await listening(t.chrome);
      await connectClient(port, clients);
      await accepted;
      await call(t.chrome, t.chrome.sockets.tcpServer.setPaused, id, true);
      await connectClient(port, clients);
      await waitFor(
        () => t.host.inspect().sockets.some((s) => s.kind === 'tcpServer' && s.queued === 1),
        WAIT_TIMEOUT_MS,
        'a queued connection',
      );
      const closedByHost = clients.map(
        (c) =>
          new Promise<void>((resolve) =>
            c
              .once('close', () => resolve())
              .on('error', () => {})
              .resume(),
          ),
      );
      await t.close();
      await Promise.all(closedByHost);
      for (const c of clients) c.destroy();
      // Destroyed sockets give their handles back on a later turn of the event loop.
      await waitFor(
        () =>
          (handleCounts().TCPServerWrap ?? 0) <= (before.TCPServerWrap ?? 0) &&
          (handleCounts().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0),
        WAIT_TIMEOUT_MS,
        'the TCP handles to close',
      );
      const after = handleCounts();
      expect(after.TCPServerWrap ?? 0).to.equal(before.TCPServerWrap ?? 0);
      expect(after.TCPSocketWrap ?? 0).to.equal(before.TCPSocketWrap ?? 0);
    });

    it('closes non-persistent servers when the background context ends and keeps persistent ones', async () => {
      const host = new SocketsHost({ log: () => {} });
      const background = attachContext(host, 'bg-app', { background: true });
      const window = attachContext(host, 'bg-app');
      try {
        const transient = await create(background.chrome);
        const kept = await create(background.chrome, { persistent: true });
        background.end();
        const list = (await call(window.chrome, window.chrome.sockets.tcpServer.getSockets)).args[0] as Info[];
        expect(list.map((s) => s.socketId)).to.deep.equal([kept]);
        expect(transient).to.not.equal(kept);
      } finally {
        window.end();
        await host.dispose();
      }
    });
  });

  describe('bad input', () => {
    it('survives extreme ports and backlogs without touching anything else', async () => {
      const { chrome } = testHost();
      const id = await create(chrome);
      for (const [port, backlog] of [
        [-1, undefined],
        [2 ** 31 - 1, -5],
        [-(2 ** 31), 0],
        [65535 + 65536, 2 ** 31 - 1],
      ] as const) {
        const r = await call(chrome, chrome.sockets.tcpServer.listen, id, '127.0.0.1', port, ...(backlog === undefined ? [] : [backlog]));
        expect(r.args).to.have.length(1);
        expect(r.args[0] as number).to.be.at.most(0);
        await call(chrome, chrome.sockets.tcpServer.disconnect, id);
      }
      expect(() => (chrome.sockets.tcpServer.listen as (...a: unknown[]) => void)(id, '127.0.0.1', 1.5, () => {})).to.throw(
        TypeError,
        'No matching signature.',
      );
      expect((await info(chrome, id)).socketId).to.equal(id);
    });
  });
});
