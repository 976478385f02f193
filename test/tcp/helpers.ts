/**
 * Shared helpers for the spec-driven chrome.sockets.tcp suite (and anyone else who drives the
 * test host against real local servers): cleanup registered next to each resource, local
 * TCP / HTTP / TLS servers, a test certificate, a mock resolver, callback capture and event waiters.
 */
import { execFileSync } from 'node:child_process';
import type * as dns from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type * as api from '../../common/api-types';
import type { ChromeEvent } from '../../preload/facade';
import { createTestHost, type TestHost, type TestHostOptions } from '../../testing';
import { until as waitUntil } from '../support/wait';

// ---- cleanup ----------------------------------------------------------------------------------

/** Closers run in reverse order of registration, so a socket closes before its server. */
export class Cleanup {
  private closers: Array<() => unknown> = [];

  add(closer: () => unknown): void {
    this.closers.push(closer);
  }

  async run(): Promise<void> {
    const closers = this.closers.reverse();
    this.closers = [];
    for (const closer of closers) {
      try {
        await closer();
      } catch {
        // Cleanup of one resource must not keep the others open.
      }
    }
  }
}

/** A Cleanup whose closers run after each test of the enclosing describe. */
export function useCleanup(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());
  return cleanup;
}

// ---- the API under test -----------------------------------------------------------------------

type Fn = (...args: any[]) => any;

/**
 * chrome.sockets.tcp's functions and events (loosely typed: the suite also calls them wrongly on
 * purpose). types/check/api-agrees.ts keeps the list equal to types/chrome-sockets.d.ts.
 */
export interface TcpApi {
  create: Fn;
  update: Fn;
  setPaused: Fn;
  setKeepAlive: Fn;
  setNoDelay: Fn;
  connect: Fn;
  disconnect: Fn;
  secure: Fn;
  send: Fn;
  close: Fn;
  getInfo: Fn;
  getSockets: Fn;
  onReceive: ChromeEvent<(info: api.tcp.ReceiveInfo) => void>;
  onReceiveError: ChromeEvent<(info: api.tcp.ReceiveErrorInfo) => void>;
}

export interface Host extends TestHost {
  readonly tcp: TcpApi;
}

/** A test host closed after the test. */
export async function openHost(cleanup: Cleanup, options?: TestHostOptions): Promise<Host> {
  const t = await createTestHost(options);
  cleanup.add(() => t.close());
  return Object.assign(t, { tcp: t.chrome.sockets.tcp as unknown as TcpApi });
}

/** What a callback received: its arguments, and chrome.runtime.lastError's text read inside it. */
export interface Answer {
  args: unknown[];
  lastError: string | undefined;
}

/**
 * Calls an API function in callback style and captures exactly what Chrome would hand the
 * callback. `start` gets the callback to pass: `answer(t, (cb) => t.tcp.getInfo(id, cb))`.
 */
