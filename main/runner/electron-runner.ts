/**
 * The runner's Electron mode: `launchChromeApp(dir, options)` from `electron-chrome-sockets/main`
 * (and `electron-chrome-sockets run <app-dir>` under Electron, main/runner/electron-main.ts).
 *
 * - The app's files are served unmodified by a privileged, standard, secure scheme at the root
 *   of the app's own origin, `chrome-app://<id>/` by default (`options.scheme`), in a session of
 *   its own (`persist:chrome-app-<id>`), so web storage is per app as in Chrome.
 * - The background page is a hidden BrowserWindow. Every page gets the app preload
 *   (dist/preload/app-preload.js): chrome.* per the manifest's permissions, on the page's own
 *   context of the one app in the host (app name and `chrome.runtime.id` = the app id).
 * - `chrome.app.window.create` is `window.open` from the background page; the window-open
 *   handler allows it (same origin only) with the BrowserWindow options the `ecs-*` features
 *   ask for, so `contentWindow` is the real window. Bounds of windows created with an `id` are
 *   remembered in `<data dir>/window-bounds.json` and used for the next window of that id.
 * - chrome.power is Electron's powerSaveBlocker.
 * - The app ends when its background page does (window closed, renderer gone) and, unless
 *   `endWithLastWindow` is false, when its last app window closes (our stand-in for Chrome
 *   unloading an idle event page): every window closed, every socket closed, storage flushed.
 *
 * Electron comes in as `options.electron` (typed slices below) or `require('electron')`; nothing
 * here loads it at module load, so Node tests drive this module with typed fakes.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createAppServices, type RunnerServices } from '../app-services';
import type { ServedApp } from '../app-services/served-app';
import { CONTENT_TYPES, resolveUnder } from '../browser-host/static-files';
import { attachWebContents, type AttachedWebContents } from '../electron/attach-web-contents';
import type { ElectronMain, IpcMainEventLike, WebContentsLike } from '../electron/electron-types';
import { parseAppWindowFeatures, type AppWindowRequest } from '../../common/app-window-features';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { SocketsHost } from '../host';
import type { SocketsHostOptions } from '../types';
import { defaultDataDir, recordLaunch } from './app-data';
import { appConfig, generatedBackgroundPage } from './browser-runner';
import { loadChromeApp, type ChromeApp } from './manifest';

/** The scheme the app's origin uses unless `options.scheme` says otherwise. */
export const DEFAULT_APP_SCHEME = 'chrome-app';
/** The app preload, built by scripts/build-preload.mjs. */
export const APP_PRELOAD = path.resolve(__dirname, '../../preload/app-preload.js');
/** The file in the data directory where window bounds are remembered per window id. */
export const WINDOW_BOUNDS_FILE = 'window-bounds.json';
/** At most this many window ids are remembered (the oldest go first). */
export const MAX_REMEMBERED_WINDOWS = 100;

// ---- the slices of Electron the runner uses ------------------------------------------------------

export interface RectangleLike {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The BrowserWindow options the runner sets (a subset of BrowserWindowConstructorOptions). */
export interface AppWindowOptions {
  show?: boolean;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  frame?: boolean;
  resizable?: boolean;
  alwaysOnTop?: boolean;
  title?: string;
  webPreferences?: {
    preload?: string;
    partition?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
  };
}

/** What `setWindowOpenHandler` gets. */
export interface WindowOpenDetailsLike {
  readonly url: string;
  readonly frameName: string;
  readonly features: string;
}

export type WindowOpenResponseLike = { action: 'deny' } | { action: 'allow'; overrideBrowserWindowOptions?: AppWindowOptions };

/** The webContents of an app page: what attach needs plus the window-open parts. */
export interface AppWebContentsLike extends WebContentsLike {
  setWindowOpenHandler(handler: (details: WindowOpenDetailsLike) => WindowOpenResponseLike): void;
}

export interface AppBrowserWindowLike {
  readonly webContents: AppWebContentsLike;
  loadURL(url: string): Promise<void>;
  getBounds(): RectangleLike;
  isDestroyed(): boolean;
  close(): void;
  maximize(): void;
  minimize(): void;
  setFullScreen(flag: boolean): void;
  on(event: 'close' | 'closed', listener: () => void): unknown;
}

export type AppBrowserWindowCtor = new (options: AppWindowOptions) => AppBrowserWindowLike;

/** `protocol` (of a session): serve the app's files. */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  unhandle(scheme: string): void;
}

