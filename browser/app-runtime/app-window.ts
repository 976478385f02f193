/**
 * chrome.app.window in a browser. The background page (the launch tab) owns every app window:
 * `create` opens the page with `window.open`, so `contentWindow` is the real window object
 * with direct DOM access as in Chrome; where the browser refuses the popup (no user gesture),
 * the window becomes a frame inside the launch tab instead. The new page's runtime script
 * reports to the owner before the page's own scripts run, which is when `create`'s callback
 * fires (Chrome also calls it before the window's scripts run).
 *
 * Rules and texts from Chromium's extensions/browser/api/app_window/app_window_api.cc and
 * extensions/common/api/app_window.idl; where a browser cannot do what Chrome does (hide a
 * popup, minimise it) the state and events are kept and the README says so.
 */
import { appWindowFeatures } from '../../common/app-window-features';
import { ChromeEventImpl } from '../../preload/chrome-event';

type AnyFunction = (...args: any[]) => any;

/** Chrome's default size of a new app window when no bounds are given (unverified: 512×384 in app_window.cc's era). */
export const DEFAULT_WIDTH = 512;
export const DEFAULT_HEIGHT = 384;
/** How often the owner looks for popups the user closed (a closed popup runs no script to say so). */
const CLOSED_POLL_MS = 250;

interface BoundsSpec {
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  minWidth?: number;
  minHeight?: number;
  maxWidth?: number;
  maxHeight?: number;
}

export interface CreateOptions {
  id?: string;
  innerBounds?: BoundsSpec;
  outerBounds?: BoundsSpec;
  bounds?: BoundsSpec;
  frame?: unknown;
  hidden?: boolean;
  resizable?: boolean;
  state?: 'normal' | 'fullscreen' | 'maximized' | 'minimized';
  alwaysOnTop?: boolean;
  focused?: boolean;
  [key: string]: unknown;
}

const console_ = { error: (...args: unknown[]) => console.error(...args) };

function event(name: string): ChromeEventImpl<AnyFunction> {
  return new ChromeEventImpl<AnyFunction>(`app.window.${name}`, () => undefined, console_);
}

/** Chrome's Bounds object: live getters and setters on the window's inner or outer rectangle. */
class Bounds {
  constructor(
    private readonly win: AppWindowImpl,
    private readonly outer: boolean,
  ) {}
  private get w(): Window | null {
    return this.win.contentWindow;
  }
  get left(): number {
    return this.w?.screenX ?? 0;
  }
  set left(value: number) {
    this.setPosition(value, this.top);
  }
  get top(): number {
    return this.w?.screenY ?? 0;
  }
  set top(value: number) {
    this.setPosition(this.left, value);
  }
  get width(): number {
    return (this.outer ? this.w?.outerWidth : this.w?.innerWidth) ?? 0;
  }
  set width(value: number) {
    this.setSize(value, this.height);
  }
  get height(): number {
    return (this.outer ? this.w?.outerHeight : this.w?.innerHeight) ?? 0;
  }
  set height(value: number) {
    this.setSize(this.width, value);
  }
  minWidth?: number;
  minHeight?: number;
  maxWidth?: number;
  maxHeight?: number;
  setPosition(left: number, top: number): void {
    this.win.moveTo(left, top);
  }
  setSize(width: number, height: number): void {
    if (this.outer) this.win.resizeOuter(width, height);
    else this.win.resizeInner(width, height);
  }
  setMinimumSize(minWidth: number, minHeight: number): void {
    this.minWidth = minWidth;
    this.minHeight = minHeight;
  }
  setMaximumSize(maxWidth: number, maxHeight: number): void {
    this.maxWidth = maxWidth;
    this.maxHeight = maxHeight;
  }
}

/** One app window: Chrome's AppWindow. */
export class AppWindowImpl {
  readonly onBoundsChanged = event('onBoundsChanged');
  readonly onClosed = event('onClosed');
  readonly onFullscreened = event('onFullscreened');
  readonly onMaximized = event('onMaximized');
  readonly onMinimized = event('onMinimized');
  readonly onRestored = event('onRestored');
  readonly innerBounds: Bounds;
  readonly outerBounds: Bounds;
  /** Set once the page's runtime script reported; until then create's callback waits. */
  loaded = false;
  closed = false;
  private state: 'normal' | 'fullscreen' | 'maximized' | 'minimized' = 'normal';
  private alwaysOnTop: boolean;
  private hiddenNow: boolean;
  private restoreTo?: { left: number; top: number; width: number; height: number };
  /** Callbacks of create calls waiting for the page. */
  readonly waiting: AnyFunction[] = [];