export function answer(t: TestHost, start: (callback: (...args: unknown[]) => void) => void, timeoutMs = 3000): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callback not called within ${timeoutMs} ms`)), timeoutMs);
    start((...args: unknown[]) => {
      clearTimeout(timer);
      resolve({ args, lastError: t.chrome.runtime.lastError?.message });
    });
  });
}

/** The callback of a call that must succeed; fails the test with lastError otherwise. */
export async function ok<T = unknown>(t: TestHost, start: (callback: (...args: unknown[]) => void) => void): Promise<T> {
  const result = await answer(t, start);
  if (result.lastError !== undefined) throw new Error(`unexpected lastError: ${result.lastError}`);
  return result.args[0] as T;
}

export async function createSocket(t: Host, properties?: api.tcp.SocketProperties): Promise<number> {
  const info = await ok<api.tcp.CreateInfo>(t, (cb) => (properties === undefined ? t.tcp.create(cb) : t.tcp.create(properties, cb)));
  return info.socketId;
}

export function getInfo(t: Host, socketId: number): Promise<api.tcp.SocketInfo> {
  return ok<api.tcp.SocketInfo>(t, (cb) => t.tcp.getInfo(socketId, cb));
}

/**
 * A new socket connected to `port`. With `paused`, it is paused before connect, as secure()
 * needs (spec §4.4).
 */
export async function connectedSocket(
  t: Host,
  port: number,
  options: { address?: string; paused?: boolean; properties?: api.tcp.SocketProperties } = {},
): Promise<number> {
  const id = await createSocket(t, options.properties);
  if (options.paused) await ok(t, (cb) => t.tcp.setPaused(id, true, cb));
  const result = await ok<number>(t, (cb) => t.tcp.connect(id, options.address ?? '127.0.0.1', port, cb));
  if (result !== 0) throw new Error(`connect gave ${result}`);
  return id;
}

export function sendBytes(t: Host, socketId: number, data: ArrayBuffer | ArrayBufferView): Promise<api.tcp.SendInfo> {
  return ok<api.tcp.SendInfo>(t, (cb) => t.tcp.send(socketId, data, cb));
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

// ---- waiting ----------------------------------------------------------------------------------

export { delay, until as waitUntil } from '../support/wait';

/**
 * Waits until nothing more can be on its way: two getSockets round trips. The host runs in this
 * process on the same event loop, so data a peer had flushed before this call is already in the
 * socket's receive buffer (loopback); a socket that reads would have read it, and the host sends
 * the event ahead of the second answer. Pair it with {@link peerWrite} for "nothing arrives".
 */
export async function settled(t: Host): Promise<void> {
  for (let i = 0; i < 2; i++) await ok(t, (cb) => t.tcp.getSockets(cb));
}

/** Writes on a peer's socket and resolves once Node handed the bytes to the kernel. */
export function peerWrite(socket: net.Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/** The bytes the host has read from a TCP socket so far (delivered or not), from its inspect() view. */
export function hostBytesRead(t: Host, socketId: number): number {
  const socket = t.host.inspect().sockets.find((s) => s.kind === 'tcp' && s.id === socketId);
  if (socket === undefined) throw new Error(`the host has no tcp socket ${socketId}`);
  return socket.bytesReceived;
}

export type Recorded =
  | { kind: 'receive'; socketId: number; data: Buffer; byteLength: number; isArrayBuffer: boolean }
  | { kind: 'error'; socketId: number; resultCode: number; info: api.tcp.ReceiveErrorInfo }
  | { kind: 'mark'; label: string };

/**
 * Records onReceive and onReceiveError, in arrival order, with marks the test adds (e.g. "the
 * connect callback ran") so orderings can be asserted. Listeners are removed after the test.
 */
export class EventLog {
  readonly entries: Recorded[] = [];

  constructor(t: Host, cleanup: Cleanup) {
    const onReceive = (info: api.tcp.ReceiveInfo): void => {
      this.entries.push({
        kind: 'receive',
        socketId: info.socketId,
        data: Buffer.from(new Uint8Array(info.data)),
        byteLength: info.data.byteLength,
        isArrayBuffer: Object.prototype.toString.call(info.data) === '[object ArrayBuffer]',
      });
    };
    const onReceiveError = (info: api.tcp.ReceiveErrorInfo): void => {
      this.entries.push({ kind: 'error', socketId: info.socketId, resultCode: info.resultCode, info });
    };
    t.tcp.onReceive.addListener(onReceive);
    t.tcp.onReceiveError.addListener(onReceiveError);
    cleanup.add(() => {
      t.tcp.onReceive.removeListener(onReceive);
      t.tcp.onReceiveError.removeListener(onReceiveError);
    });
  }

  mark(label: string): void {
    this.entries.push({ kind: 'mark', label });
  }

  receives(socketId: number): Array<Extract<Recorded, { kind: 'receive' }>> {
    return this.entries.filter((e): e is Extract<Recorded, { kind: 'receive' }> => e.kind === 'receive' && e.socketId === socketId);
  }

  errors(socketId: number): Array<Extract<Recorded, { kind: 'error' }>> {
    return this.entries.filter((e): e is Extract<Recorded, { kind: 'error' }> => e.kind === 'error' && e.socketId === socketId);
  }

  /** Everything received on the socket so far, concatenated. */
  received(socketId: number): Buffer {
    return Buffer.concat(this.receives(socketId).map((e) => e.data));
  }

  /** Event kinds and marks for one socket, in order: `['mark:connected', 'receive', 'error:-100']`. */
  sequence(socketId: number): string[] {
    return this.entries.flatMap((e) => {
      if (e.kind === 'mark') return [`mark:${e.label}`];
      if (e.socketId !== socketId) return [];
      return e.kind === 'receive' ? ['receive'] : [`error:${e.resultCode}`];
    });
  }

  waitForBytes(socketId: number, count: number, timeoutMs?: number): Promise<Buffer> {
    return waitUntil(() => this.received(socketId).length >= count, `${count} bytes on socket ${socketId}`, timeoutMs).then(() =>
      this.received(socketId),
    );
  }

  async waitForError(socketId: number, timeoutMs?: number): Promise<Extract<Recorded, { kind: 'error' }>> {
    await waitUntil(() => this.errors(socketId).length > 0, `onReceiveError on socket ${socketId}`, timeoutMs);
    return this.errors(socketId)[0];
  }
}

// ---- servers ----------------------------------------------------------------------------------

export interface LocalServer {
  readonly server: net.Server;
  readonly address: string;
  readonly port: number;
  /** Every connection accepted so far, in order. */
  readonly connections: net.Socket[];
  /** The next accepted connection (or the first one not yet taken). */
  nextConnection(timeoutMs?: number): Promise<net.Socket>;
}

function listen(server: net.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Wraps a listening server: tracks connections and closes everything after the test. */
async function track(
  cleanup: Cleanup,
  server: net.Server,
  address: string,
  event: 'connection' | 'secureConnection',
): Promise<LocalServer> {
  const connections: net.Socket[] = [];
  const waiting: Array<(socket: net.Socket) => void> = [];
  let taken = 0;
  server.on(event, (socket: net.Socket) => {
    socket.on('error', () => {});
    connections.push(socket);
    const waiter = waiting.shift();
    if (waiter !== undefined) {
      taken++;
      waiter(socket);
    }
  });
  const port = await listen(server, address);
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        server.close(() => resolve());
        (server as http.Server).closeAllConnections?.();
      }),
  );
  return {
    server,
    address,
    port,
    connections,
    nextConnection(timeoutMs = 2000) {
      if (taken < connections.length) return Promise.resolve(connections[taken++]);
      return new Promise<net.Socket>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no connection accepted')), timeoutMs);
        waiting.push((socket) => {
          clearTimeout(timer);
          resolve(socket);
        });
      });
    },
  };
}

/** A plain TCP server on `address`:0; `onConnection` decides what each connection does. */
export async function startTcpServer(
  cleanup: Cleanup,
  onConnection: (socket: net.Socket) => void = () => {},
  address = '127.0.0.1',
): Promise<LocalServer> {
  const server = net.createServer(onConnection);
  return track(cleanup, server, address, 'connection');
}

/** A TCP echo server: every byte received is written back. */
export function startEchoServer(cleanup: Cleanup, address = '127.0.0.1'): Promise<LocalServer> {
  return startTcpServer(cleanup, (socket) => socket.pipe(socket), address);
}

/** A TLS echo server with the given certificate. `options` can restrict versions etc. */
export async function startTlsEchoServer(cleanup: Cleanup, cert: TestCertificate, options: tls.TlsOptions = {}): Promise<LocalServer> {
  const server = tls.createServer({ key: cert.key, cert: cert.cert, ...options }, (socket) => socket.pipe(socket));
  // Handshake failures are the subject of some tests; they must not crash the server.
  server.on('tlsClientError', () => {});
  return track(cleanup, server, '127.0.0.1', 'secureConnection');
}

function echoHandler(request: http.IncomingMessage, response: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST' || request.url !== '/echo') {
      response.writeHead(404, { 'Content-Length': 0 });
      response.end();
      return;
    }
    const body = Buffer.concat(chunks);
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    response.end(body);
  });
}

/** Chromium's test server's echo: `POST /echo` answers with the request body. */
export async function startHttpEchoServer(cleanup: Cleanup): Promise<LocalServer> {
  // Chromium's request has no Host header, which Node's HTTP/1.1 server refuses by default.
  return track(cleanup, http.createServer({ requireHostHeader: false }, echoHandler), '127.0.0.1', 'connection');
}

export async function startHttpsEchoServer(cleanup: Cleanup, cert: TestCertificate): Promise<LocalServer> {
  const server = https.createServer({ key: cert.key, cert: cert.cert, requireHostHeader: false }, echoHandler);
  server.on('tlsClientError', () => {});
  return track(cleanup, server, '127.0.0.1', 'secureConnection');
}

/**
 * The request body of Chromium's sockets_tcp test: with its headers it is 62 bytes, the size
 * the write-quota test sends.
 */
export const ECHO_BODY = '0100000005320000005';
export const ECHO_REQUEST = `POST /echo HTTP/1.1\r\nContent-Length: ${ECHO_BODY.length}\r\n\r\n${ECHO_BODY}`;

/** A port nothing listens on (bound, then released), for connection-refused cases. */
export async function closedPort(address = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, address);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- TLS certificate --------------------------------------------------------------------------

export interface TestCertificate {
  key: string;
  cert: string;
}

let certificate: TestCertificate | undefined;

/**
 * A self-signed certificate for `localhost`, `xn--bcher-kva.test` and `127.0.0.1` (subjectAltName DNS and IP), made
 * once per run with the openssl CLI in a temporary directory. Trust it with `tls: { ca: cert }`.
 */
export function testCertificate(): TestCertificate {
  if (certificate !== undefined) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'tcp-spec-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        // bücher.test as an A-label, for the IDN canonicalisation case (spec §4.4).
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:xn--bcher-kva.test',
      ],
      { stdio: 'ignore' },
    );
    certificate = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- mock DNS ---------------------------------------------------------------------------------

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A dns.lookup-compatible resolver over a fixed table, as Chromium's tests use a mock host
 * resolver. Names map to one address or several (tried in order). Unknown names fail with
 * ENOTFOUND. `held` keeps every lookup pending until it settles.
 */
export function mockLookup(table: Record<string, string | string[]>, options: { held?: Promise<unknown> } = {}) {
  const calls: string[] = [];
  const lookup = (hostname: string, opts: unknown, callback?: unknown): void => {
    const cb = (typeof opts === 'function' ? opts : callback) as LookupCallback;
    const o = (typeof opts === 'object' && opts !== null ? opts : typeof opts === 'number' ? { family: opts } : {}) as dns.LookupOptions;
    calls.push(hostname);
    const answer = (): void => {
      const entry = table[hostname.toLowerCase()];
      const family = o.family === 'IPv4' ? 4 : o.family === 'IPv6' ? 6 : (o.family ?? 0);
      const all = (entry === undefined ? [] : Array.isArray(entry) ? entry : [entry])
        .map((address) => ({ address, family: net.isIP(address) }))
        .filter((a) => family === 0 || a.family === family);
      if (all.length === 0) {
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
          hostname,
        }) as NodeJS.ErrnoException;
        return cb(error, o.all ? [] : '', 0);
      }
      if (o.all) cb(null, all);
      else cb(null, all[0].address, all[0].family);
    };
    if (options.held) void options.held.then(answer, answer);
    else process.nextTick(answer);
  };
  return Object.assign(lookup as unknown as NonNullable<TestHostOptions['lookup']>, { calls });
}