export interface CustomSchemeLike {
  scheme: string;
  privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean; stream?: boolean };
}

/** The Electron modules the runner needs; `require('electron')` when not given. */
export interface RunnerElectron extends ElectronMain {
  app: { isReady(): boolean; whenReady(): Promise<unknown>; quit(): void };
  protocol: { registerSchemesAsPrivileged(schemes: CustomSchemeLike[]): void };
  session: { fromPartition(partition: string): { readonly protocol: ProtocolLike } };
  BrowserWindow: AppBrowserWindowCtor;
  powerSaveBlocker: { start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number; stop(id: number): unknown };
}

export interface LaunchChromeAppOptions {
  /** Electron's modules (tests pass typed fakes). Default `require('electron')`. */
  electron?: RunnerElectron;
  /** Storage, launch state and window bounds; default `$XDG_CONFIG_HOME/electron-chrome-sockets/<id>`. */
  dataDir?: string;
  /** Extra trusted CAs (PEM) for chrome.sockets.tcp.secure. */
  ca?: string[];
  /** UI locale for `_locales` (default: the system's). */
  uiLocale?: string;
  /** The scheme of the app's origin (default DEFAULT_APP_SCHEME). Registered before app ready. */
  scheme?: string;
  /** End the app when its last app window closes (default true; see the module comment). */
  endWithLastWindow?: boolean;
  /** Quit Electron when the app ends (default false; the CLI sets it). */
  quitOnEnd?: boolean;
  /** Where the runner and host log. Default console.warn. */
  log?: (line: string) => void;
  /** More SocketsHost options (flow control, limits). */
  hostOptions?: Omit<SocketsHostOptions, 'services'>;
  /** The app preload (tests); default APP_PRELOAD. */
  preload?: string;
}

export interface ChromeAppRun {
  readonly app: ChromeApp;
  readonly dataDir: string;
  readonly host: SocketsHost;
  /** `<scheme>://<id>`: the app's origin. */
  readonly origin: string;
  /** The hidden window of the background page. */
  readonly background: AppBrowserWindowLike;
  /** The app windows now open, by window id. */
  readonly windows: ReadonlyMap<string, AppBrowserWindowLike>;
  /** Resolves when the app has ended (every socket closed, storage on disk). */
  readonly ended: Promise<void>;
  /** Ends the app: closes its windows and background page, every socket, flushes storage. */
  close(): Promise<void>;
}

// ---- the scheme ------------------------------------------------------------------------------------

const registered = new WeakMap<object, Set<string>>();

/**
 * Registers the app scheme as privileged (standard, secure, fetch, CORS). Electron allows this
 * only before `app` is ready, so an Electron main script that launches an app later calls this
 * at its top level; `launchChromeApp` called before ready does it itself.
 */
