/**
 * mozTCPSocket (other-socket-apis.md §1, acceptance outline §6 "mozTCPSocket", after Gecko's
 * test_tcpsocket_client_and_server_basics, unit/test_tcpsocket.js and test_tcpserversocket.js)
 * through the test host, against local servers.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import type { MozTCPServerSocket, MozTCPSocket } from '../../preload/moz/moz-tcp-socket';
import { createTestHost, type TestHost } from '../../testing';
import { acceptTls, startTlsPeer, tlsServer, useTestCertificates } from '../support/tls-peers';
import { bytes, nextConnection, peerWrite, quiet, readAll, tcpServer, useCleanup, waitFor, type Cleanup } from './helpers';
import { hostInternals } from '../../main/host';

async function openTestHost(cleanup: Cleanup, options: Parameters<typeof createTestHost>[0] = {}): Promise<TestHost> {
  const t = await createTestHost({ log: () => {}, ...options });
  cleanup.add(() => t.close());
  return t;
}

function once(target: EventTarget, type: string): Promise<any> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

/** Collects `data` events (ArrayBuffer or string) of a socket. */
function collect(socket: MozTCPSocket): { chunks: Array<ArrayBuffer | string>; bytes(): Buffer; text(): string } {
  const chunks: Array<ArrayBuffer | string> = [];
  socket.addEventListener('data', (e: any) => chunks.push(e.data));
  return {
    chunks,
    bytes: () => Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : Buffer.from(c)))),
    text: () => chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('latin1'))).join(''),
  };
}

async function listening(server: MozTCPServerSocket): Promise<number> {
  await waitFor(() => server.localPort !== 0, 'the bound port');
  return server.localPort;
}

/** A connected client/server pair, both mozTCPSocket, with `binaryType: "arraybuffer"`. */
async function pair(t: TestHost, cleanup: Cleanup, clientOptions = { binaryType: 'arraybuffer' as const }) {
  const server = t.mozTCPSocket.listen(0, { binaryType: 'arraybuffer' }, -1);
  cleanup.add(() => server.close());
  const port = await listening(server);
  const accepted = new Promise<MozTCPSocket>((resolve) => (server.onconnect = (e: any) => resolve(e.socket)));
  const client = t.mozTCPSocket.open('127.0.0.1', port, clientOptions);
  await once(client, 'open');
  const peer = await accepted;
  return { server, client, peer, port };
}

