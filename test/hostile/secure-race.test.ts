/**
 * Issue 9 item 6: writes during secure() never reach the wire in clear, and a second secure()
 * while one runs fails. A tap (a plain TCP proxy on 127.0.0.1:0) between the client and a TLS
 * echo server records every byte the client sends.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import {
  answer,
  bytes,
  connectedSocket,
  EventLog,
  openHost,
  startTlsEchoServer,
  testCertificate,
  useCleanup,
  type Cleanup,
  type Host,
} from '../tcp/helpers';

/** A TCP proxy to `target` that records everything the client sends through it. */
async function tap(cleanup: Cleanup, target: number): Promise<{ port: number; recorded: () => Buffer }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, recorded: () => Buffer.concat(chunks) };
}

async function tlsThroughTap(cleanup: Cleanup): Promise<{ t: Host; id: number; recorded: () => Buffer; log: EventLog }> {
  const cert = testCertificate();
  const server = await startTlsEchoServer(cleanup, cert);
  const { port, recorded } = await tap(cleanup, server.port);
  const t = await openHost(cleanup, { tls: { ca: cert.cert } });
  const log = new EventLog(t, cleanup);
  const id = await connectedSocket(t, port, { paused: true });
  return { t, id, recorded, log };
}

describe('secure() races (issue 9 item 6)', () => {
  const cleanup = useCleanup();

  it('refuses a send issued while secure() runs with -15, and its bytes never cross the wire in clear', async () => {
    const { t, id, recorded, log } = await tlsThroughTap(cleanup);
    const secret = 'PLAINTEXT-SECRET-written-during-the-handshake';
    const secured = answer(t, (cb) => t.tcp.secure(id, cb));
    const sent = answer(t, (cb) => t.tcp.send(id, bytes(secret), cb));
    expect(await sent).to.deep.equal({ args: [{ resultCode: -15 }], lastError: 'net::ERR_SOCKET_NOT_CONNECTED' });
    expect(await secured).to.deep.equal({ args: [0], lastError: undefined });
    // The TLS connection works afterwards, and the refused bytes were never sent at all.
    await answer(t, (cb) => t.tcp.setPaused(id, false, cb));
    expect((await answer(t, (cb) => t.tcp.send(id, bytes('after'), cb))).args).to.deep.equal([{ resultCode: 0, bytesSent: 5 }]);
    expect((await log.waitForBytes(id, 5)).toString()).to.equal('after');
    expect(recorded().includes(Buffer.from(secret))).to.equal(false);
    expect(recorded().includes(Buffer.from('after'))).to.equal(false);
  });

  it('refuses every send of a burst during the handshake; none of them reaches the wire', async () => {
    const { t, id, recorded } = await tlsThroughTap(cleanup);
    const secured = answer(t, (cb) => t.tcp.secure(id, cb));
    const sends = Array.from({ length: 20 }, (_, i) => answer(t, (cb) => t.tcp.send(id, bytes(`burst-${i}-cleartext`), cb)));
    expect(await secured).to.deep.equal({ args: [0], lastError: undefined });
    for (const sent of await Promise.all(sends)) expect(sent.args).to.deep.equal([{ resultCode: -15 }]);
    expect(recorded().includes(Buffer.from('cleartext'))).to.equal(false);
  });

  it('fails a second secure() while the first runs with -2, without destroying the socket the first secures', async () => {
    const { t, id, recorded, log } = await tlsThroughTap(cleanup);
    const first = answer(t, (cb) => t.tcp.secure(id, cb));
    const second = answer(t, (cb) => t.tcp.secure(id, cb));
    expect(await second).to.deep.equal({ args: [-2], lastError: 'net::ERR_FAILED' });
    expect(await first).to.deep.equal({ args: [0], lastError: undefined });
    await answer(t, (cb) => t.tcp.setPaused(id, false, cb));
    await answer(t, (cb) => t.tcp.send(id, bytes('still-encrypted'), cb));
    expect((await log.waitForBytes(id, 15)).toString()).to.equal('still-encrypted');
    expect(recorded().includes(Buffer.from('still-encrypted'))).to.equal(false);
    // One ClientHello: a second wrap of the raw socket would have sent another.
    const hello = Buffer.from([0x16, 0x03]);
    let count = 0;
    for (let at = recorded().indexOf(hello); at >= 0; at = recorded().indexOf(hello, at + 1)) {
      if (recorded()[at + 5] === 0x01) count++;
    }
    expect(count).to.equal(1);
  });
});
