/**
 * The runner's browser mode: a browser host whose origin root serves the app's own files, as
 * `chrome-extension://<id>/` serves them, and one launch URL (the app's background page) that
 * makes the opening tab the background page. Every page of the app connects back over the
 * browser host's WebSocket (token, Origin and Host checked as always) as a context of the one
 * app, so sockets, storage and events are shared exactly as in Chrome.
 */
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { CONTENT_TYPES, readFile, resolveUnder, send } from '../browser-host/static-files';
import { startBrowserHost, type BrowserHost } from '../browser-host/server';
import { createAppServices, type KeepAwake, type RunnerServices } from '../app-services';
import type { ServedApp } from '../app-services/served-app';
import type { SocketsHostOptions } from '../types';
import type { AppConfig } from '../../preload/app-runtime/app-config';
import { defaultDataDir, recordLaunch } from './app-data';
import { loadChromeApp, type ChromeApp } from './manifest';

/** The runner's own files live under this reserved path (Chrome reserves names starting with `_`). */
export const RUNNER_PATH = '/_ecs/';
export const RUNTIME_SCRIPT = `${RUNNER_PATH}app-runtime.js`;
/** The page bundle (scripts/build-browser.mjs) that installs chrome.* in every app page. */
export const DEFAULT_RUNTIME_BUNDLE = path.resolve(__dirname, '../../browser/app-runtime.js');
/**
 * How long the app outlives its background page's connection: a reload reconnects within it
 * (persistent sockets survive, as in Chrome), a closed tab does not and the app ends.
 */
export const DEFAULT_APP_END_GRACE_MS = 3000;
/** An app page's framing rule: its own origin only (the static files' default is none at all). */
const SAME_ORIGIN_FRAMES = { 'X-Frame-Options': 'SAMEORIGIN', 'Content-Security-Policy': "frame-ancestors 'self'" };

export interface RunAppOptions {
  /** Port of the loopback server (default: a free one). */
  port?: number;
  /** Storage and launch state; default `$XDG_CONFIG_HOME/electron-chrome-sockets/<id>`. */
  dataDir?: string;
  /** Extra trusted CAs (PEM) for chrome.sockets.tcp.secure. */
  ca?: string[];
  /** UI locale for `_locales` (default: the system's). */
  uiLocale?: string;
  /** Where the host and runner log. Default console.warn. */
  log?: (line: string) => void;
  /** See DEFAULT_APP_END_GRACE_MS. */
  appEndGraceMs?: number;
  /** Electron's powerSaveBlocker; in a browser chrome.power does nothing. */
  keepAwake?: KeepAwake;
  /** More SocketsHost options (flow control, limits, a lookup for tests). */
  hostOptions?: Omit<SocketsHostOptions, 'services'>;
  /** The app-runtime page bundle (tests); default DEFAULT_RUNTIME_BUNDLE. */
  runtimeBundle?: string;
}

export interface BrowserRun {
  /** Open this URL in a browser to launch the app (its tab plays the background page). */
  readonly url: string;
  readonly app: ChromeApp;
  readonly dataDir: string;
  readonly server: BrowserHost;
  /** Resolves when the app has ended (its background page closed and did not come back). */
  readonly ended: Promise<void>;
  /** Ends the app (every socket closed) and stops the server. */
  close(): Promise<void>;
}

/** The configuration every page of the app gets before its first script. */
export function appConfig(app: ChromeApp): AppConfig {
  return {
    id: app.id,
    manifest: app.manifest,
    messages: app.messages,
    uiLocale: app.uiLocale.replace('_', '-'),
    permissions: app.permissions,
    backgroundPath: app.backgroundPath,
  };
}

/**
 * The page Chrome generates for `app.background.scripts`; with the runtime script first in the
 * browser mode (in Electron the app preload installs the runtime).
 */
export function generatedBackgroundPage(scripts: readonly string[], withRuntime = true): string {
  const tags = scripts.map((s) => `<script src="/${encodeURI(s.replace(/^\//, ''))}"></script>`).join('\n');
  const runtime = withRuntime ? `<script src="${RUNTIME_SCRIPT}"></script>\n` : '';
  return `<!DOCTYPE html>\n<html>\n<head>\n${runtime}</head>\n<body>\n${tags}\n</body>\n</html>\n`;
}

/**
 * The one change to an app page: the runtime script as the first thing in <head>, so chrome.*
 * exists before the page's own scripts run. Only for pages loaded as documents; fetch/XHR of the
 * same file get its bytes unmodified.
 */