describe('mozTCPSocket', () => {
  const cleanup = useCleanup();

  it('connects and accepts: open fires, both sides are open, the accepted host is the peer IP', async () => {
    const t = await openTestHost(cleanup);
    const { client, peer } = await pair(t, cleanup);
    expect(client.readyState).to.equal('open');
    expect(peer.readyState).to.equal('open');
    expect(peer.host).to.equal('127.0.0.1');
    expect(client.host).to.equal('127.0.0.1');
    expect(client.binaryType).to.equal('arraybuffer');
    expect(client.ssl).to.equal(false);
  });

  it('sends 256 bytes each way, and slices (0,7)+(7,249) and (0,2)+(2,3) arrive in order', async () => {
    const t = await openTestHost(cleanup);
    const { client, peer } = await pair(t, cleanup);
    const data = bytes(256).buffer as ArrayBuffer;
    const atPeer = collect(peer);
    const atClient = collect(client);
    expect(client.send(data, 0, 256)).to.equal(true);
    await waitFor(() => atPeer.bytes().length === 256, '256 bytes at the server');
    expect(atPeer.bytes().equals(Buffer.from(data))).to.equal(true);
    expect(peer.send(data, 0, 256)).to.equal(true);
    await waitFor(() => atClient.bytes().length === 256, '256 bytes at the client');
    expect(client.send(data, 0, 7)).to.equal(true);
    expect(client.send(data, 7, 249)).to.equal(true);
    await waitFor(() => atPeer.bytes().length === 512, 'the slices');
    expect(atPeer.bytes().subarray(256).equals(Buffer.from(data))).to.equal(true);
    const okbye = new TextEncoder().encode('OKBYE').buffer as ArrayBuffer;
    client.send(okbye, 0, 2);
    client.send(okbye, 2, 3);
    await waitFor(() => atPeer.bytes().length === 517, 'OKBYE');
    expect(atPeer.bytes().subarray(512).toString()).to.equal('OKBYE');
  });

  it('returns false past 64 KiB, then fires one drain with bufferedAmount 0; it re-arms', async () => {
    const t = await openTestHost(cleanup);
    const { client, peer } = await pair(t, cleanup);
    const atPeer = collect(peer);
    const big = bytes(65539).buffer as ArrayBuffer;
    let drains = 0;
    let bufferedInDrain = -1;
    client.ondrain = () => {
      drains++;
      bufferedInDrain = client.bufferedAmount;
    };
    expect(client.send(big, 0, 65536)).to.equal(true);
    expect(client.send(big, 65536, 65539)).to.equal(false);
    expect(client.bufferedAmount).to.equal(65539);
    await waitFor(() => drains === 1, 'drain');
    expect(bufferedInDrain).to.equal(0);
    expect(client.send(big)).to.equal(false);
    await waitFor(() => drains === 2, 'the second drain');
    await waitFor(() => atPeer.bytes().length === 2 * 65539, 'every byte');
    expect(atPeer.bytes().subarray(65539).equals(Buffer.from(big))).to.equal(true);
    // drain fires when an answer brings bufferedAmount to 0; with every send answered, none is left
    // that could fire a third.
    await waitFor(() => client.bufferedAmount === 0, 'every send answered');
    await quiet(() => (t.chrome.sockets.tcp.getSockets as () => Promise<unknown>)());
    expect(drains).to.equal(2);
  });

  it('two back-to-back overflowing sends give at least one drain and the whole concatenation', async () => {
    const t = await openTestHost(cleanup);
    const { client, peer } = await pair(t, cleanup);
    const atPeer = collect(peer);
    const a = bytes(65539, 1).buffer as ArrayBuffer;
    const b = bytes(65539, 2).buffer as ArrayBuffer;
    const drained = once(client, 'drain');
    expect(client.send(a)).to.equal(false);
    expect(client.send(b)).to.equal(false);
    await drained;
    await waitFor(() => atPeer.bytes().length === 131078, 'every byte');
    expect(atPeer.bytes().equals(Buffer.concat([Buffer.from(a), Buffer.from(b)]))).to.equal(true);
  });

  it('close() from the server and from the client: closing at once, then close on both sides', async () => {
    const t = await openTestHost(cleanup);
    for (const side of ['server', 'client'] as const) {
      const { client, peer } = await pair(t, cleanup);
      const closer = side === 'server' ? peer : client;
      const other = side === 'server' ? client : peer;
      const closerClosed = once(closer, 'close');
      const otherClosed = once(other, 'close');
      closer.close();
      expect(closer.readyState).to.equal('closing');
      await Promise.all([closerClosed, otherClosed]);
      expect(closer.readyState).to.equal('closed');
      expect(other.readyState).to.equal('closed');
    }
  });

  it('an overflowing send then close(): drain, then close; the peer gets every byte', async () => {
    const t = await openTestHost(cleanup);
    const { client, peer } = await pair(t, cleanup);
    const atPeer = collect(peer);
    const order: string[] = [];
    client.ondrain = () => order.push('drain');
    client.onclose = () => order.push('close');
    const peerClosed = once(peer, 'close');
    expect(client.send(bytes(65539).buffer as ArrayBuffer)).to.equal(false);
    client.close();
    await peerClosed;
    await waitFor(() => order.length === 2, 'drain and close');
    expect(order).to.deep.equal(['drain', 'close']);
    expect(atPeer.bytes().length).to.equal(65539);
  });

  it('a send past the host write quota fails the socket (error NetworkError, then close) instead of losing it', async () => {
    const t = await openTestHost(cleanup, { writeQuota: 1024 * 1024 });
    const { server, port } = await tcpServer(cleanup);
    const accepted = nextConnection(server);
    const client = t.mozTCPSocket.open('127.0.0.1', port, { binaryType: 'arraybuffer' });
    await once(client, 'open');
    // A peer that never reads: once the kernel buffers are full, writes stay in flight at the host.
    (await accepted).pause();
    const events: string[] = [];
    client.onerror = (e: any) => events.push(`error ${e.name} ${e.message}`);
    client.onclose = () => events.push('close');
    const closed = once(client, 'close');
    // 16 MiB: far more than the kernel buffers plus the 1 MiB quota.
    for (let i = 0; i < 256; i++) client.send(bytes(65536, i).buffer as ArrayBuffer);
    await closed;
    expect(events).to.deep.equal(['error NetworkError Network', 'close']);
    expect(client.readyState).to.equal('closed');
  });

  it('closeImmediately() discards what is still queued: the peer gets a strict prefix', async () => {
    const t = await openTestHost(cleanup);
    const { server, port } = await tcpServer(cleanup);
    const accepted = nextConnection(server);
    const client = t.mozTCPSocket.open('127.0.0.1', port, { binaryType: 'arraybuffer' });
    await once(client, 'open');
    const peer = await accepted;
    // The peer reads nothing while the sends are queued, so the kernel cannot take them all.
    peer.pause();
    const total = 16 * 1024 * 1024;
    const chunk = bytes(65539).buffer as ArrayBuffer;
    let sent = 0;
    while (sent < total) {
      client.send(chunk);
      sent += chunk.byteLength;
    }
    const closed = once(client, 'close');
    client.closeImmediately();
    await closed;
    const got = readAll(peer);
    peer.resume();
    const received = await got;
    expect(received.length).to.be.below(sent);
    for (let at = 0; at + 65539 <= received.length; at += 65539)
      expect(received.subarray(at, at + 65539).equals(Buffer.from(chunk))).to.equal(true);
  });

  describe('binaryType "string"', () => {
    it('round-trips bytes 0x00-0xFF as char codes (latin1, never UTF-8)', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const client = t.mozTCPSocket.open('127.0.0.1', port);
      expect(client.binaryType).to.equal('string');
      await once(client, 'open');
      const peer = await accepted;
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const atClient = collect(client);
      peer.write(all);
      await waitFor(() => atClient.text().length === 256, '256 chars');
      expect(atClient.chunks.every((c) => typeof c === 'string')).to.equal(true);
      expect([...atClient.text()].map((c) => c.charCodeAt(0))).to.deep.equal([...all]);
      const back = new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        peer.on('data', (d) => {
          parts.push(d);
          if (Buffer.concat(parts).length >= 256) resolve(Buffer.concat(parts));
        });
      });
      expect(client.send(atClient.text())).to.equal(true);
      expect((await back).equals(all)).to.equal(true);
    });

    it('sends a typed array as its ToString (Gecko overload rule) and rejects code units above 0xFF', async () => {
      const t = await openTestHost(cleanup);
      const { server, port } = await tcpServer(cleanup);
      const accepted = nextConnection(server);
      const client = t.mozTCPSocket.open('127.0.0.1', port);
      await once(client, 'open');
      const peer = await accepted;
      const view = new Uint8Array([1, 2, 3]);
      expect(client.send(view)).to.equal(true);
      const custom = new Uint8Array(100);
      custom.toString = Object.prototype.toString;
      expect(client.send(custom)).to.equal(true);
      expect(() => client.send('\u0100')).to.throw(TypeError);
      client.close();
      expect((await readAll(peer)).toString()).to.equal('1,2,3[object Uint8Array]');
    });
  });

  it('throws for send before open and after close, upgradeToSecure before open, resume without suspend', async () => {
    const t = await openTestHost(cleanup);
    const { port } = await tcpServer(cleanup);
    const client = t.mozTCPSocket.open('127.0.0.1', port);
    expect(client.readyState).to.equal('connecting');
    expect(() => client.send('x')).to.throw(Error);
    expect(() => client.upgradeToSecure()).to.throw(Error);
    expect(() => client.resume()).to.throw(Error);
    await once(client, 'open');
    const closed = once(client, 'close');
    client.close();
    expect(() => client.send('x')).to.throw(Error);
    await closed;
    expect(() => client.send('x')).to.throw(Error);
  });

  it('a refused connection gives error{ConnectionRefusedError, Network} then close, never open', async () => {
    const t = await openTestHost(cleanup);
    const { server, port } = await tcpServer(cleanup);
    await new Promise((r) => server.close(r));
    const client = t.mozTCPSocket.open('127.0.0.1', port);
    const events: string[] = [];
    client.onopen = () => events.push('open');
    client.onerror = (e: any) => events.push(`error ${e.name} ${e.message} ${client.readyState}`);
    const closed = once(client, 'close');
    client.onclose = () => events.push('close');
    await closed;
    expect(events).to.deep.equal(['error ConnectionRefusedError Network closed', 'close']);
  });

  it('an unknown host gives DomainNotFoundError', async () => {
    const t = await openTestHost(cleanup, {
      lookup: ((_name: string, _options: unknown, callback: (error: Error) => void) =>
        callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }))) as never,
    });
    const client = t.mozTCPSocket.open('no-such-host.invalid', 80);
    const error = await once(client, 'error');
    expect(error.name).to.equal('DomainNotFoundError');
    expect(error.message).to.equal('Network');
  });

  describe('#upgradeToSecure', () => {
    const certs = useTestCertificates();

    it('STARTTLS: plaintext up to the upgrade, TLS for the send right after it; ssl is true at once', async () => {
      const t = await openTestHost(cleanup, { tls: { ca: certs().ca } });
      const seen: string[] = [];
      // Gecko does not wait for an answer: the ClientHello may share a segment with the command.
      const { port } = await tcpServer(cleanup, startTlsPeer(certs(), seen, '250 hello\r\n'));
      const client = t.mozTCPSocket.open('127.0.0.1', port);
      await once(client, 'open');
      const atClient = collect(client);
      client.send('STARTTLS\r\n');
      client.upgradeToSecure();
      expect(client.ssl).to.equal(true);
      client.send('EHLO me\r\n');
      await waitFor(() => atClient.text() === '250 hello\r\n', 'the encrypted answer');
      expect(seen).to.deep.equal(['plain:STARTTLS\r\n', 'tls:EHLO me\r\n']);
    });

    it('a certificate nobody trusts gives error(SecurityUntrustedCertificateIssuerError, SecurityCertificate) then close', async () => {
      const t = await openTestHost(cleanup);
      const { port } = await tcpServer(cleanup, (plain) => acceptTls(plain, certs()));
      const client = t.mozTCPSocket.open('127.0.0.1', port);
      await once(client, 'open');
      const events: string[] = [];
      client.onerror = (e: any) => events.push(`${e.name} ${e.message}`);
      const closed = once(client, 'close');
      client.upgradeToSecure();
      await closed;
      expect(events).to.deep.equal(['SecurityUntrustedCertificateIssuerError SecurityCertificate']);
    });

    it('useSecureTransport connects over TLS from the start', async () => {
      const t = await openTestHost(cleanup, { tls: { ca: certs().ca } });
      const port = await tlsServer(cleanup, certs(), (s) => s.end('secure hello'));
      const client = t.mozTCPSocket.open('127.0.0.1', port, { useSecureTransport: true });
      expect(client.ssl).to.equal(true);
      const atClient = collect(client);
      await once(client, 'close');
      expect(atClient.text()).to.equal('secure hello');
    });
  });

  it('suspend() twice and resume() once holds data; the second resume() lets it flow', async () => {
    const t = await openTestHost(cleanup);
    const { server, port } = await tcpServer(cleanup);
    const accepted = nextConnection(server);
    const client = t.mozTCPSocket.open('127.0.0.1', port);
    await once(client, 'open');
    const peer = await accepted;
    const atClient = collect(client);
    client.suspend();
    client.suspend();
    client.resume();
    // A round trip on the same port: the host has handled the pause before the peer writes.
    await (t.chrome.sockets.tcp.getSockets as () => Promise<unknown>)();
    await peerWrite(peer, 'held');
    await quiet(() => (t.chrome.sockets.tcp.getSockets as () => Promise<unknown>)());
    expect(atClient.chunks).to.deep.equal([]);
    client.resume();
    await waitFor(() => atClient.text() === 'held', 'data after resume');
  });

  it('after the server closes, a new connection fails and existing ones keep working', async () => {
    const t = await openTestHost(cleanup);
    const { server, client, peer, port } = await pair(t, cleanup);
    server.close();
    const atPeer = collect(peer);
    const atClient = collect(client);
    client.send(new TextEncoder().encode('still').buffer as ArrayBuffer);
    peer.send(new TextEncoder().encode('here').buffer as ArrayBuffer);
    await waitFor(() => atPeer.text() === 'still' && atClient.text() === 'here', 'both ways');
    await waitFor(
      () =>
        hostInternals(t.host)
          .registries.raw.all()
          .every((s) => s.snapshot().state !== 'listening'),
      'the server gone',
    );
    const late = t.mozTCPSocket.open('127.0.0.1', port);
    const events: string[] = [];
    late.onopen = () => events.push('open');
    late.onerror = () => events.push('error');
    await once(late, 'close');
    expect(events).to.deep.equal(['error']);
    expect(late.readyState).to.equal('closed');
  });

  it('connects to ::1', async function () {
    const t = await openTestHost(cleanup);
    const server = net.createServer((s) => s.end('v6'));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '::1', resolve);
      });
    } catch {
      this.skip(); // no IPv6 loopback on this machine
    }
    cleanup.add(() => new Promise((r) => server.close(r)));
    const client = t.mozTCPSocket.open('::1', (server.address() as net.AddressInfo).port);
    const atClient = collect(client);
    await once(client, 'open');
    await once(client, 'close');
    expect(atClient.text()).to.equal('v6');
  });

  it('closes every socket the page owned when its context ends (navigation)', async () => {
    const t = await openTestHost(cleanup);
    const { server, port } = await tcpServer(cleanup);
    const accepted = nextConnection(server);
    const client = t.mozTCPSocket.open('127.0.0.1', port);
    await once(client, 'open');
    const peer = await accepted;
    const ended = new Promise((resolve) => peer.once('end', resolve));
    await t.close();
    await ended;
    expect(hostInternals(t.host).registries.raw.size).to.equal(0);
  });
});