  constructor(
    readonly id: string,
    private readonly popup: Window | null,
    private readonly frame: HTMLIFrameElement | null,
    options: CreateOptions,
    private readonly manager: WindowManager,
  ) {
    this.innerBounds = new Bounds(this, false);
    this.outerBounds = new Bounds(this, true);
    this.alwaysOnTop = options.alwaysOnTop === true;
    this.hiddenNow = options.hidden === true;
  }

  get isFrame(): boolean {
    return this.frame !== null;
  }

  get contentWindow(): Window | null {
    return this.popup ?? this.frame?.contentWindow ?? null;
  }

  /** Whether this is the window (popup or frame) whose global is `w`. */
  holds(w: Window): boolean {
    return this.contentWindow === w;
  }

  moveTo(left: number, top: number): void {
    if (this.frame) {
      this.frame.style.left = `${left}px`;
      this.frame.style.top = `${top}px`;
    } else this.popup?.moveTo(left, top);
  }
  resizeInner(width: number, height: number): void {
    if (this.frame) {
      this.frame.style.width = `${width}px`;
      this.frame.style.height = `${height}px`;
      this.onBoundsChanged.dispatch();
      return;
    }
    const p = this.popup;
    if (p) p.resizeTo(width + (p.outerWidth - p.innerWidth), height + (p.outerHeight - p.innerHeight));
  }
  resizeOuter(width: number, height: number): void {
    if (this.frame) return this.resizeInner(width, height);
    this.popup?.resizeTo(width, height);
  }

  focus(): void {
    this.contentWindow?.focus();
  }
  show(focused?: boolean): void {
    this.hiddenNow = false;
    if (this.frame) this.frame.style.display = '';
    if (focused !== false) this.focus();
  }
  hide(): void {
    this.hiddenNow = true;
    if (this.frame) this.frame.style.display = 'none';
  }
  close(): void {
    if (this.closed) return;
    if (this.frame) {
      this.frame.remove();
      this.manager.closedNow(this);
    } else {
      this.popup?.close();
      this.manager.checkClosed(this);
    }
  }
  private remember(): void {
    if (this.state === 'normal') {
      const b = this.outerBounds;
      this.restoreTo = { left: b.left, top: b.top, width: b.width, height: b.height };
    }
  }
  minimize(): void {
    if (this.state === 'minimized') return;
    this.remember();
    this.state = 'minimized';
    this.onMinimized.dispatch();
  }
  maximize(): void {
    if (this.state === 'maximized') return;
    this.remember();
    this.state = 'maximized';
    const s = this.contentWindow?.screen;
    if (s) {
      this.moveTo(0, 0);
      this.resizeOuter(s.availWidth, s.availHeight);
    }
    this.onMaximized.dispatch();
  }
  fullscreen(): void {
    if (this.state === 'fullscreen') return;
    this.remember();
    this.state = 'fullscreen';
    // Browsers allow it only with a user gesture; the state and event follow Chrome regardless.
    this.contentWindow?.document.documentElement.requestFullscreen?.().catch(() => undefined);
    this.onFullscreened.dispatch();
  }
  restore(): void {
    if (this.state === 'normal') return;
    const was = this.state;
    this.state = 'normal';
    if (was === 'fullscreen') this.contentWindow?.document.exitFullscreen?.().catch(() => undefined);
    if (this.restoreTo) {
      this.moveTo(this.restoreTo.left, this.restoreTo.top);
      this.resizeOuter(this.restoreTo.width, this.restoreTo.height);
    }
    this.onRestored.dispatch();
  }
  isMinimized(): boolean {
    return this.state === 'minimized';
  }
  isMaximized(): boolean {
    return this.state === 'maximized';
  }
  isFullscreen(): boolean {
    return this.state === 'fullscreen';
  }
  isAlwaysOnTop(): boolean {
    return this.alwaysOnTop;
  }
  setAlwaysOnTop(value: boolean): void {
    this.alwaysOnTop = value === true;
  }
  /** Chrome flashes the taskbar entry; a browser has none. */
  drawAttention(): void {}
  clearAttention(): void {}
  /** Whether the window is hidden (show/hide; a popup cannot really be hidden). */
  get hidden(): boolean {
    return this.hiddenNow;
  }
  /** Deprecated in Chrome, still there: the inner bounds as a plain object. */
  getBounds(): { left: number; top: number; width: number; height: number } {
    const b = this.innerBounds;
    return { left: b.left, top: b.top, width: b.width, height: b.height };
  }
  setBounds(bounds: BoundsSpec): void {
    if (bounds.left !== undefined || bounds.top !== undefined)
      this.moveTo(bounds.left ?? this.innerBounds.left, bounds.top ?? this.innerBounds.top);
    if (bounds.width !== undefined || bounds.height !== undefined) {
      this.resizeInner(bounds.width ?? this.innerBounds.width, bounds.height ?? this.innerBounds.height);
    }
  }
}

