/**
 * Spec §4.4: secure() preconditions, what survives the upgrade, certificate verification against
 * the connect-time peerAddress, and TLS version constraints.
 */
import { randomBytes } from 'node:crypto';
import type * as tls from 'node:tls';
import { TLSSocket } from 'node:tls';
import { expect } from 'chai';
import {
  answer,
  connectedSocket,
  EventLog,
  getInfo,
  mockLookup,
  ok,
  openHost,
  sendBytes,
  startTcpServer,
  startTlsEchoServer,
  testCertificate,
  useCleanup,
  waitUntil,
} from './helpers';

const NOT_FOUND = { args: [], lastError: 'Socket not found' };

describe('chrome.sockets.tcp', function () {
  this.timeout(5000);
  const cleanup = useCleanup();

  describe('#secure', () => {
    it('keeps persistent and paused but drops name and bufferSize', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, {
        paused: true,
        properties: { name: 'secured', bufferSize: 100, persistent: true },
      });
      const before = await getInfo(t, id);
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [0], lastError: undefined });
      const info = await getInfo(t, id);
      expect(info).to.deep.equal({
        socketId: id,
        persistent: true,
        paused: true,
        connected: true,
        localAddress: before.localAddress,
        localPort: before.localPort,
        peerAddress: '127.0.0.1',
        peerPort: server.port,
      });
    });

    it('reads go back to 4096 bytes after the bufferSize was dropped', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true, properties: { bufferSize: 100 } });
      await ok(t, (cb) => t.tcp.secure(id, cb));
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      const payload = randomBytes(64 * 1024);
      expect(await sendBytes(t, id, payload)).to.deep.equal({ resultCode: 0, bytesSent: payload.length });
      expect((await log.waitForBytes(id, payload.length)).equals(payload)).to.equal(true);
      const sizes = log.receives(id).map((e) => e.byteLength);
      for (const size of sizes) expect(size).to.be.within(1, 4096);
      expect(Math.max(...sizes)).to.be.greaterThan(100);
    });

    it('makes setKeepAlive and setNoDelay give -2 and net::ERR_FAILED', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      await ok(t, (cb) => t.tcp.secure(id, cb));
      expect(await answer(t, (cb) => t.tcp.setKeepAlive(id, true, 1, cb))).to.deep.equal({ args: [-2], lastError: 'net::ERR_FAILED' });
      expect(await answer(t, (cb) => t.tcp.setNoDelay(id, true, cb))).to.deep.equal({ args: [-2], lastError: 'net::ERR_FAILED' });
    });

    it('leaves a socket that reads and closes like a plain one: a peer close fires -100', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      await ok(t, (cb) => t.tcp.secure(id, cb));
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      (await server.nextConnection()).end();
      expect((await log.waitForError(id)).info).to.deep.equal({ socketId: id, resultCode: -100 });
      const info = await getInfo(t, id);
      expect(info.connected).to.equal(false);
      expect(info.paused).to.equal(true);
    });

    it('accepts null, undefined and {} as options', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      for (const options of [null, undefined, {}]) {
        const id = await connectedSocket(t, server.port, { paused: true });
        expect(await answer(t, (cb) => t.tcp.secure(id, options, cb)), String(options)).to.deep.equal({ args: [0], lastError: undefined });
      }
    });

    it('discards plaintext that arrived (unread) before secure() and upgrades the connection', async () => {
      const cert = testCertificate();
      // A STARTTLS-style server: a plaintext banner, then TLS on the same connection.
      let bannerSent!: () => void;
      const banner = new Promise<void>((resolve) => (bannerSent = resolve));
      const server = await startTcpServer(cleanup, (socket) => {
        socket.write('220 plaintext banner\r\n', () => bannerSent());
        const secure = new TLSSocket(socket, { isServer: true, key: cert.key, cert: cert.cert });
        secure.on('error', () => {});
        secure.pipe(secure);
      });
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      await banner; // in the socket's receive buffer (loopback), unread
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [0], lastError: undefined });
      await ok(t, (cb) => t.tcp.setPaused(id, false, cb));
      await sendBytes(t, id, Buffer.from('over tls'));
      expect((await log.waitForBytes(id, 8)).toString()).to.equal('over tls');
    });

    it('answers secure() with a net error when the socket is closed during the handshake', async () => {
      // A peer that reads the ClientHello and never answers it.
      let helloSeen!: () => void;
      const hello = new Promise<void>((resolve) => (helloSeen = resolve));
      const server = await startTcpServer(cleanup, (socket) => socket.once('data', () => helloSeen()).resume());
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      const secured = answer(t, (cb) => t.tcp.secure(id, cb));
      await hello;
      await ok(t, (cb) => t.tcp.close(id, cb));
      const result = await secured;
      expect(result.args[0]).to.be.a('number').below(0);
      expect(result.lastError).to.match(/^net::ERR_/);
    });

    it('reads after secure() when setPaused(false) came during the handshake', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      const secured = answer(t, (cb) => t.tcp.secure(id, cb));
      t.tcp.setPaused(id, false, () => {}); // without waiting for secure's answer
      expect(await secured).to.deep.equal({ args: [0], lastError: undefined });
      await sendBytes(t, id, Buffer.from('after tls'));
      expect((await log.waitForBytes(id, 9)).toString()).to.equal('after tls');
    });

    it('fails when pausing came only after connect (the first read is already pending), and destroys the socket', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port);
      await ok(t, (cb) => t.tcp.setPaused(id, true, cb));
      const result = await answer(t, (cb) => t.tcp.secure(id, cb));
      expect(result).to.deep.equal({ args: [-2], lastError: 'net::ERR_FAILED' });
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal(NOT_FOUND);
    });
  });

  describe('#secure certificate verification', () => {
    it('succeeds for an IP literal the certificate names as an IP subjectAltName', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true, address: '127.0.0.1' });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('verifies the host name given to connect: "localhost" matches the DNS subjectAltName', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert }, lookup: mockLookup({ localhost: '127.0.0.1' }) });
      const id = await connectedSocket(t, server.port, { paused: true, address: 'localhost' });
      expect((await getInfo(t, id)).peerAddress).to.equal('127.0.0.1');
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [0], lastError: undefined });
      await waitForConnections(server.connections, 1);
      expect((server.connections[0] as tls.TLSSocket & { servername?: string }).servername).to.equal('localhost');
    });

    it('turns an IDN host name into its A-label before verifying', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const lookup = mockLookup({ 'bücher.test': '127.0.0.1', 'xn--bcher-kva.test': '127.0.0.1' });
      const t = await openHost(cleanup, { tls: { ca: cert.cert }, lookup });
      const id = await connectedSocket(t, server.port, { paused: true, address: 'bücher.test' });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('gives -200 net::ERR_CERT_COMMON_NAME_INVALID for a name the certificate does not carry, and destroys the socket', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert }, lookup: mockLookup({ 'echo.test': '127.0.0.1' }) });
      const id = await connectedSocket(t, server.port, { paused: true, address: 'echo.test' });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [-200], lastError: 'net::ERR_CERT_COMMON_NAME_INVALID' });
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal(NOT_FOUND);
      expect(await answer(t, (cb) => t.tcp.close(id, cb))).to.deep.equal(NOT_FOUND);
    });

    it('closes the connection it destroys on failure: the peer sees it end', async () => {
      const cert = testCertificate();
      const server = await startTcpServer(cleanup, (socket) => {
        const secure = new TLSSocket(socket, { isServer: true, key: cert.key, cert: cert.cert });
        secure.on('error', () => {});
      });
      const t = await openHost(cleanup, { tls: { ca: cert.cert }, lookup: mockLookup({ 'echo.test': '127.0.0.1' }) });
      const id = await connectedSocket(t, server.port, { paused: true, address: 'echo.test' });
      const raw = await server.nextConnection();
      const closed = new Promise<void>((resolve) => (raw.destroyed ? resolve() : raw.once('close', () => resolve())));
      expect((await answer(t, (cb) => t.tcp.secure(id, cb))).args).to.deep.equal([-200]);
      await closed;
      expect(raw.destroyed).to.equal(true);
    });

    it('gives -202 net::ERR_CERT_AUTHORITY_INVALID for a certificate nobody trusts (no ca option), and destroys the socket', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal({ args: [-202], lastError: 'net::ERR_CERT_AUTHORITY_INVALID' });
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal(NOT_FOUND);
    });
  });

  describe('#secure tlsVersion', () => {
    it('with min "tls1.3" against a TLS 1.2-only server fails (-113 net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH) and destroys the socket', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert, { maxVersion: 'TLSv1.2' });
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      const result = await answer(t, (cb) => t.tcp.secure(id, { tlsVersion: { min: 'tls1.3' } }, cb));
      expect(result).to.deep.equal({ args: [-113], lastError: 'net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH' });
      expect(await answer(t, (cb) => t.tcp.getInfo(id, cb))).to.deep.equal(NOT_FOUND);
    });

    it('with max "tls1.2" negotiates TLS 1.2', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(id, { tlsVersion: { max: 'tls1.2' } }, cb))).to.deep.equal({
        args: [0],
        lastError: undefined,
      });
      await waitForConnections(server.connections, 1);
      expect((server.connections[0] as tls.TLSSocket).getProtocol()).to.equal('TLSv1.2');
    });

    it('by default negotiates up to TLS 1.3', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      await ok(t, (cb) => t.tcp.secure(id, cb));
      await waitForConnections(server.connections, 1);
      expect((server.connections[0] as tls.TLSSocket).getProtocol()).to.equal('TLSv1.3');
    });

    it('ignores "tls1" and "tls1.1" as max, and unknown strings as min or max', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const cases = [{ max: 'tls1' }, { max: 'tls1.1' }, { min: 'tls9' }, { min: 'ssl3', max: 'tls2' }];
      for (const [index, tlsVersion] of cases.entries()) {
        const id = await connectedSocket(t, server.port, { paused: true });
        expect(await answer(t, (cb) => t.tcp.secure(id, { tlsVersion }, cb)), JSON.stringify(tlsVersion)).to.deep.equal({
          args: [0],
          lastError: undefined,
        });
        await waitForConnections(server.connections, index + 1);
        expect((server.connections[index] as tls.TLSSocket).getProtocol(), JSON.stringify(tlsVersion)).to.equal('TLSv1.3');
      }
    });

    it('raises "tls1" and "tls1.1" as min to TLS 1.2 (a TLS 1.2 server is still reached)', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert, { maxVersion: 'TLSv1.2' });
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      for (const min of ['tls1', 'tls1.1']) {
        const id = await connectedSocket(t, server.port, { paused: true });
        expect(await answer(t, (cb) => t.tcp.secure(id, { tlsVersion: { min } }, cb)), min).to.deep.equal({
          args: [0],
          lastError: undefined,
        });
      }
    });
  });
});

function waitForConnections(connections: unknown[], count: number): Promise<void> {
  return waitUntil(() => connections.length >= count, `${count} TLS connections`);
}