export function injectRuntime(html: string): string {
  const tag = `<script src="${RUNTIME_SCRIPT}"></script>`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root) return html.slice(0, root.index + root[0].length) + tag + html.slice(root.index + root[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  return doctype ? doctype[0] + tag + html.slice(doctype[0].length) : tag + html;
}

function isDocumentRequest(req: IncomingMessage): boolean {
  const dest = req.headers['sec-fetch-dest'];
  // Browsers send Sec-Fetch-Dest on every request; without it (an old browser) treat navigations as documents.
  if (dest === undefined) return (req.headers.accept ?? '').includes('text/html');
  return dest === 'document' || dest === 'iframe' || dest === 'frame';
}

/** Runs the app in `dir` through the browser host; resolves once the launch URL can be opened. */
export async function runInBrowser(dir: string, options: RunAppOptions = {}): Promise<BrowserRun> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const app = loadChromeApp(dir, { uiLocale: options.uiLocale });
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir(app.id));
  const launch = await recordLaunch(dataDir, app.version);
  const served: ServedApp = { name: app.id, permissions: new Set(app.permissions), dataDir, launch };
  const bundleFile = options.runtimeBundle ?? DEFAULT_RUNTIME_BUNDLE;
  const configScript = `self.__ecsAppConfig = ${JSON.stringify(appConfig(app))};\n`;
  let services: RunnerServices | undefined;

  async function serveRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const urlPath = (req.url ?? '/').split(/[?#]/, 1)[0];
    if (urlPath === RUNTIME_SCRIPT) {
      const bundle = await fs.readFile(bundleFile, 'utf8').catch(() => undefined);
      if (bundle === undefined) {
        send(res, req, 500, 'text/plain; charset=utf-8', `The app runtime bundle ${bundleFile} is not built (npm run build)\n`);
        return;
      }
      send(res, req, 200, CONTENT_TYPES['.js'], configScript + bundle);
      return;
    }
    if (urlPath.startsWith(RUNNER_PATH)) {
      send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return;
    }
    if ('scripts' in app.background && urlPath === app.backgroundPath) {
      send(res, req, 200, CONTENT_TYPES['.html'], generatedBackgroundPage(app.background.scripts));
      return;
    }
    const file = resolveUnder(app.dir, urlPath === '/' ? '/index.html' : urlPath);
    const body = file === undefined ? undefined : await readFile(file);
    if (file === undefined || body === undefined) {
      if (urlPath === '/favicon.ico') res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
      else send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return;
    }
    const ext = path.extname(file).toLowerCase();
    const type = CONTENT_TYPES[ext] ?? (ext === '.htm' ? CONTENT_TYPES['.html'] : 'application/octet-stream');
    if ((ext === '.html' || ext === '.htm') && isDocumentRequest(req)) {
      // The app's own pages may frame each other (windows become frames in the launch tab when
      // popups are refused); no other origin may frame them.
      send(res, req, 200, type, injectRuntime(body.toString('utf8')), SAME_ORIGIN_FRAMES);
      return;
    }
    send(res, req, 200, type, body);
  }

  // The app's life: it ends when its background page has gone and not come back.
  let backgrounds = 0;
  let endTimer: NodeJS.Timeout | undefined;
  let endApp: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    endApp = resolve;
  });
  // Set once the server started; connections (which use it) come only after that.
  const serverRef: { current?: BrowserHost } = {};
  const grace = options.appEndGraceMs ?? DEFAULT_APP_END_GRACE_MS;
  let closing: Promise<void> | undefined;

  function connection(req: IncomingMessage): { background?: boolean; label?: string; closed?: () => void } {
    const role = new URL(req.url ?? '/', 'http://x').searchParams.get('role');
    if (role !== 'background') return { label: `${app.name}: window` };
    backgrounds++;
    if (endTimer !== undefined) clearTimeout(endTimer);
    endTimer = undefined;
    return {
      background: true,
      label: `${app.name}: background page`,
      closed: () => {
        backgrounds--;
        if (backgrounds > 0 || closing !== undefined) return;
        endTimer = setTimeout(() => {
          endTimer = undefined;
          if (backgrounds > 0) return;
          log(`runner: ${app.name}: the background page has closed; the app ends (every socket closed)`);
          serverRef.current?.host.detachApp(app.id);
          endApp();
        }, grace);
      },
    };
  }

  const server = await startBrowserHost({
    port: options.port ?? 0,
    app: app.id,
    appId: app.id,
    sockets: app.sockets,
    log,
    hostOptions: {
      ...options.hostOptions,
      tls: options.ca !== undefined && options.ca.length > 0 ? { ca: options.ca } : options.hostOptions?.tls,
      services: (host) =>
        (services = createAppServices({ apps: (name) => (name === app.id ? served : undefined), keepAwake: options.keepAwake, log })(host)),
    },
    serveRequest,
    connection,
  });
  serverRef.current = server;
  const origin = new URL(server.url).origin;
  const url = `${origin}${app.backgroundPath}#token=${server.token}`;
  const running = server;
  return {
    url,
    app,
    dataDir,
    server: running,
    ended,
    close: () =>
      (closing ??= (async () => {
        if (endTimer !== undefined) clearTimeout(endTimer);
        endTimer = undefined;
        running.host.detachApp(app.id);
        await running.close();
        await services?.flushed();
        endApp();
      })()),
  };
}
