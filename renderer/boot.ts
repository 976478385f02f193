/**
 * Where the window's `chrome` comes from. This is the only file that knows:
 *
 * - Electron: the preload has put Chrome's API on `window.chrome.sockets` before the page runs.
 * - Browser host (`npx electron-chrome-sockets serve`): the page is served over loopback HTTP
 *   with the session token in the URL (`#token=…` or `?token=…`); the host's bundle at
 *   BROWSER_BUNDLE_PATH exports `connectBrowserHost(wsUrl, token) → Promise<chrome>`.
 *
 * Either side may also put an inspection provider on `window.chromeSocketsInspect`
 * (`() => Promise<InspectSnapshot>`, see common/inspect-types.ts); without it the Inspector tab is
 * hidden.
 */
import { BROWSER_HOST_PATHS } from '../common/browser-host-paths';
import type { InspectProvider, TapProvider } from '../common/inspect-types';
import type { RecallStore } from '../common/window-recall';
import { showBootError, startApp } from './app';
import type { SocketsChrome } from './lib/chrome-types';

/** Same-origin ES module served by the browser host. */
export const BROWSER_BUNDLE_PATH = BROWSER_HOST_PATHS.bundle;
/** Same-origin WebSocket path of the browser host. */
export const BROWSER_WS_PATH = BROWSER_HOST_PATHS.websocket;
/** The page global an inspection provider is found on. */
export const INSPECT_GLOBAL = 'chromeSocketsInspect';

interface BrowserBundle {
  connectBrowserHost(url: string, token: string): Promise<SocketsChrome>;
}

export interface Booted {
  chrome: SocketsChrome;
  inspect?: InspectProvider;
  source: string;
  /** The app the window's sockets belong to, when the carrier says. */
  appName?: string;
  /** The host's tap (follow any app's socket), when the carrier offers it. */
  tap?: TapProvider;
  /** Where the window remembers targets, messages and macros (Electron: a file); else localStorage. */
  recall?: RecallStore;
}

/** The page global the Electron preload puts the tap on. */
export const TAP_GLOBAL = 'chromeSocketsTap';

/** The page global the Electron preload puts the window's memory on. */
export const RECALL_GLOBAL = 'chromeSocketsRecall';

/** The page global the Electron preload puts the app name on. */
export const APP_GLOBAL = 'chromeSocketsApp';

function hasSockets(value: unknown): value is SocketsChrome {
  const c = value as { sockets?: { tcp?: unknown; tcpServer?: unknown; udp?: unknown } } | undefined;
  return !!c?.sockets?.tcp && !!c.sockets.tcpServer && !!c.sockets.udp;
}

const TOKEN_KEY = 'electron-chrome-sockets.token';

/**
 * Reads the token from `#token=…` or `?token=…` and strips it from the address bar, keeping it in
 * this tab's sessionStorage so a reload still works (the tab, not the URL, holds the secret).
 */
function takeToken(): string | undefined {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  const token = hash.get('token') ?? query.get('token') ?? undefined;
  if (token) {
    // Keep the secret out of the visible URL, history, bookmarks and copied links.
    query.delete('token');
    hash.delete('token');
    const q = query.toString();
    const hs = hash.toString();
    history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}${hs ? `#${hs}` : ''}`);
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      /* storage disabled: reloads need the URL again */
    }
    return token;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The browser host's tap endpoint (POST, JSON), with the same token as the WebSocket. */
function hostTap(token: string): TapProvider {
  const url = new URL(BROWSER_HOST_PATHS.tap, location.href).href;
  return async (request) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      cache: 'no-store',
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) throw new Error(body.error ?? `tap refused: HTTP ${response.status}`);
    return body;
  };
}

/** The browser host's inspection endpoint, with the same token as the WebSocket. */
function hostInspection(token: string): InspectProvider {
  const url = new URL(BROWSER_HOST_PATHS.inspect, location.href).href;
  return async () => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    if (!response.ok) throw new Error(`inspection refused: HTTP ${response.status}`);
    return (await response.json()) as Awaited<ReturnType<InspectProvider>>;
  };
}

export async function obtainChrome(): Promise<Booted> {
  const g = globalThis as unknown as Record<string, unknown>;
  const inspect = typeof g[INSPECT_GLOBAL] === 'function' ? (g[INSPECT_GLOBAL] as InspectProvider) : undefined;
  const appName = typeof g[APP_GLOBAL] === 'string' ? (g[APP_GLOBAL] as string) : undefined;
  const tap = typeof g[TAP_GLOBAL] === 'function' ? (g[TAP_GLOBAL] as TapProvider) : undefined;
  const recall = typeof g[RECALL_GLOBAL] === 'object' && g[RECALL_GLOBAL] !== null ? (g[RECALL_GLOBAL] as RecallStore) : undefined;
  if (hasSockets(g.chrome)) return { chrome: g.chrome, inspect, source: 'Electron', appName, tap, recall };
  if (location.protocol === 'http:' || location.protocol === 'https:') {
    const token = takeToken();
    if (!token) throw new Error('This page needs the session token: open the exact URL that `npx electron-chrome-sockets serve` printed.');
    const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${BROWSER_WS_PATH}`;
    // A runtime URL on purpose: the bundle is the host's, not part of this build.
    const bundleUrl = new URL(BROWSER_BUNDLE_PATH, location.href).href;
    const bundle = (await import(/* @vite-ignore */ bundleUrl)) as BrowserBundle;
    const chrome = await bundle.connectBrowserHost(wsUrl, token);
    const lateInspect = typeof g[INSPECT_GLOBAL] === 'function' ? (g[INSPECT_GLOBAL] as InspectProvider) : hostInspection(token);
    return { chrome, inspect: lateInspect, source: `browser host ${location.host}`, appName, tap: tap ?? hostTap(token) };
  }
  throw new Error(
    'No chrome.sockets here. Open this window from Electron (its preload provides chrome.sockets) or through `npx electron-chrome-sockets serve`.',
  );
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    const { chrome, inspect, source, appName, tap, recall } = await obtainChrome();
    startApp(root, chrome, { inspect, source, appName, tap, recall });
  } catch (err) {
    showBootError(root, 'Cannot reach chrome.sockets', err instanceof Error ? err.message : String(err));
  }
}

void main();
