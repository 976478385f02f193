/**
 * `connectBrowserHost(url, token)`: opens a page context on a browser host and returns the same
 * `chrome` object (sockets.tcp / tcpServer / udp, runtime.lastError) a page gets in Electron.
 */
import { BROWSER_HOST_PATHS } from '../common/browser-host-paths';
import { PageChannel } from '../preload/channel';
import { createDirectSockets, type DirectSockets } from '../preload/direct/direct-sockets';
import { createChromeSockets, type ChromeSockets } from '../preload/facade';
import { createMozTCPSocket, type LegacyMozTCPSocket } from '../preload/moz/moz-tcp-socket';
import { createW3cSockets, type W3CSockets } from '../preload/w3c/w3c-sockets';
import { createChromeSocket, type ChromeSocketLegacy } from '../preload/legacy/chrome-socket';
import { WebSocketPagePort } from './ws-page-port';

/** Must match main/browser-host/request-checks.ts. */
const SUBPROTOCOL = 'electron-chrome-sockets';
const TOKEN_PROTOCOL_PREFIX = 'token.';
const WEBSOCKET_PATH = BROWSER_HOST_PATHS.websocket;

export type FacadeOptions = Parameters<typeof createChromeSockets>[1];

export interface ConnectOptions {
  /** Passed to createChromeSockets. */
  facade?: FacadeOptions;
  /** Give up opening the connection after this long. Default 10 s. */
  timeoutMs?: number;
  /** Query parameters for the WebSocket URL (the Chrome App runner's `role=background`). */
  query?: Readonly<Record<string, string>>;
}

/** The token in a browser host URL's fragment (`#token=…`), if any. */
export function tokenFromUrl(url: string): string | undefined {
  const hash = new URL(url, globalThis.location?.href).hash.replace(/^#/, '');
  const token = new URLSearchParams(hash).get('token');
  return token === null || token === '' ? undefined : token;
}

/** `http://127.0.0.1:1234/#token=…` → `ws://127.0.0.1:1234/ws`. */
export function webSocketUrl(url: string): string {
  const u = new URL(url, globalThis.location?.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`Not a browser host URL: ${url}`);
  u.pathname = WEBSOCKET_PATH;
  u.search = '';
  u.hash = '';
  return u.href;
}

/**
 * Opens the WebSocket and resolves with the page's port once the host accepted it. The token
 * travels as a WebSocket subprotocol (`token.<hex>`), so it is in no URL the server sees.
 */
export function openBrowserHostPort(url: string, token?: string, options: ConnectOptions = {}): Promise<WebSocketPagePort> {
  const secret = token ?? tokenFromUrl(url);
  if (secret === undefined || !/^[0-9a-f]+$/i.test(secret)) {
    return Promise.reject(
      new TypeError('connectBrowserHost: missing or malformed token (expected the #token=… of the URL the host printed)'),
    );
  }
  const wsUrl = new URL(webSocketUrl(url));
  for (const [key, value] of Object.entries(options.query ?? {})) wsUrl.searchParams.set(key, value);
  const ws = new WebSocket(wsUrl.href, [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + secret]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('timed out'), options.timeoutMs ?? 10_000);
    function settle(): void {
      clearTimeout(timer);
      ws.removeEventListener('open', opened);
      ws.removeEventListener('close', closed);
    }
    function fail(why: string): void {
      settle();
      ws.close();
      reject(
        new Error(`connectBrowserHost: could not connect to ${webSocketUrl(url)} (${why}; the host logs why it refused a connection)`),
      );
    }
    function opened(): void {
      if (ws.protocol !== SUBPROTOCOL) return fail(`unexpected subprotocol '${ws.protocol}'`);
      settle();
      resolve(new WebSocketPagePort(ws));
    }
    function closed(event: CloseEvent): void {
      fail(`closed with code ${event.code}`);
    }
    ws.addEventListener('open', opened);
    ws.addEventListener('close', closed);
  });
}

