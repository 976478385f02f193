/**
 * Spec §1.1, §1.2, §3.8, §4.1, §4.3 and §4.5: ids, SocketInfo contents, update, disconnect and
 * reconnect, close, connecting by name, and what closing the host leaves behind.
 */
import { expect } from 'chai';
import {
  answer,
  closedPort,
  connectedSocket,
  createSocket,
  EventLog,
  getInfo,
  mockLookup,
  ok,
  openHost,
  sendBytes,
  bytes,
  startEchoServer,
  startTcpServer,
  useCleanup,
  waitUntil,
} from './helpers';

describe('chrome.sockets.tcp', function () {
  this.timeout(5000);
  const cleanup = useCleanup();

  describe('socket ids (spec §1.1)', () => {
    it('start at 1, only increase, and are never reused after close', async () => {
      const t = await openHost(cleanup);
      const first = await createSocket(t);
      const second = await createSocket(t);
      expect([first, second]).to.deep.equal([1, 2]);
      await ok(t, (cb) => t.tcp.close(first, cb));
      await ok(t, (cb) => t.tcp.close(second, cb));
      expect(await createSocket(t)).to.equal(3);
    });
  });

  describe('#getInfo', () => {
    it('reports exactly socketId, persistent, paused and connected for a new socket', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      expect(await getInfo(t, id)).to.deep.equal({ socketId: id, persistent: false, paused: false, connected: false });
    });

    it('does not report name "" or bufferSize 0', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t, { name: '', bufferSize: 0 });
      expect(await getInfo(t, id)).to.deep.equal({ socketId: id, persistent: false, paused: false, connected: false });
    });

    it('reports IP strings and ports of both ends while connected', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      expect(await getInfo(t, id)).to.deep.equal({
        socketId: id,
        persistent: false,
        paused: false,
        connected: true,
        localAddress: '127.0.0.1',
        localPort: peer.remotePort,
        peerAddress: '127.0.0.1',
        peerPort: server.port,
      });
    });

    it('writes IPv6 addresses without brackets', async () => {
      const server = await startEchoServer(cleanup, '::1');
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port, { address: '::1' });
      const info = await getInfo(t, id);
      expect(info.peerAddress).to.equal('::1');
      expect(info.localAddress).to.equal('::1');
      expect(info.peerPort).to.equal(server.port);
    });
  });

  describe('#getSockets', () => {
    it('reports each socket exactly as getInfo does', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const a = await connectedSocket(t, server.port, { properties: { name: 'a', bufferSize: 512 } });
      const b = await createSocket(t, { persistent: true });
      const all = await ok<Array<{ socketId: number }>>(t, (cb) => t.tcp.getSockets(cb));
      const byId = new Map(all.map((info) => [info.socketId, info]));
      expect(byId.size).to.equal(2);
      expect(byId.get(a)).to.deep.equal(await getInfo(t, a));
      expect(byId.get(b)).to.deep.equal(await getInfo(t, b));
    });
  });

  describe('#update (spec §4.5)', () => {
    it('changes only the properties given', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t, { name: 'a', persistent: true, bufferSize: 100 });
      await ok(t, (cb) => t.tcp.update(id, { bufferSize: 200 }, cb));
      expect(await getInfo(t, id)).to.deep.equal({
        socketId: id,
        name: 'a',
        persistent: true,
        bufferSize: 200,
        paused: false,
        connected: false,
      });
      await ok(t, (cb) => t.tcp.update(id, {}, cb));
      expect(await getInfo(t, id)).to.deep.equal({
        socketId: id,
        name: 'a',
        persistent: true,
        bufferSize: 200,
        paused: false,
        connected: false,
      });
    });

    it('sets persistent back to false and clears the name with ""', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t, { name: 'a', persistent: true });
      await ok(t, (cb) => t.tcp.update(id, { name: '', persistent: false }, cb));
      expect(await getInfo(t, id)).to.deep.equal({ socketId: id, persistent: false, paused: false, connected: false });
    });

    it('works without a callback', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      t.tcp.update(id, { name: 'later' });
      expect((await getInfo(t, id)).name).to.equal('later');
    });
  });

  describe('#connect', () => {
    it('connects by host name and reports the resolved IP as peerAddress', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { lookup: mockLookup({ 'echo.test': '127.0.0.1' }) });
      const id = await connectedSocket(t, server.port, { address: 'echo.test' });
      expect((await getInfo(t, id)).peerAddress).to.equal('127.0.0.1');
    });

    it('tries every resolved address in order until one connects', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup, { lookup: mockLookup({ 'dual.test': ['::1', '127.0.0.1'] }) });
      const id = await connectedSocket(t, server.port, { address: 'dual.test' });
      expect((await getInfo(t, id)).peerAddress).to.equal('127.0.0.1');
    });

    it('honours dnsQueryType "ipv4" and "ipv6"', async () => {
      const v4 = await startEchoServer(cleanup, '127.0.0.1');
      const v6 = await startEchoServer(cleanup, '::1');
      const t = await openHost(cleanup, { lookup: mockLookup({ 'dual.test': ['::1', '127.0.0.1'] }) });
      const a = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(a, 'dual.test', v4.port, 'ipv4', cb))).to.deep.equal({
        args: [0],
        lastError: undefined,
      });
      expect((await getInfo(t, a)).peerAddress).to.equal('127.0.0.1');
      const b = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(b, 'dual.test', v6.port, 'ipv6', cb))).to.deep.equal({
        args: [0],
        lastError: undefined,
      });
      expect((await getInfo(t, b)).peerAddress).to.equal('::1');
    });

    it('reconnects a plain socket after disconnect()', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await ok(t, (cb) => t.tcp.disconnect(id, cb));
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect(await sendBytes(t, id, bytes('again'))).to.deep.equal({ resultCode: 0, bytesSent: 5 });
      expect((await log.waitForBytes(id, 5)).toString()).to.equal('again');
    });

    it('reconnects a plain socket after the peer closed it', async () => {
      const closing = await startTcpServer(cleanup, (socket) => socket.end());
      const echo = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, closing.port);
      await log.waitForError(id);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', echo.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
      expect((await getInfo(t, id)).peerPort).to.equal(echo.port);
    });

    it('can be retried after a refused connect', async () => {
      const port = await closedPort();
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      expect((await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', port, cb))).args).to.deep.equal([-102]);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('interrupted by disconnect() answers with an error instead of never (Chrome drops the callback, spec §4.1)', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      // Both calls leave in the same turn: the connect is pending when disconnect arrives.
      const pending = answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb));
      const disconnected = answer(t, (cb) => t.tcp.disconnect(id, cb));
      expect(await disconnected).to.deep.equal({ args: [], lastError: undefined });
      expect(await pending).to.deep.equal({ args: [-3], lastError: 'net::ERR_ABORTED' });
      expect((await getInfo(t, id)).connected).to.equal(false);
    });

    it('interrupted by close() answers with an error instead of never (spec §4.1)', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      const pending = answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb));
      await ok(t, (cb) => t.tcp.close(id, cb));
      expect(await pending).to.deep.equal({ args: [-3], lastError: 'net::ERR_ABORTED' });
    });
  });

  describe('#close', () => {
    it('makes the id invalid at once and closes the connection', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      const peerClosed = new Promise<void>((resolve) => peer.once('close', () => resolve()));
      await ok(t, (cb) => t.tcp.close(id, cb));
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal({ args: [], lastError: 'Socket not found' });
      expect(await answer(t, (cb) => t.tcp.getSockets(cb))).to.deep.equal({ args: [[]], lastError: undefined });
      await peerClosed;
    });
  });

  describe('closing the test host (spec §3.8, app unload)', () => {
    it('closes every socket, persistent ones too', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      await connectedSocket(t, server.port, { properties: { persistent: true } });
      await connectedSocket(t, server.port);
      await waitUntil(() => server.connections.length === 2, 'two connections');
      const closed = server.connections.map(
        (c) => new Promise<void>((resolve) => (c.destroyed ? resolve() : c.once('close', () => resolve()))),
      );
      await t.close();
      await Promise.all(closed);
      expect(t.host.inspect().sockets).to.deep.equal([]);
    });
  });
});
