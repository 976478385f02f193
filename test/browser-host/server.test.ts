import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebSocket } from 'ws';
import { decodeFrame, DownFrameAssembler, encodeFrame, SEPARATE_PAYLOAD_BYTES } from '../../common/binary-frame';
import type { HostPort } from '../../common/port';
import type { BatchMessage } from '../../common/protocol';
import { checkHostHeader, checkOrigin, isLoopbackAddress, SUBPROTOCOL } from '../../main/browser-host/request-checks';
import { resolveBindAddress, startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../main/browser-host/server';
import type { SocketsHost } from '../../main/host';
import type { AttachOptions, ContextHandle } from '../../main/types';
import { until } from '../support/wait';

/** Stands in for SocketsHost: records attached ports and what arrives on them. */
class FakeHost {
  readonly attached: Array<{ port: HostPort; opts: AttachOptions; received: unknown[]; closed: boolean }> = [];
  disposed = false;

  attachPort(port: HostPort, opts: AttachOptions): ContextHandle {
    const entry = { port, opts, received: [] as unknown[], closed: false };
    this.attached.push(entry);
    port.onMessage((message) => entry.received.push(message));
    port.onClose(() => (entry.closed = true));
    return { id: this.attached.length, app: opts.app, end: () => port.close() };
  }

  detachApp(): void {}

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

describe('browser host server', () => {
  let server: BrowserHost;
  let fake: FakeHost;
  let logs: string[];
  const sockets: WebSocket[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  async function start(options: BrowserHostOptions = {}): Promise<void> {
    fake = new FakeHost();
    logs = [];
    server = await startBrowserHost({
      socketsHost: fake as unknown as SocketsHost,
      log: (line) => logs.push(line),
      rendererDir: path.join(os.tmpdir(), 'ecs-no-such-renderer'),
      ...options,
    });
  }

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server?.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-static-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    return dir;
  }

  interface Dial {
    token?: string | null;
    origin?: string;
    host?: string;
    protocols?: string[];
  }

  /** Opens a WebSocket; resolves with it when open, or with the HTTP status of a refusal. */
  function dial(opts: Dial = {}): Promise<{ ws?: WebSocket; status?: number }> {
    const token = opts.token === undefined ? server.token : opts.token;
    const protocols = opts.protocols ?? (token === null ? [SUBPROTOCOL] : [SUBPROTOCOL, `token.${token}`]);
    const headers: Record<string, string> = {};
    if (opts.host) headers.Host = opts.host;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, protocols, { origin: opts.origin, headers });
    sockets.push(ws);
    return new Promise((resolve) => {
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode });
        res.resume();
      });
      ws.once('error', () => resolve({}));
    });
  }

  function get(urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; type?: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: urlPath, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
    });
  }

  describe('startBrowserHost', () => {
    it('listens on loopback and prints a URL with a 128-bit token in its fragment', async () => {
      await start();
      expect(server.token).to.match(/^[0-9a-f]{32}$/);
      expect(server.url).to.equal(`http://127.0.0.1:${server.port}/#token=${server.token}`);
      expect(server.port).to.be.greaterThan(0);
    });

    it('makes a new token each time', async () => {
      await start();
      const first = server.token;
      await server.close();
      await start();
      expect(server.token).to.not.equal(first);
    });

    it('fails to start on a port in use', async () => {
      await start();
      const lines: string[] = [];
      let error: unknown;
      await startBrowserHost({ port: server.port, log: (l) => lines.push(l) }).catch((err: unknown) => (error = err));
      expect((error as NodeJS.ErrnoException)?.code).to.equal('EADDRINUSE');
    });

    it('leaves a host it was given running on close', async () => {
      await start();
      await server.close();
      expect(fake.disposed).to.equal(false);
    });
  });

  describe('a page connection', () => {
    it('is attached as one context of the app, with its manifest section', async () => {
      const manifest = { tcp: { connect: '127.0.0.1:*' } };
      await start({ app: 'my-app', sockets: manifest });
      const { ws } = await dial({ origin: `http://127.0.0.1:${server.port}` });
      expect(ws?.protocol).to.equal(SUBPROTOCOL);
      await until(() => fake.attached.length === 1, 'attach');
      expect(fake.attached[0].opts.app).to.equal('my-app');
      expect(fake.attached[0].opts.sockets).to.deep.equal(manifest);
      expect(fake.attached[0].opts.background).to.not.equal(true);
    });

    it('gets no permissions unless given a manifest or allowAll', async () => {
      await start();
      await dial();
      await until(() => fake.attached.length === 1, 'attach');
      expect(fake.attached[0].opts.sockets).to.equal(undefined);
    });

    it('gets every permission with allowAll', async () => {
      await start({ allowAll: true });
      await dial();
      await until(() => fake.attached.length === 1, 'attach');
      expect(fake.attached[0].opts.sockets).to.have.keys('tcp', 'tcpServer', 'udp');
    });

    it('carries messages both ways as binary frames, buffers intact', async () => {
      await start();
      const { ws } = await dial();
      await until(() => fake.attached.length === 1, 'attach');
      const data = new Uint8Array([0, 1, 2, 255]).buffer;
      ws!.send(encodeFrame({ t: 'call', id: 1, ns: 'tcp', m: 'send', a: [3, data] }));
      await until(() => fake.attached[0].received.length === 1, 'call');
      const call = fake.attached[0].received[0] as { a: [number, ArrayBuffer] };
      expect([...new Uint8Array(call.a[1])]).to.deep.equal([0, 1, 2, 255]);

      const down = new Promise<BatchMessage>((resolve) => ws!.once('message', (buf: Buffer) => resolve(decodeFrame(buf) as BatchMessage)));
      const payload = new Uint8Array([9, 8, 7]).buffer;
      fake.attached[0].port.postMessage(
        { t: 'b', m: [{ t: 'e', ns: 'tcp', ev: 'onReceive', arg: { socketId: 3 }, d: [0, 0, 3] }], bufs: [payload] },
        [payload],
      );
      const batch = await down;
      expect(batch.m[0]).to.deep.include({ t: 'e', ev: 'onReceive' });
      expect([...new Uint8Array(batch.bufs[0])]).to.deep.equal([9, 8, 7]);
    });

    it('sends a large payload as a WebSocket message of its own after its batch, the small ones inside it', async () => {
      await start();
      const { ws } = await dial();
      await until(() => fake.attached.length === 1, 'attach');
      const frames: Buffer[] = [];
      ws!.on('message', (buf: Buffer) => frames.push(buf));
      const small = new Uint8Array([1, 2, 3]).buffer;
      const large = new Uint8Array(SEPARATE_PAYLOAD_BYTES).fill(7).buffer;
      fake.attached[0].port.postMessage(
        {
          t: 'b',
          m: [
            { t: 'e', ns: 'tcp', ev: 'onReceive', arg: { socketId: 3 }, d: [0, 0, SEPARATE_PAYLOAD_BYTES] },
            { t: 'e', ns: 'tcp', ev: 'onReceive', arg: { socketId: 4 }, d: [1, 0, 3] },
          ],
          bufs: [large, small],
        },
        [large, small],
      );
      await until(() => frames.length === 2, 'the batch and its payload');
      expect(frames[1].byteLength).to.equal(SEPARATE_PAYLOAD_BYTES);
      const assembler = new DownFrameAssembler();
      expect(assembler.push(new Uint8Array(frames[0]))).to.equal(undefined);
      const batch = assembler.push(new Uint8Array(frames[1])) as BatchMessage;
      expect(batch).to.have.all.keys('t', 'm', 'bufs');
      expect(batch.bufs[0].byteLength).to.equal(SEPARATE_PAYLOAD_BYTES);
      expect(new Uint8Array(batch.bufs[0]).every((b) => b === 7)).to.equal(true);
      expect([...new Uint8Array(batch.bufs[1])]).to.deep.equal([1, 2, 3]);
    });

    it('ends its context when it closes', async () => {
      await start();
      const { ws } = await dial();
      await until(() => fake.attached.length === 1, 'attach');
      ws!.close();
      await until(() => fake.attached[0].closed, 'context end');
    });

    it('is closed by ContextHandle.end()', async () => {
      await start();
      const { ws } = await dial();
      await until(() => fake.attached.length === 1, 'attach');
      const closed = new Promise<number>((resolve) => ws!.once('close', (code) => resolve(code)));
      fake.attached[0].port.close();
      expect(await closed).to.equal(1000);
    });

    it('is dropped for a malformed frame, without reaching the host', async () => {
      await start();
      const { ws } = await dial();
      await until(() => fake.attached.length === 1, 'attach');
      const closed = new Promise<number>((resolve) => ws!.once('close', (code) => resolve(code)));
      ws!.send(Buffer.from([200, 0, 0, 0, 1, 2]));
      expect(await closed).to.equal(1007);
      expect(fake.attached[0].received).to.deep.equal([]);
      await until(() => fake.attached[0].closed, 'context end');
      expect(logs.some((l) => /closing .*Header length exceeds the frame/.test(l))).to.equal(true);
      // The server is still fine.
      const again = await dial();
      expect(again.ws).to.not.equal(undefined);
    });

    it('is dropped for a text frame', async () => {
      await start();
      const { ws } = await dial();
      const closed = new Promise<number>((resolve) => ws!.once('close', (code) => resolve(code)));
      ws!.send('{"t":"hello","v":1}');
      expect(await closed).to.equal(1003);
    });
  });

  describe('refusals', () => {
    it('refuses a missing token, and logs why', async () => {
      await start();
      expect((await dial({ token: null })).status).to.equal(401);
      expect(logs.some((l) => /refused WebSocket .*missing token/.test(l))).to.equal(true);
      expect(fake.attached).to.have.length(0);
    });

    it('refuses a wrong token, and logs why', async () => {
      await start();
      const wrong = server.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      expect((await dial({ token: wrong })).status).to.equal(401);
      expect((await dial({ token: server.token.slice(0, 31) })).status).to.equal(401);
      expect((await dial({ token: server.token + '0' })).status).to.equal(401);
      expect(logs.filter((l) => /refused WebSocket .*wrong token/.test(l))).to.have.length(3);
      expect(fake.attached).to.have.length(0);
    });

    it('refuses a connection without its subprotocol', async () => {
      await start();
      expect((await dial({ protocols: [`token.${server.token}`] })).status).to.equal(401);
      expect(logs.some((l) => /subprotocol/.test(l))).to.equal(true);
    });

    it('refuses a foreign Origin, and logs why', async () => {
      await start();
      expect((await dial({ origin: 'http://evil.example' })).status).to.equal(403);
      expect((await dial({ origin: 'null' })).status).to.equal(403);
      expect((await dial({ origin: `http://127.0.0.1:${server.port + 1}` })).status).to.equal(403);
      expect(logs.filter((l) => /refused WebSocket .*Origin .* is not allowed/.test(l))).to.have.length(3);
      expect(fake.attached).to.have.length(0);
    });

    it('accepts an Origin given with allowOrigins', async () => {
      await start({ allowOrigins: ['http://localhost:5173/'] });
      expect((await dial({ origin: 'http://localhost:5173' })).ws).to.not.equal(undefined);
      expect((await dial({ origin: 'http://localhost:5174' })).status).to.equal(403);
    });

    it('refuses a Host header that is not the address:port served (DNS rebinding)', async () => {
      await start();
      const evil = `evil.example:${server.port}`;
      expect((await dial({ host: evil, origin: `http://${evil}` })).status).to.equal(403);
      expect((await get('/', { Host: evil })).status).to.equal(403);
      expect(logs.filter((l) => /refused .*DNS rebinding/.test(l))).to.have.length(2);
      expect(fake.attached).to.have.length(0);
    });

    it('refuses to bind a non-loopback address unless asked, and warns when asked', async () => {
      const lines: string[] = [];
      let error: unknown;
      try {
        await startBrowserHost({ hostname: '0.0.0.0', socketsHost: new FakeHost() as unknown as SocketsHost, log: (l) => lines.push(l) });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.match(/Refusing to bind non-loopback address '0.0.0.0'/);
      expect(lines.some((l) => /refused to bind 0.0.0.0/.test(l))).to.equal(true);
      // Asking for it (what --host does) is allowed with a warning; checked without binding.
      expect(resolveBindAddress('0.0.0.0', true, (l) => lines.push(l))).to.equal('0.0.0.0');
      expect(lines.some((l) => /WARNING: listening on 0.0.0.0/.test(l))).to.equal(true);
      expect(() => resolveBindAddress('example.com', true, () => {})).to.throw(/not a name/);
    });
  });

  describe('static files', () => {
    it('serves a placeholder at / until the renderer is built', async () => {
      await start();
      const res = await get('/');
      expect(res.status).to.equal(200);
      expect(res.type).to.match(/^text\/html/);
      expect(res.body).to.match(/build the renderer/);
    });

    it('serves dist/renderer/ at / when it exists', async () => {
      const dir = await tempDir();
      await fs.writeFile(path.join(dir, 'index.html'), '<title>debugger</title>');
      await fs.writeFile(path.join(dir, 'app.js'), 'void 0;');
      await start({ rendererDir: dir });
      expect((await get('/')).body).to.equal('<title>debugger</title>');
      const js = await get('/app.js');
      expect(js.type).to.match(/^text\/javascript/);
      expect((await get('/nope.js')).status).to.equal(404);
    });

    it('serves the page bundle under /browser/ and nothing outside its folders', async () => {
      const dir = await tempDir();
      await fs.mkdir(path.join(dir, 'browser'));
      await fs.mkdir(path.join(dir, 'renderer'));
      await fs.writeFile(path.join(dir, 'secret.txt'), 'secret');
      await fs.writeFile(path.join(dir, 'browser', 'index.mjs'), 'export {};');
      await fs.writeFile(path.join(dir, 'browser', '.hidden'), 'hidden');
      await start({ browserDir: path.join(dir, 'browser'), rendererDir: path.join(dir, 'renderer') });
      const res = await get('/browser/index.mjs');
      expect(res.status).to.equal(200);
      expect(res.type).to.match(/^text\/javascript/);
      for (const bad of ['/browser/%2e%2e/secret.txt', '/browser/..%2fsecret.txt', '/%2e%2e/secret.txt', '/browser/.hidden', '/browser/']) {
        const r = await get(bad);
        expect(r.status, bad).to.equal(404);
        expect(r.body, bad).to.not.contain('secret');
      }
    });
  });
});

