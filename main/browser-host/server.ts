/**
 * The browser host: a SocketsHost behind a loopback HTTP + WebSocket server, so that a page in
 * any browser gets the same chrome.sockets API as in Electron. One WebSocket connection is one
 * page context of one app; when it closes, the context ends (Chrome's lifetime rules then close
 * the app's non-persistent sockets, and persistent ones wait for the next page's getSockets).
 */
import { BROWSER_HOST_PATHS } from '../../common/browser-host-paths';
import * as http from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SocketsManifest } from '../../common/api-types';
import { SocketsHost } from '../host';
import { encodeTapAnswer } from '../tap';
import { ALLOW_ALL_SOCKETS, SocketsPolicy } from '../permissions';
import type { AttachOptions, SocketsHostOptions } from '../types';
import {
  checkBearer,
  checkHostHeader,
  checkOrigin,
  checkToken,
  digest,
  hostForUrl,
  isLoopbackAddress,
  isWildcardAddress,
  newToken,
  normalizeOrigin,
  offeredProtocols,
  SUBPROTOCOL,
} from './request-checks';
import { DEFAULT_BROWSER_DIR, DEFAULT_RENDERER_DIR, serveStatic } from './static-files';
import { DEFAULT_MAX_HEADER_BYTES, WebSocketHostPort } from './ws-host-port';

/** The WebSocket endpoint's path. */
export const WEBSOCKET_PATH = BROWSER_HOST_PATHS.websocket;
const INSPECT_PATH = BROWSER_HOST_PATHS.inspect;
/** Largest tap request body (they are a few dozen bytes). */
const TAP_BODY_LIMIT = 4096;
/** The app page contexts belong to when `app` is not given. */
export const DEFAULT_APP = 'browser';
/** Page connections served at once unless `maxConnections` says otherwise. */
export const DEFAULT_MAX_CONNECTIONS = 16;
/**
 * Bytes of unfinished messages (received, not yet complete) all connections together may hold,
 * unless `maxUnfinishedBytes` says otherwise. Past it the connection that pushed it over closes
 * with 1009.
 */
export const DEFAULT_MAX_UNFINISHED_BYTES = 256 * 1024 * 1024;
const MESSAGE_TOO_BIG = 1009;

export interface BrowserHostOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind. Default `127.0.0.1`. Must be an IP literal or `localhost`. */
  hostname?: string;
  /**
   * Required to bind anything but a loopback address (the CLI's `--host` sets it): such a
   * server is reachable from the network, guarded only by the token.
   */
  allowNonLoopback?: boolean;
  /** Origins besides the server's own that may connect, e.g. `http://localhost:5173`. */
  allowOrigins?: readonly string[];
  /** The app every page context belongs to. Default `"browser"`. */
  app?: string;
  /** The app's `chrome.runtime.id` (AttachOptions.appId); default derived from `app`. */
  appId?: string;
  /** The app manifest's `"sockets"` section. Without it (and without `allowAll`) nothing is permitted. */
  sockets?: SocketsManifest;
  /** Grant every socket permission (ALLOW_ALL_SOCKETS). */
  allowAll?: boolean;
  /** The other socket APIs pages may use (`'mozTCPSocket'`, `'direct'`, `'w3c'`, `'chrome.socket'`); see AttachOptions.apis. */
  apis?: AttachOptions['apis'];
  /** Options for the SocketsHost the server creates (TLS CAs, quotas, flow control…). */
  hostOptions?: SocketsHostOptions;
  /** Use this host instead of creating one; `close()` then leaves it running. */
  socketsHost?: SocketsHost;
  /** Served at `/`. Default: the package's dist/renderer/. */
  rendererDir?: string;
  /** Served at `/browser/`. Default: the package's dist/browser/. */
  browserDir?: string;
  /** Where refusals and warnings go. Default: console.warn. */
  log?: (line: string) => void;
  /** Page connections (WebSockets) served at once; more are refused with 503. Default 16. */
  maxConnections?: number;
  /**
   * Largest JSON header of a message from a page, checked before it is parsed; past it the
   * connection closes with 1009. Default 1 MiB. The largest message accepted is this plus the
   * largest payload a call can carry (the host's write quota, 200 MiB by default).
   */
  maxHeaderBytes?: number;
  /**
   * Bytes of partly received messages all connections together may hold; the connection that
   * goes past it closes with 1009. Default 256 MiB.
   */
  maxUnfinishedBytes?: number;
  /**
   * Answers HTTP requests instead of the debugging window's files (the Chrome App runner serves
   * the app's files at the origin root). Called after the Host check.
   */
  serveRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /**
   * Per-connection attach options (after the token, Origin and Host checks passed) and a
   * callback for the connection's end. The runner marks the background page's connection.
   */
  connection?: (req: http.IncomingMessage) => { background?: boolean; label?: string; closed?: () => void };
}

