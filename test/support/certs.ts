/**
 * A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with the openssl CLI
 * at test time (nothing checked in, nothing fetched).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  /** PEM of the CA that signed `cert`: what SocketsHostOptions.tls.ca takes. */
  ca: string;
  key: string;
  cert: string;
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-certs-'));
  try {
    const run = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=electron-chrome-sockets test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    await fs.writeFile(
      path.join(dir, 'ext.cnf'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    run(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    const read = (name: string) => fs.readFile(path.join(dir, name), 'utf8');
    return { ca: await read('ca.pem'), key: await read('server.key'), cert: await read('server.pem') };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