function checkBounds(name: string, value: unknown): BoundsSpec | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object')
    throw new TypeError(
      `Error in invocation of app.window.create(string url, optional app.window.CreateWindowOptions options, optional function callback): Error at parameter 'options': Error at property '${name}': Invalid type: expected object, found ${typeof value}.`,
    );
  return value as BoundsSpec;
}

/** Lives in the background page; every page's chrome.app.window talks to it. */
export class WindowManager {
  private readonly windows = new Set<AppWindowImpl>();
  private nextId = 1;
  private poll: ReturnType<typeof setInterval> | undefined;
  private frameLayer: HTMLElement | undefined;
  /** Set when the browser refused a popup: later windows go straight to frames. */
  framesOnly = false;

  constructor(
    private readonly background: Window,
    private readonly callWithLastError: (name: string, error: string | undefined, callback: AnyFunction, args: unknown[]) => void,
  ) {}

  /** The chrome.app.window namespace for the page `self`. */
  api(self: Window): Record<string, unknown> {
    const manager = this as WindowManager;
    return {
      create(url: unknown, options?: unknown, callback?: unknown) {
        if (typeof options === 'function' && callback === undefined) [options, callback] = [undefined, options];
        if (
          typeof url !== 'string' ||
          (options !== undefined && options !== null && typeof options !== 'object') ||
          (callback !== undefined && typeof callback !== 'function')
        ) {
          throw new TypeError(
            'Error in invocation of app.window.create(string url, optional app.window.CreateWindowOptions options, optional function callback): No matching signature.',
          );
        }
        if (callback === undefined) {
          return new Promise((resolve, reject) =>
            manager.create(self, url, (options ?? {}) as CreateOptions, (w?: AppWindowImpl) =>
              w ? resolve(w) : reject(new Error(manager.lastCreateError ?? 'create failed')),
            ),
          );
        }
        manager.create(self, url, (options ?? {}) as CreateOptions, callback as AnyFunction);
        return undefined;
      },
      current: () => manager.find(self) ?? null,
      get: (id: unknown) => [...manager.windows].find((w) => w.id === id) ?? null,
      getAll: () => [...manager.windows],
      canSetVisibleOnAllWorkspaces: () => false,
    };
  }

  lastCreateError: string | undefined;

  find(w: Window): AppWindowImpl | undefined {
    return [...this.windows].find((a) => a.holds(w));
  }