export interface BrowserHost {
  /** `http://127.0.0.1:<port>/#token=<token>`: open it in a browser. */
  readonly url: string;
  /** The 128-bit token, 32 hex digits. */
  readonly token: string;
  readonly port: number;
  /** The SocketsHost behind the server. */
  readonly host: SocketsHost;
  /** The HTTP server (it has an 'error' listener that logs; add your own to act on errors). */
  readonly server: http.Server;
  /** Closes every page connection and the server, then disposes the host it created. */
  close(): Promise<void>;
}

/**
 * The address to listen on: loopback unless `allowNonLoopback`, then with a printed warning.
 * Throws (and logs) for a refused address.
 */
export function resolveBindAddress(hostname: string, allowNonLoopback: boolean, log: (line: string) => void): string {
  const address = hostname === 'localhost' ? '127.0.0.1' : hostname.replace(/^\[|\]$/g, '');
  if (isIP(address) === 0) throw new Error(`Refusing to bind '${hostname}': give an IP address, not a name`);
  if (isLoopbackAddress(address)) return address;
  if (!allowNonLoopback) {
    log(`browser-host: refused to bind ${hostname}: not a loopback address (use --host to ask for it)`);
    throw new Error(`Refusing to bind non-loopback address '${hostname}' without allowNonLoopback (--host)`);
  }
  log(
    `browser-host: WARNING: listening on ${hostname}, reachable from ${isWildcardAddress(address) ? 'every network interface' : 'the network'}. ` +
      'Anyone who learns the token can open sockets from this machine.',
  );
  return address;
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`,
  );
}

function peer(req: http.IncomingMessage): string {
  const s = req.socket;
  return `${hostForUrl(s.remoteAddress ?? '?')}:${s.remotePort ?? '?'}`;
}

/** Starts a browser host. Resolves once it listens. */
export async function startBrowserHost(options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const bindAddress = resolveBindAddress(options.hostname ?? '127.0.0.1', options.allowNonLoopback ?? false, log);
  const allowedOrigins = new Set((options.allowOrigins ?? []).map(normalizeOrigin));
  const app = options.app ?? DEFAULT_APP;
  const sockets = options.allowAll ? ALLOW_ALL_SOCKETS : options.sockets;
  // A bad manifest fails here, as an app with one fails to load, not at the first page.
  SocketsPolicy.parse(sockets);
  const token = newToken();
  const tokenDigest = digest(token);
  const ownsHost = options.socketsHost === undefined;
  const host = options.socketsHost ?? new SocketsHost({ log: (line) => log(`browser-host: host: ${line}`), ...options.hostOptions });
  const staticOptions = {
    rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
    browserDir: options.browserDir ?? DEFAULT_BROWSER_DIR,
    allowedOrigins,
  };

  let port = 0;
  const connections = new Set<WebSocket>();
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxUnfinishedBytes = options.maxUnfinishedBytes ?? DEFAULT_MAX_UNFINISHED_BYTES;
  /** Upgrades accepted but not yet open: they count towards maxConnections too. */
  let upgrading = 0;
  /** Bytes of unfinished messages across all connections. */
  let unfinishedBytes = 0;
  const wss = new WebSocketServer({
    noServer: true,
    // The largest call is a send of the whole write quota; its frame adds the length prefix
    // and a header of at most maxHeaderBytes.
    maxPayload: 4 + maxHeaderBytes + host.writeQuota,
    perMessageDeflate: false,
    handleProtocols: () => SUBPROTOCOL,
  });

  const server = http.createServer((req, res) => {
    const hostRefusal = checkHostHeader(req.headers.host, bindAddress, port);
    if (hostRefusal !== undefined) {
      log(`browser-host: refused HTTP ${req.method} ${req.url} from ${peer(req)}: ${hostRefusal}`);
      res.writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Forbidden\n');
      return;
    }
    if ((req.url ?? '').split('?', 1)[0] === INSPECT_PATH) return serveInspection(req, res);
    if ((req.url ?? '').split('?', 1)[0] === BROWSER_HOST_PATHS.tap) return serveTap(req, res);
    (options.serveRequest !== undefined ? options.serveRequest(req, res) : serveStatic(req, res, staticOptions)).catch((err: unknown) => {
      log(`browser-host: serving ${req.url}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  /**
   * The debugging window's Inspector: every socket and context of the host, read-only. It
   * needs the same token as the WebSocket (as a Bearer header), so only a page that could use
   * the sockets anyway can see them.
   */
  function serveInspection(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refusal = req.method !== 'GET' ? `method ${req.method}` : checkBearer(req.headers.authorization, tokenDigest);
    if (refusal !== undefined) {
      log(`browser-host: refused ${req.method} ${INSPECT_PATH} from ${peer(req)}: ${refusal}`);
      res.writeHead(req.method !== 'GET' ? 405 : 401, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Refused\n');
      return;
    }
    const body = JSON.stringify({ ...host.inspect(), takenAt: Date.now() });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end(body);
  }

  /**
   * The debugging window's tap (main/tap.ts): POST a JSON request with the token as a Bearer
   * header. Requests are small (at most TAP_BODY_LIMIT bytes); payloads come back as base64.
   */
  function serveTap(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refusal = req.method !== 'POST' ? `method ${req.method}` : checkBearer(req.headers.authorization, tokenDigest);
    if (refusal !== undefined) {
      log(`browser-host: refused ${req.method} ${BROWSER_HOST_PATHS.tap} from ${peer(req)}: ${refusal}`);
      res.writeHead(req.method !== 'POST' ? 405 : 401, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Refused\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > TAP_BODY_LIMIT) {
        res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Request too large\n');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let answer: unknown;
      try {
        answer = encodeTapAnswer(host.tap.handle(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      } catch (error) {
        res
          .writeHead(400, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' })
          .end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
        .end(JSON.stringify(answer));
    });
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const who = peer(req);
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== WEBSOCKET_PATH) {
      log(`browser-host: refused WebSocket from ${who}: unknown path '${req.url}'`);
      return refuse(socket, 404, 'Not Found');
    }
    const hostHeader = req.headers.host;
    const forbidden = checkHostHeader(hostHeader, bindAddress, port) ?? checkOrigin(req.headers.origin, hostHeader ?? '', allowedOrigins);
    const unauthorized =
      forbidden === undefined ? checkToken(offeredProtocols(req.headers['sec-websocket-protocol']), tokenDigest) : undefined;
    const reason = forbidden ?? unauthorized;
    if (reason !== undefined) {
      log(`browser-host: refused WebSocket from ${who}${req.headers.origin ? ` (Origin ${req.headers.origin})` : ''}: ${reason}`);
      return forbidden !== undefined ? refuse(socket, 403, 'Forbidden') : refuse(socket, 401, 'Unauthorized');
    }
    if (connections.size + upgrading >= maxConnections) {
      log(`browser-host: refused WebSocket from ${who}: ${maxConnections} connections already open (maxConnections)`);
      return refuse(socket, 503, 'Service Unavailable');
    }
    // Counted until it opens or fails (ws calls back only on success).
    upgrading++;
    let counted = true;
    const uncount = (): void => {
      if (counted) upgrading--;
      counted = false;
    };
    socket.once('close', uncount);
    wss.handleUpgrade(req, socket, head, (ws) => {
      uncount();
      connections.add(ws);
      const label = `${req.headers.origin ?? 'no-origin'} ${who}`;
      boundUnfinished(ws, socket as Socket, label);
      ws.on('close', () => connections.delete(ws));
      const extra = options.connection?.(req) ?? {};
      if (extra.closed !== undefined) ws.on('close', extra.closed);
      try {
        host.attachPort(new WebSocketHostPort(ws, log, label, socket as Socket, maxHeaderBytes), {
          app,
          appId: options.appId,
          sockets,
          background: extra.background,
          label: extra.label ?? `browser ${label}`,
          apis: options.apis,
        });
      } catch (err) {
        // E.g. a host disposed by its owner while the server still runs.
        log(`browser-host: could not attach ${label}: ${err instanceof Error ? err.message : String(err)}`);
        ws.close(1011, 'host unavailable');
      }
    });
  });

  /**
   * Counts the bytes of the message a connection is receiving (everything read since its last
   * complete message) against the budget all connections share; the connection that goes past
   * it is closed with 1009, and what it held is freed.
   */
  function boundUnfinished(ws: WebSocket, socket: Socket, label: string): void {
    let held = 0;
    const release = (): void => {
      unfinishedBytes -= held;
      held = 0;
    };
    // Before ws's own listener, so the budget is checked before ws buffers the chunk.
    socket.prependListener('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      held += chunk.byteLength;
      unfinishedBytes += chunk.byteLength;
      if (unfinishedBytes <= maxUnfinishedBytes) return;
      log(`browser-host: closing ${label}: unfinished messages over ${maxUnfinishedBytes} bytes (maxUnfinishedBytes)`);
      release();
      ws.close(MESSAGE_TOO_BIG, 'too much unfinished data');
      // Read nothing more; once the close frame is out, drop the connection and its buffers.
      socket.pause();
      socket.end(() => ws.terminate());
    });
    ws.on('message', release);
    ws.on('close', release);
  }

  server.on('connection', (socket: Socket) => socket.setNoDelay(true));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // E.g. EADDRINUSE for --port: nothing may outlive the failed start.
    wss.close();
    if (ownsHost) await host.dispose();
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  // After listening, an error (e.g. EMFILE while accepting) must be logged, not thrown.
  server.on('error', (err) => log(`browser-host: server error: ${err.message}`));
  const urlHost = isWildcardAddress(bindAddress) ? (isIP(bindAddress) === 6 ? '[::1]' : '127.0.0.1') : hostForUrl(bindAddress);
  const url = `http://${urlHost}:${port}/#token=${token}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      // Terminate: the pages are going away with the server, a closing handshake adds nothing.
      for (const ws of connections) ws.terminate();
      wss.close();
      await closed;
      if (ownsHost) await host.dispose();
    })());

  return { url, token, port, host, server, close };
}