/**
 * Connects this page to a browser host and returns its `chrome` object: `chrome.sockets.tcp`,
 * `.tcpServer`, `.udp` and `chrome.runtime.lastError`, as in Chrome. `token` defaults to the
 * `#token=` of `url`, so `connectBrowserHost(location.href)` works on a page the host served.
 */
export async function connectBrowserHost(url: string, token?: string, options: ConnectOptions = {}): Promise<ChromeSockets> {
  const port = await openBrowserHostPort(url, token, options);
  // Resolve once the host's welcome has arrived, so chrome.runtime.id is set before the page's
  // code (or a library it loads next) looks at it.
  let welcomed!: () => void;
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  const chrome = createChromeSockets(port, {
    ...options.facade,
    onWelcome: (id) => {
      options.facade?.onWelcome?.(id);
      welcomed();
    },
  });
  port.onClose(() => welcomed());
  await welcome;
  return chrome;
}

/** Every API a browser-host page can have: chrome.sockets plus the opt-in others. */
export interface SocketApis {
  /** chrome.sockets; `chrome.socket` (legacy) is usable when the host was started with `apis` including `'chrome.socket'`. */
  chrome: ChromeSockets & { socket: ChromeSocketLegacy };
  /** `navigator.mozTCPSocket`; usable when the host was started with `apis` including `'mozTCPSocket'`. */
  mozTCPSocket: LegacyMozTCPSocket;
  /** Direct Sockets' classes; usable when the host was started with `apis` including `'direct'`. */
  direct: DirectSockets;
  /** The W3C 2013 draft's classes; usable when the host was started with `apis` including `'w3c'`. */
  w3c: W3CSockets;
}

/**
 * Like connectBrowserHost, and also gives mozTCPSocket, Direct Sockets, the W3C 2013 classes and legacy chrome.socket over the same port
 * (one page context). The host refuses their operations unless it was started with `apis`.
 */
export async function connectSocketApis(url: string, token?: string, options: ConnectOptions = {}): Promise<SocketApis> {
  const port = await openBrowserHostPort(url, token, options);
  const channel = new PageChannel(port);
  const chrome = createChromeSockets(channel, options.facade);
  return {
    chrome: Object.assign(chrome, { socket: createChromeSocket(channel, chrome) }),
    mozTCPSocket: createMozTCPSocket(channel).mozTCPSocket,
    direct: createDirectSockets(channel),
    w3c: createW3cSockets(channel),
  };
}

/**
 * Puts the chosen APIs where apps look for them: `navigator.mozTCPSocket`, the Direct Sockets
 * globals `TCPSocket`, `TCPServerSocket`, `UDPSocket`, `MulticastController`, and the W3C 2013
 * classes as `navigator.w3cSockets` (their names clash with Direct Sockets').
 */
export function installSocketApis(
  apis: SocketApis,
  which: ReadonlyArray<'mozTCPSocket' | 'direct' | 'w3c' | 'chrome.socket'>,
  global: object = globalThis,
): void {
  const g = global as Record<string, unknown> & { navigator?: object };
  if (which.includes('mozTCPSocket')) {
    const navigator = (g.navigator ?? (g.navigator = {})) as object;
    Object.defineProperty(navigator, 'mozTCPSocket', { value: apis.mozTCPSocket, configurable: true, enumerable: true });
  }
  if (which.includes('chrome.socket')) {
    const chrome = (g.chrome ?? (g.chrome = {})) as Record<string, unknown>;
    chrome.socket = apis.chrome.socket;
  }
  if (which.includes('w3c')) {
    const navigator = (g.navigator ?? (g.navigator = {})) as object;
    Object.defineProperty(navigator, 'w3cSockets', { value: apis.w3c, configurable: true, enumerable: true });
  }
  if (which.includes('direct')) {
    for (const [name, value] of Object.entries(apis.direct)) {
      Object.defineProperty(g, name, { value, configurable: true, writable: true, enumerable: false });
    }
  }
}
