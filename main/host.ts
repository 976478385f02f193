/**
 * SocketsHost: owns every real socket in app-scoped, per-namespace registries and serves page
 * contexts attached through ordered ports (ARCHITECTURE.md).
 */
import * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import * as tls from 'node:tls';
import type { WireNamespace } from '../common/methods';
import type { HostPort } from '../common/port';
import type { InspectSnapshot } from '../common/inspect-types';
import { AppState, type ManagedSocket, type SocketSnapshot } from './app-state';
import { SocketTap } from './tap';
import { chromeAppId, isChromeAppId } from './app-id';
import { Dispatcher, type HandlerTable } from './dispatch';
import { attachWebContents, type AttachedWebContents, type ElectronGlueDeps } from './electron/attach-web-contents';
import type { WebContentsLike } from './electron/electron-types';
import { PageContext, type ContextLimits, type ContextOwner } from './page-context';
import { SocketsPolicy } from './permissions';
import { Registry } from './registry';
import { createTcpServerHandlers } from './tcp-server/tcp-server-handlers';
import type { TcpServerSocket } from './tcp-server/tcp-server-socket';
import { createTcpHandlers } from './tcp/tcp-handlers';
import type { TcpSocket } from './tcp/tcp-socket';
import { createUdpHandlers } from './udp/udp-handlers';
import type { UdpSocket } from './udp/udp-socket';
import { createRawHandlers, isOwnedBy, type RawSocket } from './raw/raw-handlers';
import { OTHER_SOCKET_APIS, type AttachOptions, type ContextHandle, type SocketsHostOptions } from './types';

/**
 * Services beside the sockets on the same port and dispatch (the Chrome App runner's storage,
 * alarms, system.network, power, runtime messaging: main/app-services/). Handlers get the
 * caller's context and app like the socket handlers; the hooks release per-app state.
 */
export interface AppServices {
  readonly handlers: HandlerTable;
  /** A page context went away (answer what it still owed, drop what it held). */
  contextEnded?(ctx: PageContext): void;
  /** The app was detached: drop its timers and state. */
  appEnded?(app: AppState): void;
  /** The host is disposed. */
  dispose?(): Promise<void> | void;
}

/** Chrome's per-app in-flight write limit (write_quota_checker.cc). */
export const DEFAULT_WRITE_QUOTA = 200 * 1024 * 1024;

/** Sockets per app unless `limits.maxSocketsPerApp` says otherwise (Chrome has no limit). */
export const DEFAULT_MAX_SOCKETS_PER_APP = 4096;

export interface ContextSnapshot {
  id: number;
  app: string;
  label: string;
  background: boolean;
  unackedBytes: number;
  flowBlocked: boolean;
  /** Bytes the carrier holds for the page (WebSocket bufferedAmount; 0 where it cannot tell). */
  carrierBacklog: number;
  /** Calls not yet settled, those of an earlier page of the context included. */
  pendingCalls: number;
}

/** The inspector's snapshot: the window's own type (common/inspect-types.ts), filled here. */
export interface HostSnapshot extends Omit<InspectSnapshot, 'contexts' | 'sockets'> {
  readonly contexts: ContextSnapshot[];
  readonly sockets: SocketSnapshot[];
}

export class SocketsHost {
  readonly registries: {
    readonly tcp: Registry<TcpSocket>;
    readonly tcpServer: Registry<TcpServerSocket>;
    readonly udp: Registry<UdpSocket>;
    /** mozTCPSocket, W3C 2013, Direct Sockets and chrome.socket sockets: their own id space. */
    readonly raw: Registry<RawSocket>;
  } = {
    tcp: new Registry<TcpSocket>(),
    tcpServer: new Registry<TcpServerSocket>(),
    udp: new Registry<UdpSocket>(),
    raw: new Registry<RawSocket>(),
  };
  readonly writeQuota: number;
  readonly lookup: LookupFunction;
  /** Trusted roots for secure(): Node's bundled ones plus `options.tls.ca`. */
  readonly trustedCa: Array<string | Buffer>;
  readonly log: (line: string) => void;
  /** Sockets one app may hold at once, across namespaces. */
  readonly maxSocketsPerApp: number;

  private readonly apps = new Map<string, AppState>();
  private readonly contexts = new Set<PageContext>();
  private readonly dispatcher: Dispatcher;
  private readonly services: AppServices | undefined;
  private readonly limits: ContextLimits;
  private readonly secureContexts = new Map<string, tls.SecureContext>();
  /** Contexts attached with `apis`: only they may call the raw namespace. */
  private readonly otherApis = new WeakMap<PageContext, ReadonlySet<string>>();
  private nextContextId = 1;
  /** The last net error each socket reported (error event or failed call), for the inspector. */
  private readonly lastErrors = new WeakMap<ManagedSocket, number>();
  /**
   * The debugging window's tap (main/tap.ts). Privileged: only the window's own channel may
   * call `tap.handle` (Electron IPC for its webContents, the browser host's POST /tap with the
   * token); an app's port never reaches it.
   */
  readonly tap = new SocketTap((kind, id) =>
    (this.registries[kind as keyof SocketsHost['registries']] as Registry<ManagedSocket> | undefined)
      ?.all()
      .find((s) => s.id === id)
      ?.snapshot(),
  );
  private disposed = false;

