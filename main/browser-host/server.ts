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
import { ALLOW_ALL_SOCKETS, SocketsPolicy } from '../permissions';
import type { SocketsHostOptions } from '../types';
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
import { WebSocketHostPort } from './ws-host-port';

/** The WebSocket endpoint's path. */
export const WEBSOCKET_PATH = BROWSER_HOST_PATHS.websocket;
const INSPECT_PATH = BROWSER_HOST_PATHS.inspect;
/** The app page contexts belong to when `app` is not given. */
export const DEFAULT_APP = 'browser';
/**
 * Largest message a page may send. A single `send` may carry up to Chrome's write quota
 * (200 MiB), plus the frame header.
 */
const MAX_UP_MESSAGE = 201 * 1024 * 1024;

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
  /** The app manifest's `"sockets"` section. Without it (and without `allowAll`) nothing is permitted. */
  sockets?: SocketsManifest;
  /** Grant every socket permission (ALLOW_ALL_SOCKETS). */
  allowAll?: boolean;
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
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_UP_MESSAGE,
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
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.add(ws);
      ws.on('close', () => connections.delete(ws));
      const label = `${req.headers.origin ?? 'no-origin'} ${who}`;
      const extra = options.connection?.(req) ?? {};
      if (extra.closed !== undefined) ws.on('close', extra.closed);
      try {
        host.attachPort(new WebSocketHostPort(ws, log, label, socket as Socket), {
          app,
          sockets,
          background: extra.background,
          label: extra.label ?? `browser ${label}`,
        });
      } catch (err) {
        // E.g. a host disposed by its owner while the server still runs.
        log(`browser-host: could not attach ${label}: ${err instanceof Error ? err.message : String(err)}`);
        ws.close(1011, 'host unavailable');
      }
    });
  });

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

  return { url, token, port, host, close };
}