export function registerChromeAppScheme(electron: RunnerElectron = loadElectron(), scheme = DEFAULT_APP_SCHEME): void {
  const done = registered.get(electron.protocol) ?? new Set<string>();
  if (done.has(scheme)) return;
  if (electron.app.isReady()) {
    throw new Error(
      `electron-chrome-sockets: register the '${scheme}' scheme before the app is ready: call registerChromeAppScheme() at the top of the main script`,
    );
  }
  electron.protocol.registerSchemesAsPrivileged([
    { scheme, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
  ]);
  done.add(scheme);
  registered.set(electron.protocol, done);
}

function loadElectron(): RunnerElectron {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('electron') as RunnerElectron;
}

/**
 * The response for one request of the app's origin: its file unmodified (no directory listing,
 * nothing outside the app directory or hidden), the generated background page for
 * `app.background.scripts`, 404 otherwise.
 */
export async function serveAppRequest(app: ChromeApp, request: Request, origin: string): Promise<Response> {
  const url = new URL(request.url);
  if (`${url.protocol}//${url.host}` !== origin) return new Response('Not found\n', { status: 404 });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed\n', { status: 405 });
  const head = request.method === 'HEAD';
  const html = CONTENT_TYPES['.html'];
  if ('scripts' in app.background && url.pathname === app.backgroundPath) {
    return new Response(head ? null : generatedBackgroundPage(app.background.scripts, false), { headers: { 'Content-Type': html } });
  }
  const file = resolveUnder(app.dir, url.pathname === '/' ? '/index.html' : url.pathname);
  const body = file === undefined ? undefined : await fs.readFile(file).catch(() => undefined);
  if (file === undefined || body === undefined) return new Response('Not found\n', { status: 404 });
  const ext = path.extname(file).toLowerCase();
  const type = CONTENT_TYPES[ext] ?? (ext === '.htm' ? html : 'application/octet-stream');
  return new Response(head ? null : new Uint8Array(body), { headers: { 'Content-Type': type, 'Content-Length': String(body.length) } });
}

// ---- window features and bounds ------------------------------------------------------------------

function isRectangle(value: unknown): value is RectangleLike {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => Number.isFinite(r[k])) && (r.width as number) > 0 && (r.height as number) > 0;
}

/** Window bounds per window id, in `<dataDir>/window-bounds.json`, as Chrome keeps them across runs. */
export class WindowBoundsStore {
  private readonly file: string;
  private readonly bounds = new Map<string, RectangleLike>();
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, WINDOW_BOUNDS_FILE);
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      saved = undefined; // none yet, or unreadable: start afresh as Chrome does with bad prefs
    }
    if (typeof saved === 'object' && saved !== null) {
      for (const [id, r] of Object.entries(saved as Record<string, unknown>)) if (isRectangle(r)) this.bounds.set(id, { ...r });
    }
  }

  get(id: string): RectangleLike | undefined {
    const r = this.bounds.get(id);
    return r === undefined ? undefined : { ...r };
  }

  /** Remembers and writes (writes are queued in order). */
  set(id: string, r: RectangleLike): void {
    if (!isRectangle(r)) return;
    this.bounds.delete(id);
    this.bounds.set(id, { x: r.x, y: r.y, width: r.width, height: r.height });
    while (this.bounds.size > MAX_REMEMBERED_WINDOWS) this.bounds.delete(this.bounds.keys().next().value as string);
    const text = JSON.stringify(Object.fromEntries(this.bounds));
    this.writing = this.writing.then(() =>
      fs.mkdir(path.dirname(this.file), { recursive: true }).then(() => fs.writeFile(this.file, text)),
    );
  }

  /** Resolves once every write so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }
}

// ---- launch ----------------------------------------------------------------------------------------

/**
 * Launches the unpacked Chrome App in `dir` in this Electron main process; resolves once its
 * background page is loading. Call before `app` is ready (or call registerChromeAppScheme() at
 * the top of the main script) so the app's scheme can be registered.
 */