  constructor(options: SocketsHostOptions = {}) {
    this.writeQuota = options.writeQuota ?? DEFAULT_WRITE_QUOTA;
    this.lookup = options.lookup ?? (dns.lookup as LookupFunction);
    const extra = options.tls?.ca === undefined ? [] : Array.isArray(options.tls.ca) ? options.tls.ca : [options.tls.ca];
    this.trustedCa = [...tls.rootCertificates, ...extra];
    this.log = options.log ?? ((line) => console.warn(`[electron-chrome-sockets] ${line}`));
    const highWaterMark = options.flow?.highWaterMark ?? 8 * 1024 * 1024;
    this.limits = {
      highWaterMark,
      lowWaterMark: Math.min(options.flow?.lowWaterMark ?? highWaterMark / 4, highWaterMark),
      maxPendingCalls: options.limits?.maxPendingCalls ?? 4096,
      maxStringLength: options.limits?.maxStringLength ?? 64 * 1024,
    };
    this.maxSocketsPerApp = options.limits?.maxSocketsPerApp ?? DEFAULT_MAX_SOCKETS_PER_APP;
    this.services = options.services?.(this);
    const handlers: HandlerTable = {
      ...this.services?.handlers,
      tcp: createTcpHandlers(this),
      tcpServer: createTcpServerHandlers(this),
      udp: createUdpHandlers(this),
      raw: createRawHandlers(this),
    };
    this.dispatcher = new Dispatcher(handlers, {
      tap: this.tap,
      mayUseOtherApis: (ctx) => this.otherApis.has(ctx),
      noteError: (app, ns, id, code) => this.noteError(app, ns, id, code),
    });
  }

  /**
   * Attaches one page context to `app` through an ordered port. Throws for an invalid
   * manifest "sockets" section (Chrome's `Invalid host:port pattern '…'`).
   */
  attachPort(port: HostPort, options: AttachOptions): ContextHandle {
    if (this.disposed) throw new Error('SocketsHost is disposed');
    if (typeof options?.app !== 'string' || options.app === '') throw new TypeError('attachPort: options.app must be a non-empty string');
    if (options.appId !== undefined && !isChromeAppId(options.appId)) {
      throw new TypeError('attachPort: options.appId must be 32 letters a-p (a Chrome app id)');
    }
    const policy = SocketsPolicy.parse(options.sockets);
    const apis = options.apis ?? [];
    if (!Array.isArray(apis) || !apis.every((a) => OTHER_SOCKET_APIS.includes(a))) {
      throw new TypeError(`attachPort: options.apis must list some of ${OTHER_SOCKET_APIS.join(', ')}`);
    }
    const app = this.appState(options.app);
    const ctx = new PageContext(
      this.nextContextId++,
      app,
      policy,
      options.background === true,
      options.label ?? `context ${this.nextContextId - 1}`,
      port,
      this.owner,
      this.limits,
      options.appId ?? chromeAppId(options.app),
    );
    if (apis.length > 0) this.otherApis.set(ctx, new Set(apis));
    if (ctx.background) app.hasBackground = true;
    app.contexts.add(ctx);
    this.contexts.add(ctx);
    return { id: ctx.id, app: app.name, end: () => ctx.end() };
  }

  /**
   * Serves chrome.sockets to the pages of an Electron `webContents` (whose window loads the
   * package's preload) as contexts of `options.app`: every page load gets a fresh
   * MessageChannelMain and context, ended by navigation, reload, crash or destroy.
   * `electron` is for tests; by default `MessageChannelMain` and `ipcMain` come from 'electron'.
   */
  attach(webContents: WebContentsLike, options: AttachOptions, electron?: ElectronGlueDeps): AttachedWebContents {
    return attachWebContents(this, webContents, options, { log: this.log, ...electron });
  }

  /** Ends every context of the app and closes all its sockets, persistent ones too (app quit). */
  detachApp(name: string): void {
    const app = this.apps.get(name);
    if (app === undefined) return;
    for (const ctx of [...app.contexts]) ctx.end();
    this.closeSockets(app, () => true);
    this.apps.delete(name);
    this.services?.appEnded?.(app);
  }

  /** Closes everything. The host cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.tap.clear();
    for (const name of [...this.apps.keys()]) this.detachApp(name);
    await this.services?.dispose?.();
    // Let destroyed sockets emit their 'close' so nothing is pending when this resolves.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** A read-only view of every context and socket, for the debugging window's inspector. */
  inspect(): HostSnapshot {
    return {
      takenAt: Date.now(),
      apps: [...this.apps.values()].map((app) => ({ app: app.name, writeQuota: { used: app.writeInFlight, limit: this.writeQuota } })),
      contexts: [...this.contexts].map((c) => ({
        id: c.id,
        app: c.app.name,
        label: c.label,
        background: c.background,
        unackedBytes: c.unacked,
        flowBlocked: c.isFlowBlocked,
        carrierBacklog: c.carrierBacklog,
        pendingCalls: c.pendingCalls,
      })),
      sockets: [...this.apps.values()].flatMap((app) =>
        [...app.sockets].map((s) => {
          const code = this.lastErrors.get(s);
          return code === undefined ? s.snapshot() : { ...s.snapshot(), lastErrorCode: code };
        }),
      ),
    };
  }