describe('browser host request checks', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).to.equal(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'localhost']) expect(isLoopbackAddress(a), a).to.equal(false);
  });

  it('accepts only the served address:port (and localhost) as Host', () => {
    expect(checkHostHeader('127.0.0.1:80', '127.0.0.1', 80)).to.equal(undefined);
    expect(checkHostHeader('localhost:80', '127.0.0.1', 80)).to.equal(undefined);
    expect(checkHostHeader('[::1]:80', '::1', 80)).to.equal(undefined);
    expect(checkHostHeader('127.0.0.1:81', '127.0.0.1', 80)).to.match(/not the address:port/);
    expect(checkHostHeader('127.0.0.1', '127.0.0.1', 80)).to.equal(undefined);
    expect(checkHostHeader('127.0.0.1', '127.0.0.1', 8080)).to.match(/not the address:port/);
    expect(checkHostHeader('127.0.0.1:80:80', '127.0.0.1', 80)).to.match(/not the address:port/);
    expect(checkHostHeader('127.0.0.2:80', '127.0.0.1', 80)).to.match(/rebinding/);
    expect(checkHostHeader('rebind.example:80', '127.0.0.1', 80)).to.match(/rebinding/);
    expect(checkHostHeader(undefined, '127.0.0.1', 80)).to.match(/missing/);
    // A wildcard bind (--host 0.0.0.0) accepts IP literals, never names.
    expect(checkHostHeader('192.168.1.5:80', '0.0.0.0', 80)).to.equal(undefined);
    expect(checkHostHeader('rebind.example:80', '0.0.0.0', 80)).to.match(/rebinding/);
  });

  it('accepts its own origin, listed origins and no Origin at all', () => {
    const allowed = new Set(['http://localhost:3000']);
    expect(checkOrigin('http://127.0.0.1:80', '127.0.0.1:80', allowed)).to.equal(undefined);
    expect(checkOrigin('http://localhost:3000', '127.0.0.1:80', allowed)).to.equal(undefined);
    expect(checkOrigin(undefined, '127.0.0.1:80', allowed)).to.equal(undefined);
    expect(checkOrigin('https://127.0.0.1:80', '127.0.0.1:80', allowed)).to.match(/not allowed/);
    expect(checkOrigin('null', '127.0.0.1:80', allowed)).to.match(/not allowed/);
    expect(checkOrigin('garbage', '127.0.0.1:80', allowed)).to.match(/not allowed/);
  });
});
