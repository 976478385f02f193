/**
 * Spec §3.1–3.3 and §3.7: the TCP read loop, when onReceiveError fires and with which code,
 * the pause rules, bufferSize slicing and event ordering.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  answer,
  bytes,
  connectedSocket,
  createSocket,
  EventLog,
  getInfo,
  hostBytesRead,
  ok,
  openHost,
  peerWrite,
  sendBytes,
  settled,
  startEchoServer,
  startTcpServer,
  useCleanup,
  waitUntil,
  type Answer,
} from './helpers';

describe('chrome.sockets.tcp', function () {
  this.timeout(5000);
  const cleanup = useCleanup();

  describe('onReceiveError', () => {
    it('fires -100 when the peer closes (FIN); the socket is then paused and not connected', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.end());
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      const error = await log.waitForError(id);
      expect(error.info).to.deep.equal({ socketId: id, resultCode: -100 });
      const info = await getInfo(t, id);
      expect(info.paused).to.equal(true);
      expect(info.connected).to.equal(false);
      expect(info).to.not.have.any.keys('localAddress', 'localPort', 'peerAddress', 'peerPort');
    });

    it('fires -100, not -101, when the peer resets the connection (RST)', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      (await server.nextConnection()).resetAndDestroy();
      const error = await log.waitForError(id);
      expect(error.info).to.deep.equal({ socketId: id, resultCode: -100 });
      const info = await getInfo(t, id);
      expect(info.paused).to.equal(true);
      expect(info.connected).to.equal(false);
    });

    it('comes after all data the peer sent before closing, which arrives in order', async () => {
      const payload = randomBytes(64 * 1024);
      const server = await startTcpServer(cleanup, (socket) => {
        socket.write(payload.subarray(0, 1000));
        socket.write(payload.subarray(1000, 30000));
        socket.end(payload.subarray(30000));
      });
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await log.waitForError(id);
      expect(log.received(id).equals(payload)).to.equal(true);
      const sequence = log.sequence(id);
      expect(sequence[sequence.length - 1]).to.equal('error:-100');
      expect(sequence.filter((s) => s.startsWith('error'))).to.have.length(1);
    });

    it('leaves the id valid until close', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.end());
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await log.waitForError(id);
      expect((await getInfo(t, id)).socketId).to.equal(id);
      expect(await answer(t, (cb) => t.tcp.close(id, cb))).to.deep.equal({ args: [], lastError: undefined });
    });
  });

  describe('#disconnect', () => {
    it('on a reading socket fires -100 and leaves the socket paused, disconnected and without addresses', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      expect(await answer(t, (cb) => t.tcp.disconnect(id, cb))).to.deep.equal({ args: [], lastError: undefined });
      const error = await log.waitForError(id);
      expect(error.info).to.deep.equal({ socketId: id, resultCode: -100 });
      const info = await getInfo(t, id);
      expect(info).to.deep.equal({ socketId: id, persistent: false, paused: true, connected: false });
    });

    it('closes the connection: the peer sees the end', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      const ended = new Promise<void>((resolve) => peer.once('close', () => resolve()));
      await ok(t, (cb) => t.tcp.disconnect(id, cb));
      await ended;
      expect(peer.destroyed).to.equal(true);
    });
    it('fires nothing on a socket that never started reading (paused before connect), which stays paused', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      await ok(t, (cb) => t.tcp.disconnect(id, cb));
      await settled(t);
      expect(log.errors(id)).to.deep.equal([]);
      expect(await getInfo(t, id)).to.deep.equal({ socketId: id, persistent: false, paused: true, connected: false });
    });

    it('fires nothing and leaves the socket un-paused when it is not connected', async () => {
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.disconnect(id, cb))).to.deep.equal({ args: [], lastError: undefined });
      await settled(t);
      expect(log.errors(id)).to.deep.equal([]);
      expect((await getInfo(t, id)).paused).to.equal(false);
    });
  });

  describe('#close', () => {
    it('on a connected, reading socket fires -100 for the closed id, and getInfo then says "Socket not found"', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      let fromListener: Promise<Answer> | undefined;
      const listener = (info: { socketId: number }): void => {
        if (info.socketId === id) fromListener = answer(t, (cb) => t.tcp.getInfo(id, cb));
      };
      t.tcp.onReceiveError.addListener(listener);
      cleanup.add(() => t.tcp.onReceiveError.removeListener(listener));
      expect(await answer(t, (cb) => t.tcp.close(id, cb))).to.deep.equal({ args: [], lastError: undefined });
      const error = await log.waitForError(id);
      expect(error.info).to.deep.equal({ socketId: id, resultCode: -100 });
      expect(await fromListener).to.deep.equal({ args: [], lastError: 'Socket not found' });
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal({ args: [], lastError: 'Socket not found' });
    });

    it('delivers no onReceive for the socket after its callback, even while the peer keeps writing', async () => {
      const chunk = Buffer.alloc(1024, 0x61);
      const server = await startTcpServer(cleanup, (socket) => {
        const timer = setInterval(() => socket.write(chunk), 1);
        socket.on('close', () => clearInterval(timer));
        cleanup.add(() => clearInterval(timer));
      });
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await log.waitForBytes(id, 4096);
      await ok(t, (cb) => {
        t.tcp.close(id, (...args: unknown[]) => {
          log.mark('close callback');
          cb(...args);
        });
      });
      // The peer is still writing (every millisecond) while these round trips run.
      await settled(t);
      const sequence = log.sequence(id);
      const after = sequence.slice(sequence.indexOf('mark:close callback') + 1);
      expect(after.filter((s) => s === 'receive')).to.deep.equal([]);
    });
  });

  describe('a paused socket', () => {
    it('notices a peer close only once resumed: -100 comes after setPaused(false), after the data', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      const peer = await server.nextConnection();
      await new Promise<void>((resolve) => peer.end('bye', resolve));
      await settled(t);
      expect(hostBytesRead(t, id), 'bytes the host read while paused').to.equal(0);
      // Only reading reveals the close (CreateSocketInfo's comment in sockets_tcp_api.cc).
      expect(log.sequence(id)).to.deep.equal([]);
      expect((await getInfo(t, id)).connected).to.equal(true);
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      await log.waitForError(id);
      expect(log.received(id).toString()).to.equal('bye');
      expect(log.sequence(id).slice(-1)).to.deep.equal(['error:-100']);
      expect((await getInfo(t, id)).connected).to.equal(false);
    });
  });

  describe('#setPaused', () => {
    it('stops onReceive (at most the one read already outstanding completes) until resumed; buffered data then arrives in order', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      peer.write('A');
      await log.waitForBytes(id, 1);
      await ok(t, (cb) => t.tcp.setPaused(id, true, cb));
      log.mark('paused');
      await peerWrite(peer, 'B');
      await settled(t);
      await peerWrite(peer, 'C');
      await settled(t);
      const sequence = log.sequence(id);
      const whilePaused = sequence.slice(sequence.indexOf('mark:paused') + 1);
      // crbug.com/403076: one onReceive may still arrive after pausing (spec §3.3), no more.
      expect(whilePaused.filter((s) => s === 'receive').length).to.be.at.most(1);
      expect((await getInfo(t, id)).paused).to.equal(true);
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect((await log.waitForBytes(id, 3)).toString()).to.equal('ABC');
    });

    it('on a socket that is not connected only sets the flag; reading starts at the next connect', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('greeting'));
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await createSocket(t);
      await ok(t, (cb) => t.tcp.setPaused(id, true, cb));
      expect((await getInfo(t, id)).paused).to.equal(true);
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect((await getInfo(t, id)).paused).to.equal(false);
      await ok(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb));
      expect((await log.waitForBytes(id, 8)).toString()).to.equal('greeting');
    });

    it('a socket paused before connect connects paused and receives nothing until resumed', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      const info = await getInfo(t, id);
      expect(info.paused).to.equal(true);
      expect(info.connected).to.equal(true);
      await peerWrite(await server.nextConnection(), 'greeting');
      await settled(t);
      expect(log.receives(id)).to.have.length(0);
      expect(hostBytesRead(t, id), 'bytes the host read while paused').to.equal(0);
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect((await log.waitForBytes(id, 8)).toString()).to.equal('greeting');
    });

    it('the pause set by a peer close survives a reconnect: the socket stays paused until setPaused(false)', async () => {
      const closing = await startTcpServer(cleanup, (socket) => socket.end());
      const greeting = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, closing.port);
      await log.waitForError(id);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', greeting.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
      const info = await getInfo(t, id);
      expect(info.connected).to.equal(true);
      expect(info.paused).to.equal(true);
      await peerWrite(await greeting.nextConnection(), 'hello again');
      await settled(t);
      expect(log.receives(id)).to.have.length(0);
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect((await log.waitForBytes(id, 11)).toString()).to.equal('hello again');
    });

    it('the pause set by disconnect() survives a reconnect', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await peerWrite(await server.nextConnection(), 'x');
      await log.waitForBytes(id, 1);
      await ok(t, (cb) => t.tcp.disconnect(id, cb));
      await log.waitForError(id);
      await ok(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb));
      expect((await getInfo(t, id)).paused).to.equal(true);
      await peerWrite(await server.nextConnection(), 'x');
      await settled(t);
      expect(log.received(id).toString()).to.equal('x');
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      expect((await log.waitForBytes(id, 2)).toString()).to.equal('xx');
    });

    it('the pause set by the app survives disconnect and reconnect', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      await ok(t, (cb) => t.tcp.setPaused(id, true, cb));
      await ok(t, (cb) => t.tcp.disconnect(id, cb));
      await ok(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, cb));
      const info = await getInfo(t, id);
      expect(info.connected).to.equal(true);
      expect(info.paused).to.equal(true);
    });
  });

  describe('bufferSize', () => {
    it('bounds every onReceive: no event carries more than bufferSize bytes', async () => {
      const payload = randomBytes(1000);
      const server = await startTcpServer(cleanup, (socket) => socket.write(payload));
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { properties: { bufferSize: 16 } });
      const received = await log.waitForBytes(id, payload.length);
      expect(received.equals(payload)).to.equal(true);
      for (const event of log.receives(id)) expect(event.byteLength).to.be.within(1, 16);
    });

    it('changed by update() applies to the reads that follow', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { properties: { bufferSize: 16 } });
      const peer = await server.nextConnection();
      const first = randomBytes(500);
      peer.write(first);
      await log.waitForBytes(id, 500);
      const before = log.receives(id).length;
      await ok(t, (cb) => t.tcp.update(id, { bufferSize: 64 }, cb));
      expect((await getInfo(t, id)).bufferSize).to.equal(64);
      const second = randomBytes(2000);
      peer.write(second);
      const all = await log.waitForBytes(id, 2500);
      expect(all.equals(Buffer.concat([first, second]))).to.equal(true);
      const later = log
        .receives(id)
        .slice(before)
        .map((e) => e.byteLength);
      // The read already outstanding keeps the old size (spec §3.1); every later one uses 64.
      for (const size of later) expect(size).to.be.within(1, 64);
      expect(Math.max(...later)).to.be.greaterThan(16);
    });

    it('set back to 0 by update() is no longer reported, and reads use 4096 again', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { properties: { bufferSize: 16 } });
      await ok(t, (cb) => t.tcp.update(id, { bufferSize: 0 }, cb));
      expect(await getInfo(t, id)).to.not.have.property('bufferSize');
      const payload = randomBytes(64 * 1024);
      (await server.nextConnection()).write(payload);
      expect((await log.waitForBytes(id, payload.length)).equals(payload)).to.equal(true);
      const sizes = log.receives(id).map((e) => e.byteLength);
      for (const size of sizes) expect(size).to.be.within(1, 4096);
      expect(Math.max(...sizes)).to.be.greaterThan(16);
    });

    it('of 0 or below is not reported, and reads use 4096', async () => {
      const payload = randomBytes(64 * 1024);
      const server = await startTcpServer(cleanup, (socket) => socket.write(payload));
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const zero = await createSocket(t, { bufferSize: 0 });
      const negative = await createSocket(t, { bufferSize: -5 });
      expect(await getInfo(t, negative)).to.not.have.property('bufferSize');
      await ok(t, (cb) => t.tcp.connect(zero, '127.0.0.1', server.port, cb));
      expect(await getInfo(t, zero)).to.not.have.property('bufferSize');
      expect((await log.waitForBytes(zero, payload.length)).equals(payload)).to.equal(true);
      for (const event of log.receives(zero)) expect(event.byteLength).to.be.within(1, 4096);
    });
  });

  describe('event order (spec §3.7)', () => {
    it('the connect callback comes before the first onReceive, even when the server writes on accept', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('first words'));
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await createSocket(t);
      await ok(t, (cb) =>
        t.tcp.connect(id, '127.0.0.1', server.port, (...args: unknown[]) => {
          log.mark('connect callback');
          cb(...args);
        }),
      );
      await log.waitForBytes(id, 11);
      expect(log.sequence(id)[0]).to.equal('mark:connect callback');
    });

    it('the connect callback comes before the -100 of a peer that closes at once', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.end());
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await createSocket(t);
      await ok(t, (cb) =>
        t.tcp.connect(id, '127.0.0.1', server.port, (...args: unknown[]) => {
          log.mark('connect callback');
          cb(...args);
        }),
      );
      await log.waitForError(id);
      expect(log.sequence(id)).to.deep.equal(['mark:connect callback', 'error:-100']);
    });

    it('drops data that arrives while nobody listens to onReceive (spec §3.7)', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      peer.write('lost');
      await waitUntil(() => hostBytesRead(t, id) >= 4, 'the host to read the first 4 bytes');
      await settled(t);
      const log = new EventLog(t, cleanup);
      peer.write('kept');
      expect((await log.waitForBytes(id, 4)).toString()).to.equal('kept');
      await settled(t);
      expect(log.received(id).toString()).to.equal('kept');
    });

    it('onReceive carries the stream in order, as exact non-empty ArrayBuffers', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      const payload = randomBytes(512 * 1024);
      for (let offset = 0; offset < payload.length; offset += 64 * 1024) {
        const sent = await sendBytes(t, id, payload.subarray(offset, offset + 64 * 1024));
        expect(sent).to.deep.equal({ resultCode: 0, bytesSent: 64 * 1024 });
      }
      const received = await log.waitForBytes(id, payload.length);
      expect(received.equals(payload)).to.equal(true);
      for (const event of log.receives(id)) {
        expect(event.isArrayBuffer).to.equal(true);
        expect(event.byteLength).to.be.within(1, 4096);
      }
    });

    it('carries 16 MiB from the peer whole and in order', async () => {
      const payload = randomBytes(16 * 1024 * 1024);
      const server = await startTcpServer(cleanup, (socket) => socket.end(payload));
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      await log.waitForError(id);
      expect(log.received(id).equals(payload)).to.equal(true);
    });

    it('send callbacks of one socket complete in FIFO order', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port);
      const order: number[] = [];
      const sends = [0, 1, 2, 3, 4].map((i) =>
        answer(t, (cb) =>
          t.tcp.send(id, bytes(`message ${i}`), (...args: unknown[]) => {
            order.push(i);
            cb(...args);
          }),
        ),
      );
      const results = await Promise.all(sends);
      expect(order).to.deep.equal([0, 1, 2, 3, 4]);
      for (const result of results) expect(result.lastError).to.equal(undefined);
    });

    it('events for two sockets are each in their own stream order', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const a = await connectedSocket(t, server.port);
      const b = await connectedSocket(t, server.port);
      const pa = randomBytes(100 * 1024);
      const pb = randomBytes(100 * 1024);
      await Promise.all([sendBytes(t, a, pa), sendBytes(t, b, pb)]);
      await waitUntil(() => log.received(a).length >= pa.length && log.received(b).length >= pb.length, 'both echoes');
      expect(log.received(a).equals(pa)).to.equal(true);
      expect(log.received(b).equals(pb)).to.equal(true);
    });
  });
});