  // ---- for namespace implementations ----------------------------------------------------------

  /**
   * Fans an event out to every context of the app that listens to it (spec §3.7). With `data`,
   * the page gets `data` as events of at most `sliceSize` bytes each (one read, sliced to the
   * socket's bufferSize).
   * Returns false when no context listens (Chrome drops such events).
   */
  emit(
    app: AppState,
    ns: WireNamespace,
    ev: string,
    arg: Record<string, unknown>,
    data?: Uint8Array,
    options: { transferable?: boolean; sliceSize?: number; except?: PageContext } = {},
  ): boolean {
    if (ev === 'onReceiveError' || ev === 'onAcceptError') this.noteError(app, ns, arg.socketId, arg.resultCode);
    if (this.tap.active) this.tap.onEvent(ns, ev, arg, data);
    let delivered = false;
    let transferable = options.transferable === true;
    for (const ctx of app.contexts) {
      if (ctx === options.except || !ctx.listens(ns, ev)) continue;
      delivered = true;
      if (data === undefined) {
        ctx.enqueueEvent(ns, ev, arg);
        continue;
      }
      ctx.enqueueEvent(ns, ev, arg, data, transferable, options.sliceSize ?? 0);
      // Only one context may take the buffer; the others get copies.
      transferable = false;
    }
    // Only now: flushing the first context earlier would transfer (detach) the buffer before
    // the others had copied it.
    if (data !== undefined) for (const ctx of app.contexts) ctx.flushIfFull();
    return delivered;
  }

  /**
   * The TLS context for secure(): trusted roots plus `options.tls.ca`, per version range.
   * Built once each: loading ~150 roots costs tens of milliseconds.
   */
  secureContext(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion): tls.SecureContext {
    const key = `${minVersion}-${maxVersion}`;
    let context = this.secureContexts.get(key);
    if (context === undefined) {
      context = tls.createSecureContext({ ca: this.trustedCa, minVersion, maxVersion });
      this.secureContexts.set(key, context);
    }
    return context;
  }

  /** Reserves send bytes against the app's write quota; false when it would be exceeded. */
  reserveWrite(app: AppState, bytes: number): boolean {
    if (app.writeInFlight + bytes > this.writeQuota) return false;
    app.writeInFlight += bytes;
    return true;
  }

  releaseWrite(app: AppState, bytes: number): void {
    app.writeInFlight = Math.max(0, app.writeInFlight - bytes);
  }

  /** Unregisters and destroys a socket (close(), or the end of its app's lifetime). */
  removeSocket(socket: ManagedSocket): void {
    (this.registries[socket.kind] as Registry<ManagedSocket>).remove(socket);
    socket.destroy();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Remembers a socket's last negative net code for the inspector (unknown ids are ignored). */
  private noteError(app: AppState, ns: WireNamespace, id: unknown, code: unknown): void {
    if (typeof code !== 'number' || code >= 0 || typeof id !== 'number') return;
    const registry = this.registries[ns as keyof SocketsHost['registries']] as Registry<ManagedSocket> | undefined;
    const socket = registry?.get(id, app);
    if (socket !== undefined) this.lastErrors.set(socket, code);
  }

  private appState(name: string): AppState {
    let app = this.apps.get(name);
    if (app === undefined) {
      app = new AppState(name, this.maxSocketsPerApp);
      this.apps.set(name, app);
    }
    return app;
  }

  private closeSockets(app: AppState, which: (s: ManagedSocket) => boolean): void {
    for (const socket of [...app.sockets]) if (which(socket)) this.removeSocket(socket);
  }

  /**
   * Chrome closes an app's non-persistent sockets when its background page goes away (spec
   * §3.8); an app that never had a background context loses them with its last context.
   */
  private contextGone(ctx: PageContext, stillAttached: boolean): void {
    const app = ctx.app;
    // The other socket APIs' sockets belong to the page that made them.
    this.closeSockets(app, (s) => isOwnedBy(s, ctx));
    const remaining = app.contexts.size - (stillAttached ? 1 : 0);
    if (ctx.background || (!app.hasBackground && remaining === 0)) {
      this.closeSockets(app, (s) => !s.persistent);
    }
  }

  private readonly owner: ContextOwner = {
    resolve: (ns, m) => this.dispatcher.resolve(ns, m),
    contextReset: (ctx) => this.contextGone(ctx, true),
    contextEnded: (ctx) => {
      ctx.app.contexts.delete(ctx);
      this.contexts.delete(ctx);
      this.contextGone(ctx, false);
      this.services?.contextEnded?.(ctx);
    },
    log: (line) => this.log(line),
  };
}
