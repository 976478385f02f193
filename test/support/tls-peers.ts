/**
 * TLS peers for the suites that test STARTTLS and TLS-from-the-start against a local server:
 * certificates made once per suite, a TLS server on 127.0.0.1:0, and a plaintext server that
 * turns a connection into TLS after its first command.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { makeTestCertificates, type TestCertificates } from './certs';

interface Teardown {
  add(task: () => unknown): void;
}

/** Makes the suite's certificates in a `before` hook; call the result inside a test. */
export function useTestCertificates(): () => TestCertificates {
  let certs: TestCertificates | undefined;
  before(async function () {
    this.timeout(30_000);
    certs = await makeTestCertificates();
  });
  return () => {
    if (certs === undefined) throw new Error('the certificates are made in before()');
    return certs;
  };
}

/** A TLS server on 127.0.0.1:0 with the test certificate, closed with the test. */
export async function tlsServer(cleanup: Teardown, certs: TestCertificates, onSocket: (socket: tls.TLSSocket) => void): Promise<number> {
  const server = tls.createServer({ key: certs.key, cert: certs.cert }, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as net.AddressInfo).port;
}

/** The server side of TLS over an accepted plaintext connection (errors are the test's to see elsewhere). */
export function acceptTls(plain: net.Socket, certs: Pick<TestCertificates, 'key' | 'cert'>): tls.TLSSocket {
  const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: tls.createSecureContext({ key: certs.key, cert: certs.cert }) });
  secure.on('error', () => {});
  return secure;
}

/**
 * A connection handler for a STARTTLS server: the first command (up to its CRLF, or the whole
 * first read) is recorded as `plain:<command>`; then TLS on the same connection, each decrypted
 * read recorded as `tls:<text>` and answered with `reply`. A ClientHello that shares a segment
 * with the command goes to TLS.
 */
export function startTlsPeer(certs: TestCertificates, seen: string[], reply: string): (plain: net.Socket) => void {
  return (plain) => {
    plain.once('data', (first: Buffer) => {
      const crlf = first.indexOf('\r\n');
      const end = crlf < 0 ? first.length : crlf + 2;
      seen.push(`plain:${first.subarray(0, end).toString()}`);
      plain.pause();
      if (end < first.length) plain.unshift(first.subarray(end));
      const secure = acceptTls(plain, certs);
      secure.on('data', (d: Buffer) => {
        seen.push(`tls:${d.toString()}`);
        secure.write(reply);
      });
    });
  };
}