  create(caller: Window, url: string, options: CreateOptions, callback: AnyFunction): void {
    const fail = (message: string): void => {
      this.lastCreateError = message;
      this.callWithLastError('app.window.create', message, callback, []);
    };
    const inner = checkBounds('innerBounds', options.innerBounds);
    const outer = checkBounds('outerBounds', options.outerBounds);
    const legacy = checkBounds('bounds', options.bounds);
    if (options.id !== undefined && (typeof options.id !== 'string' || options.id.length > 256)) {
      return fail('The window id can not be more than 256 characters long.');
    }
    if (inner && outer) {
      for (const key of ['left', 'top', 'width', 'height'] as const) {
        if (inner[key] !== undefined && outer[key] !== undefined)
          return fail(`The ${key} property cannot be specified for both inner and outer bounds.`);
      }
    }
    let target: URL;
    try {
      target = new URL(url, caller.location.href);
    } catch {
      return fail('The URL used for window creation must be local for security reasons.');
    }
    if (target.origin !== this.background.location.origin)
      return fail('The URL used for window creation must be local for security reasons.');
    if (options.id !== undefined) {
      const existing = [...this.windows].find((w) => w.id === options.id);
      if (existing !== undefined) {
        // Chrome: a window with this id exists, so it is focused (shown) and given to the callback.
        if (options.hidden !== true) existing.show(options.focused);
        queueMicrotask(() => this.callWithLastError('app.window.create', undefined, callback, [existing]));
        return;
      }
    }
    const b = inner ?? legacy ?? {};
    const o = outer ?? {};
    const width = b.width ?? o.width ?? DEFAULT_WIDTH;
    const height = b.height ?? o.height ?? DEFAULT_HEIGHT;
    const left = b.left ?? o.left;
    const top = b.top ?? o.top;
    const id = options.id ?? `__ecs_window_${this.nextId++}`;
    let popup: Window | null = null;
    if (!this.framesOnly) {
      const features = [
        `popup=yes`,
        `width=${width}`,
        `height=${height}`,
        ...(left !== undefined ? [`left=${left}`] : []),
        ...(top !== undefined ? [`top=${top}`] : []),
        // For the Electron runner's window-open handler (ignored by browsers).
        ...appWindowFeatures(id, options),
      ];
      popup = this.background.open(target.href, '_blank', features.join(','));
      if (popup === null) {
        this.framesOnly = true;
        console.warn(
          'electron-chrome-sockets: the browser blocked a popup; app windows open as frames in this tab (README: Run a Chrome App).',
        );
      }
    }
    let frame: HTMLIFrameElement | null = null;
    if (popup === null) {
      frame = this.background.document.createElement('iframe');
      Object.assign(frame.style, {
        position: 'absolute',
        left: `${left ?? 16 * this.windows.size}px`,
        top: `${top ?? 16 * this.windows.size}px`,
        width: `${width}px`,
        height: `${height}px`,
        border: '1px solid #888',
        background: '#fff',
        display: options.hidden === true ? 'none' : '',
      });
      frame.src = target.href;
      this.layer().appendChild(frame);
    }
    const win = new AppWindowImpl(id, popup, frame, options, this);
    win.waiting.push(callback);
    this.windows.add(win);
    this.poll ??= setInterval(() => {
      for (const w of this.windows) this.checkClosed(w);
    }, CLOSED_POLL_MS);
  }

  private layer(): HTMLElement {
    if (this.frameLayer === undefined || !this.frameLayer.isConnected) {
      const doc = this.background.document;
      this.frameLayer = doc.createElement('div');
      this.frameLayer.setAttribute('data-ecs-app-windows', '');
      (doc.body ?? doc.documentElement).appendChild(this.frameLayer);
    }
    return this.frameLayer;
  }

  /** Called by a window page's runtime script, before the page's own scripts run. */
  windowLoaded(w: Window): void {
    const win = this.find(w);
    if (win === undefined) return;
    win.loaded = true;
    w.addEventListener('resize', () => win.onBoundsChanged.dispatch());
    w.addEventListener('pagehide', () => setTimeout(() => this.checkClosed(win), 0));
    for (const callback of win.waiting.splice(0)) this.callWithLastError('app.window.create', undefined, callback, [win]);
  }

  checkClosed(win: AppWindowImpl): void {
    if (!win.closed && !win.isFrame && win.contentWindow?.closed !== false) this.closedNow(win);
  }

  closedNow(win: AppWindowImpl): void {
    if (win.closed) return;
    win.closed = true;
    this.windows.delete(win);
    if (this.windows.size === 0 && this.poll !== undefined) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    win.onClosed.dispatch();
  }

  /** The app ends: every window goes with its background page. */
  closeAll(): void {
    for (const win of [...this.windows]) win.close();
  }
}