export async function launchChromeApp(dir: string, options: LaunchChromeAppOptions = {}): Promise<ChromeAppRun> {
  const electron = options.electron ?? loadElectron();
  const scheme = options.scheme ?? DEFAULT_APP_SCHEME;
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new Error(`electron-chrome-sockets: invalid scheme '${scheme}'`);
  const log = options.log ?? ((line: string) => console.warn(`[electron-chrome-sockets] ${line}`));
  const app = loadChromeApp(dir, { uiLocale: options.uiLocale });
  if (!electron.app.isReady()) registerChromeAppScheme(electron, scheme);
  else if (!registered.get(electron.protocol)?.has(scheme)) {
    // Registered by the embedding app itself, perhaps; if not, pages of the scheme will not load.
    log(`runner: the '${scheme}' scheme was not registered by registerChromeAppScheme() before ready; app pages may not load`);
  }
  await electron.app.whenReady();

  const dataDir = path.resolve(options.dataDir ?? defaultDataDir(app.id));
  const launch = await recordLaunch(dataDir, app.version);
  const served: ServedApp = { name: app.id, permissions: new Set(app.permissions), dataDir, launch };
  const origin = `${scheme}://${app.id}`;
  const partition = `persist:chrome-app-${app.id}`;
  const preload = options.preload ?? APP_PRELOAD;
  const config = appConfig(app);
  const bounds = new WindowBoundsStore(dataDir);
  const power = electron.powerSaveBlocker;
  let services: RunnerServices | undefined;
  const host = new SocketsHost({
    ...options.hostOptions,
    log,
    tls: options.ca !== undefined && options.ca.length > 0 ? { ca: options.ca } : options.hostOptions?.tls,
    services: (h) =>
      (services = createAppServices({
        apps: (name) => (name === app.id ? served : undefined),
        keepAwake: {
          start: (level) => power.start(level === 'display' ? 'prevent-display-sleep' : 'prevent-app-suspension'),
          stop: (id) => void power.stop(id),
        },
        log,
      })(h)),
  });

  const ses = electron.session.fromPartition(partition);
  ses.protocol.handle(scheme, (request) => serveAppRequest(app, request, origin));

  const webPreferences = { preload, partition, contextIsolation: true, sandbox: true, nodeIntegration: false };
  const attached = new Map<number, AttachedWebContents>();
  const windows = new Map<string, AppBrowserWindowLike>();
  const glue = { MessageChannelMain: electron.MessageChannelMain, ipcMain: electron.ipcMain, log };

  // The app preload asks which app a page belongs to: only our webContents get the config.
  const onConfig = (event: IpcMainEventLike): void => {
    const frame = event.senderFrame;
    const ours = attached.has(event.sender.id) && frame !== null && frame.parent === null && frame.url.startsWith(`${origin}/`);
    event.returnValue = ours ? config : null;
  };
  electron.ipcMain.on(ELECTRON_CHANNELS.appConfig, onConfig);

  function attach(wc: AppWebContentsLike, background: boolean, label: string): void {
    const handle = attachWebContents(host, wc, { app: app.id, appId: app.id, sockets: app.sockets, background, label }, glue);
    attached.set(wc.id, handle);
    wc.on('destroyed', () => attached.delete(wc.id));
  }

  let ending: Promise<void> | undefined;
  let endedResolve: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  let backgroundNavigating = false;

  const background = new electron.BrowserWindow({ show: false, title: app.name, webPreferences });

  /** Pending window.open requests, in order, until did-create-window gives their BrowserWindow. */
  const pendingOpens: Array<{ url: string; request: AppWindowRequest }> = [];

  background.webContents.setWindowOpenHandler((details) => {
    if (ending !== undefined) return { action: 'deny' };
    let target: URL;
    try {
      target = new URL(details.url);
    } catch {
      return { action: 'deny' };
    }
    const request = parseAppWindowFeatures(details.features);
    if (`${target.protocol}//${target.host}` !== origin || request === undefined) {
      log(`runner: ${app.name}: refused window.open of ${details.url} (only chrome.app.window.create opens windows)`);
      return { action: 'deny' };
    }
    const remembered = request.remember ? bounds.get(request.id) : undefined;
    pendingOpens.push({ url: details.url, request });
    return {
      action: 'allow',
      overrideBrowserWindowOptions: {
        show: !request.hidden,
        title: app.name,
        ...(remembered ?? {}),
        ...(request.frameless ? { frame: false } : {}),
        resizable: request.resizable,
        alwaysOnTop: request.alwaysOnTop,
        webPreferences,
      },
    };
  });

  (background.webContents as unknown as WindowCreatingWebContents).on('did-create-window', (win, details) => {
    const at = pendingOpens.findIndex((p) => p.url === details.url);
    const request = at < 0 ? undefined : pendingOpens.splice(at, 1)[0].request;
    if (request === undefined) {
      // Not one the handler allowed for an app window (cannot happen with the handler above).
      win.close();
      return;
    }
    const previous = windows.get(request.id);
    if (previous !== undefined && !previous.isDestroyed()) previous.close();
    windows.set(request.id, win);
    attach(win.webContents, false, `${app.name}: window ${request.id}`);
    win.webContents.setWindowOpenHandler((d) => {
      log(`runner: ${app.name}: refused window.open of ${d.url} from an app window`);
      return { action: 'deny' };
    });
    if (request.state === 'maximized') win.maximize();
    else if (request.state === 'minimized') win.minimize();
    else if (request.state === 'fullscreen') win.setFullScreen(true);
    win.on('close', () => {
      if (request.remember && !win.isDestroyed()) bounds.set(request.id, win.getBounds());
    });
    win.on('closed', () => {
      if (windows.get(request.id) === win) windows.delete(request.id);
      if (windows.size === 0 && ending === undefined && options.endWithLastWindow !== false && !backgroundNavigating) {
        log(`runner: ${app.name}: its last window has closed; the app ends`);
        void end();
      }
    });
  });

  // A reload (chrome.runtime.reload) closes the windows of the old page: that is not the end.
  background.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) backgroundNavigating = true;
  });
  background.webContents.on('did-navigate', () => {
    backgroundNavigating = false;
  });
  background.webContents.on('render-process-gone', () => {
    log(`runner: ${app.name}: the background page's renderer has gone; the app ends`);
    void end();
  });
  background.on('closed', () => void end());

  function end(): Promise<void> {
    // The body runs a turn later, so the windows it closes (whose 'closed' calls end again)
    // find `ending` set.
    return (ending ??= Promise.resolve().then(async () => {
      electron.ipcMain.removeListener(ELECTRON_CHANNELS.appConfig, onConfig);
      for (const win of [...windows.values()]) if (!win.isDestroyed()) win.close();
      if (!background.isDestroyed()) background.close();
      for (const handle of [...attached.values()]) handle.detach();
      attached.clear();
      host.detachApp(app.id); // every socket of the app closes
      try {
        ses.protocol.unhandle(scheme);
      } catch {
        // The session is already gone (Electron quitting).
      }
      await services?.flushed();
      await host.dispose();
      await bounds.flushed();
      endedResolve();
      if (options.quitOnEnd === true) electron.app.quit();
    }));
  }

  attach(background.webContents, true, `${app.name}: background page`);
  void background.loadURL(`${origin}${app.backgroundPath}`).catch((error: unknown) => {
    log(`runner: ${app.name}: the background page did not load: ${error instanceof Error ? error.message : String(error)}`);
    void end();
  });

  return {
    app,
    dataDir,
    host,
    origin,
    background,
    windows,
    ended,
    close: end,
  };
}

