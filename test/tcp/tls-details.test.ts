/**
 * What the debugging window learns of secure(): the negotiated session and peer certificate in
 * inspect(), the certificates secure() refused, and trusting one for an app at run time
 * (SocketsHost.addTrustedCertificate, reached through the window's tap channel, never an app's).
 */
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { DEFAULT_MAX_TRUSTED_PER_APP, MAX_REJECTED_CERTIFICATES, SocketsHost } from '../../main/host';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { attachFacade, Cleanup as SupportCleanup } from '../support';
import { makeTestCertificates, type TestCertificates } from '../support/certs';
import { answer, connectedSocket, ok, openHost, startTlsEchoServer, testCertificate, useCleanup, type Host, type TcpApi } from './helpers';

const AUTHORITY_INVALID = { args: [-202], lastError: 'net::ERR_CERT_AUTHORITY_INVALID' };

describe('chrome.sockets.tcp', function () {
  this.timeout(10_000);
  const cleanup = useCleanup();
  const supportCleanup = new SupportCleanup();
  afterEach(() => supportCleanup.run());
  let chained: TestCertificates;
  before(async () => {
    chained = await makeTestCertificates();
  });

  function snapshotOf(t: Host, id: number) {
    return t.host.inspect().sockets.find((s) => s.kind === 'tcp' && s.id === id);
  }

  describe('#secure, as the debugging window sees it', () => {
    it('puts the protocol, cipher and peer certificate in inspect(), and nothing of it in getInfo', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      expect(snapshotOf(t, id)?.tls).to.equal(undefined);
      await ok(t, (cb) => t.tcp.secure(id, cb));
      const session = snapshotOf(t, id)?.tls;
      expect(session?.protocol).to.equal('TLSv1.3');
      expect(session?.cipher).to.match(/^TLS_(AES|CHACHA20)_/);
      const x = new X509Certificate(cert.cert);
      expect(session?.peerCertificate).to.deep.include({
        subject: 'CN=localhost',
        issuer: 'CN=localhost',
        fingerprint256: x.fingerprint256,
        validFrom: x.validFrom,
        validTo: x.validTo,
      });
      expect(session?.peerCertificate?.subjectAltName).to.contain('IP Address:127.0.0.1');
      const info = (await answer(t, (cb) => t.tcp.getInfo(id, cb))).args[0] as Record<string, unknown>;
      expect(Object.keys(info)).to.not.include.members(['tls', 'cipher', 'protocol', 'peerCertificate']);
    });

    it('honours tlsVersion: a max of tls1.2 shows TLSv1.2', async () => {
      const cert = testCertificate();
      const server = await startTlsEchoServer(cleanup, cert);
      const t = await openHost(cleanup, { tls: { ca: cert.cert } });
      const id = await connectedSocket(t, server.port, { paused: true });
      await ok(t, (cb) => t.tcp.secure(id, { tlsVersion: { max: 'tls1.2' } }, cb));
      expect(snapshotOf(t, id)?.tls?.protocol).to.equal('TLSv1.2');
    });

    it('remembers the certificate a -202 refused, with the chain top the peer sent', async () => {
      const server = await startTlsEchoServer(cleanup, { key: chained.key, cert: chained.cert + chained.ca });
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal(AUTHORITY_INVALID);
      const rejected = t.host.inspect().rejectedCertificates ?? [];
      expect(rejected).to.have.length(1);
      expect(rejected[0]).to.deep.include({
        app: 'test-app',
        socketId: id,
        resultCode: -202,
        reason: 'SELF_SIGNED_CERT_IN_CHAIN',
        anchor: true,
      });
      expect(rejected[0]!.certificate.fingerprint256).to.equal(new X509Certificate(chained.cert).fingerprint256);
      expect(rejected[0]!.top).to.deep.include({
        subject: 'CN=electron-chrome-sockets test CA',
        fingerprint256: new X509Certificate(chained.ca).fingerprint256,
      });
      // No key material and no PEM in the snapshot.
      expect(JSON.stringify(rejected)).to.not.contain('BEGIN');
    });

    it('after trusting the refused chain top for the app, a new secure() of that app succeeds; other apps still get -202', async () => {
      const server = await startTlsEchoServer(cleanup, { key: chained.key, cert: chained.cert + chained.ca });
      const t = await openHost(cleanup);
      const first = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(first, cb))).to.deep.equal(AUTHORITY_INVALID);
      const top = t.host.inspect().rejectedCertificates![0]!.top;
      // The window's channel: the same request Electron IPC and POST /tap pass to the tap.
      expect(t.host.tap.handle({ op: 'trust', app: 'test-app', fingerprint256: top.fingerprint256 })).to.deep.equal({
        trusted: { app: 'test-app', certificate: top },
      });
      expect(t.host.inspect().trustedCertificates).to.deep.equal([{ app: 'test-app', certificate: top }]);
      const second = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(second, cb))).to.deep.equal({ args: [0], lastError: undefined });
      expect(snapshotOf(t, second)?.tls?.peerCertificate?.issuer).to.equal('CN=electron-chrome-sockets test CA');

      const other = attachFacade(t.host, { app: 'other-app', sockets: ALLOW_ALL_SOCKETS }, supportCleanup);
      const tcp = other.chrome.sockets.tcp as unknown as TcpApi;
      const { socketId } = await new Promise<{ socketId: number }>((resolve) => tcp.create({}, resolve));
      await new Promise<void>((resolve) => tcp.setPaused(socketId, true, () => resolve()));
      expect(await new Promise<number>((resolve) => tcp.connect(socketId, '127.0.0.1', server.port, resolve))).to.equal(0);
      expect(await new Promise<number>((resolve) => tcp.secure(socketId, {}, resolve))).to.equal(-202);
    });

    it(`remembers the newest ${MAX_REJECTED_CERTIFICATES} refusals: past that the oldest is forgotten and can no longer be trusted`, async () => {
      expect(MAX_REJECTED_CERTIFICATES).to.equal(16);
      // The oldest refusal is of another chain than the newer ones, so forgetting it is visible.
      const selfSigned = await startTlsEchoServer(cleanup, testCertificate());
      const server = await startTlsEchoServer(cleanup, { key: chained.key, cert: chained.cert + chained.ca });
      const t = await openHost(cleanup);
      const oldest = await connectedSocket(t, selfSigned.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(oldest, cb))).to.deep.equal(AUTHORITY_INVALID);
      const oldestTop = t.host.inspect().rejectedCertificates![0]!.top;
      const newer: number[] = [];
      for (let i = 0; i < MAX_REJECTED_CERTIFICATES; i++) {
        const id = await connectedSocket(t, server.port, { paused: true });
        expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal(AUTHORITY_INVALID);
        newer.push(id);
      }
      expect(t.host.inspect().rejectedCertificates!.map((r) => r.socketId)).to.deep.equal(newer);
      expect(() => t.host.tap.handle({ op: 'trust', app: 'test-app', fingerprint256: oldestTop.fingerprint256 })).to.throw(
        `No certificate ${oldestTop.fingerprint256} was rejected for app test-app`,
      );
      const newest = t.host.inspect().rejectedCertificates!.at(-1)!.top;
      expect(t.host.tap.handle({ op: 'trust', app: 'test-app', fingerprint256: newest.fingerprint256 })).to.deep.equal({
        trusted: { app: 'test-app', certificate: newest },
      });
    });

    it('refuses to trust what was not refused, for another app, or a chain top that is not self-signed', async () => {
      const leafOnly = await startTlsEchoServer(cleanup, { key: chained.key, cert: chained.cert });
      const t = await openHost(cleanup);
      const id = await connectedSocket(t, leafOnly.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(id, cb))).to.deep.equal(AUTHORITY_INVALID);
      const r = t.host.inspect().rejectedCertificates![0]!;
      expect(r).to.deep.include({ reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', anchor: false });
      expect(() => t.host.tap.handle({ op: 'trust', app: 'test-app', fingerprint256: r.top.fingerprint256 })).to.throw(
        /no self-signed root.*--ca/,
      );
      expect(() => t.host.tap.handle({ op: 'trust', app: 'other-app', fingerprint256: r.top.fingerprint256 })).to.throw(
        /No certificate .* was rejected for app other-app/,
      );
      expect(() => t.host.tap.handle({ op: 'trust', app: 'test-app', fingerprint256: 'AB:CD' })).to.throw(/SHA-256 fingerprint/);
      expect(t.host.inspect().trustedCertificates).to.deep.equal([]);
    });
  });

  describe('SocketsHost#addTrustedCertificate', () => {
    it('takes one PEM certificate, refuses anything else, and at most limits.maxTrustedPerApp per app (default 32)', async () => {
      expect(new SocketsHost({ log: () => {} }).maxTrustedPerApp).to.equal(DEFAULT_MAX_TRUSTED_PER_APP);
      expect(DEFAULT_MAX_TRUSTED_PER_APP).to.equal(32);
      const t = await openHost(cleanup, { limits: { maxTrustedPerApp: 2 } });
      expect(() => t.host.addTrustedCertificate('test-app', 'not a certificate')).to.throw(TypeError, /one PEM certificate/);
      expect(t.host.addTrustedCertificate('test-app', chained.ca).subject).to.equal('CN=electron-chrome-sockets test CA');
      // The same certificate again is not a second one.
      t.host.addTrustedCertificate('test-app', chained.ca);
      expect(t.host.addTrustedCertificate('test-app', testCertificate().cert).subject).to.equal('CN=localhost');
      expect(() => t.host.addTrustedCertificate('test-app', chained.cert)).to.throw('at most 2 certificates');
      // Another app has its own budget.
      expect(t.host.addTrustedCertificate('other-app', chained.cert).subject).to.equal('CN=127.0.0.1');
      expect(t.host.inspect().trustedCertificates?.map((c) => c.app)).to.deep.equal(['test-app', 'test-app', 'other-app']);
    });

    it('makes secure() of that app trust the certificate (a CA given at run time)', async () => {
      const server = await startTlsEchoServer(cleanup, { key: chained.key, cert: chained.cert });
      const t = await openHost(cleanup);
      const before = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(before, cb))).to.deep.equal(AUTHORITY_INVALID);
      t.host.addTrustedCertificate('test-app', chained.ca);
      const after = await connectedSocket(t, server.port, { paused: true });
      expect(await answer(t, (cb) => t.tcp.secure(after, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });
  });
});