/** `did-create-window` of the background page's webContents. */
interface WindowCreatingWebContents {
  on(event: 'did-create-window', listener: (window: AppBrowserWindowLike, details: { readonly url: string }) => void): unknown;
}

// ---- drift checks: Electron's real types must still fit the slices above ---------------------

/* eslint-disable @typescript-eslint/no-unused-vars */
function checkElectronTypes(electron: typeof import('electron'), win: import('electron').BrowserWindow): void {
  const app: RunnerElectron['app'] = electron.app;
  const protocol: RunnerElectron['protocol'] = electron.protocol;
  const ses: ProtocolLike = electron.session.fromPartition('x').protocol;
  const ctor: AppBrowserWindowCtor = electron.BrowserWindow;
  const psb: RunnerElectron['powerSaveBlocker'] = electron.powerSaveBlocker;
  const w: AppBrowserWindowLike = win;
  win.webContents.setWindowOpenHandler((details) => {
    const d: WindowOpenDetailsLike = details;
    const r: WindowOpenResponseLike = { action: 'allow', overrideBrowserWindowOptions: { show: false, webPreferences: { preload: '' } } };
    return r;
  });
  win.webContents.on('did-create-window', (window, details) => {
    const created: AppBrowserWindowLike = window;
    const url: string = details.url;
  });
  win.on('close', () => undefined);
  win.on('closed', () => undefined);
}
void checkElectronTypes;
