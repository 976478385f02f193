/**
 * SocketsHost: owns every real socket in app-scoped, per-namespace registries and serves page
 * contexts attached through ordered ports (ARCHITECTURE.md). Its public face is attachPort,
 * detachApp, dispose and inspect (and the window's tap); what sockets and handlers need of it is
 * the narrow SocketEnv (socket-env.ts) it gives them. The Electron glue builds on it
 * (main/electron/electron-host.ts adds `attach`), never the reverse.
 */
import { X509Certificate } from 'node:crypto';
import * as dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type * as tls from 'node:tls';
import type { WireNamespace } from '../common/methods';
import type { HostPort } from '../common/port';
import type { InspectCertificate, InspectRejectedCertificate, InspectSnapshot } from '../common/inspect-types';
import { AppState, type ManagedSocket, type SocketSnapshot } from './app-state';
import { chromeAppId, isChromeAppId } from './app-id';
import { Dispatcher, type AppServices, type HandlerTable } from './dispatch';
import { PageContext, type ContextLimits, type ContextOwner } from './page-context';
import { SocketsPolicy } from './permissions';
import { createRawHandlers, isOwnedBy } from './raw/raw-handlers';
import { createRegistries, type SocketRegistries } from './registries';
import type { Registry } from './registry';
import type { SocketEnv } from './socket-env';
import { SocketTap } from './tap';
import { createTcpServerHandlers } from './tcp-server/tcp-server-handlers';
import { createTcpHandlers } from './tcp/tcp-handlers';
import { DEFAULT_LINGER_TIMEOUT, DEFAULT_MAX_CREDITED_WRITES, DEFAULT_SEND_CREDIT } from './tcp/tcp-socket';
import { chainTop, describePeerCertificate, describeX509 } from './tcp/tls-details';
import { TlsContexts } from './tls-contexts';
import { OTHER_SOCKET_APIS, type AttachOptions, type ContextHandle, type SocketsHostOptions } from './types';
import { createUdpHandlers } from './udp/udp-handlers';

/** Chrome's per-app in-flight write limit (write_quota_checker.cc). */
export const DEFAULT_WRITE_QUOTA = 200 * 1024 * 1024;

/** Certificates one app may be given at run time unless `limits.maxTrustedPerApp` says otherwise. */
export const DEFAULT_MAX_TRUSTED_PER_APP = 32;

/** Certificate rejections the host remembers for the debugging window, newest kept. */
export const MAX_REJECTED_CERTIFICATES = 16;

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

/** What tests and the glue may reach behind the public face (not part of the package's API). */
export interface HostInternals {
  readonly env: SocketEnv;
  readonly registries: SocketRegistries;
}

const internals = new WeakMap<SocketsHost, HostInternals>();

/** The env and registries behind a host: for tests that drive sockets directly. */
export function hostInternals(host: SocketsHost): HostInternals {
  return internals.get(host)!;
}

export class SocketsHost {
  /** In-flight send bytes allowed per app (`options.writeQuota`). */
  readonly writeQuota: number;
  /**
   * The debugging window's tap (main/tap.ts). Privileged: only the window's own channel may
   * call `tap.handle` (Electron IPC for its webContents, the browser host's POST /tap with the
   * token); an app's port never reaches it.
   */
  readonly tap: SocketTap;
  protected readonly log: (line: string) => void;

  private readonly registries: SocketRegistries = createRegistries();
  private readonly env: SocketEnv;
  private readonly apps = new Map<string, AppState>();
  private readonly contexts = new Set<PageContext>();
  private readonly dispatcher: Dispatcher;
  private readonly services: AppServices | undefined;
  private readonly limits: ContextLimits;
  /** Sockets one app may hold at once, across namespaces. */
  private readonly maxSocketsPerApp: number;
  /** tcp send credit per connected socket (limits.sendCredit). */
  private readonly sendCredit: number;
  /** Credited tcp writes in flight per page context (limits.maxCreditedWrites). */
  private readonly maxCreditedWrites: number;
  /** ms a disconnected tcp connection may take to write its last bytes (limits.lingerTimeout). */
  private readonly lingerTimeout: number;
  /** Connections writing out their last bytes; dispose() ends them. */
  private readonly lingering = new Set<{ kill(): void }>();
  /** Contexts attached with `apis`: only they may call the raw namespace. */
  private readonly otherApis = new WeakMap<PageContext, ReadonlySet<string>>();
  /** Certificates one app may be given at run time (addTrustedCertificate). */
  readonly maxTrustedPerApp: number;
  /** Trusted roots and the certificates each app was given at run time. */
  private readonly tlsContexts: TlsContexts;
  /** The latest certificate rejections of secure(), with the PEM of the top of each chain. */
  private readonly rejected: Array<InspectRejectedCertificate & { topPem: string }> = [];
  private nextContextId = 1;
  /** The last net error each socket reported (error event or failed call), for the inspector. */
  private readonly lastErrors = new WeakMap<ManagedSocket, number>();
  private disposed = false;

  constructor(options: SocketsHostOptions = {}) {
    this.writeQuota = options.writeQuota ?? DEFAULT_WRITE_QUOTA;
    this.log = options.log ?? ((line) => console.warn(`[electron-chrome-sockets] ${line}`));
    const highWaterMark = options.flow?.highWaterMark ?? 8 * 1024 * 1024;
    this.limits = {
      highWaterMark,
      lowWaterMark: Math.min(options.flow?.lowWaterMark ?? highWaterMark / 4, highWaterMark),
      maxPendingCalls: options.limits?.maxPendingCalls ?? 4096,
      maxStringLength: options.limits?.maxStringLength ?? 64 * 1024,
    };
    this.maxSocketsPerApp = options.limits?.maxSocketsPerApp ?? DEFAULT_MAX_SOCKETS_PER_APP;
    this.sendCredit = Math.max(0, options.limits?.sendCredit ?? DEFAULT_SEND_CREDIT);
    this.maxCreditedWrites = Math.max(0, options.limits?.maxCreditedWrites ?? DEFAULT_MAX_CREDITED_WRITES);
    this.lingerTimeout = Math.max(0, options.limits?.lingerTimeout ?? DEFAULT_LINGER_TIMEOUT);
    this.maxTrustedPerApp = options.limits?.maxTrustedPerApp ?? DEFAULT_MAX_TRUSTED_PER_APP;
    this.tap = new SocketTap(
      (kind, id) =>
        this.registryOf(kind)
          ?.all()
          .find((s) => s.id === id)
          ?.snapshot(),
      undefined,
      undefined,
      (app, fingerprint) => this.trustRejectedCertificate(app, fingerprint),
    );
    this.tlsContexts = new TlsContexts(options.tls?.ca);
    this.env = this.createEnv(options.lookup ?? (dns.lookup as LookupFunction), this.tlsContexts);
    internals.set(this, { env: this.env, registries: this.registries });
    this.services = options.services?.(this.env);
    const handlers: HandlerTable = {
      ...this.services?.handlers,
      tcp: createTcpHandlers(this.env, this.registries),
      tcpServer: createTcpServerHandlers(this.env, this.registries),
      udp: createUdpHandlers(this.env, this.registries),
      raw: createRawHandlers(this.env, this.registries),
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
    for (const connection of [...this.lingering]) connection.kill();
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
      rejectedCertificates: this.rejected.map(({ topPem: _pem, ...r }) => r),
      trustedCertificates: this.tlsContexts.trusted(),
    };
  }

  /**
   * Trusts `pem` (a CA, or a self-signed certificate) for secure() of `app`'s sockets, besides
   * Node's roots and `options.tls.ca`, until the host is disposed. Privileged: reached only from
   * the debugging window's channel (Electron IPC for its webContents, the browser host's
   * token-guarded POST /tap), never from an app's port. At most `limits.maxTrustedPerApp` per app.
   */
  addTrustedCertificate(app: string, pem: string): InspectCertificate {
    if (typeof app !== 'string' || app === '') throw new TypeError('addTrustedCertificate: app must be a non-empty string');
    let x: X509Certificate;
    try {
      x = new X509Certificate(pem);
    } catch {
      throw new TypeError('addTrustedCertificate: pem must be one PEM certificate');
    }
    const certificate = describeX509(x);
    if (!this.tlsContexts.isTrusted(app, x.fingerprint256)) {
      if (this.tlsContexts.trustedCount(app) >= this.maxTrustedPerApp) {
        throw new Error(`An app may be given at most ${this.maxTrustedPerApp} certificates at run time (limits.maxTrustedPerApp)`);
      }
      this.tlsContexts.trust(app, x.fingerprint256, { pem: x.toString(), certificate });
    }
    return certificate;
  }

  /**
   * The window's "Trust this certificate for this session": trusts the top of the chain that a
   * socket of `app` was refused for. Only a self-signed top can anchor a chain in OpenSSL; for
   * any other the error says to give the host its CA instead.
   */
  trustRejectedCertificate(app: string, fingerprint256: string): { app: string; certificate: InspectCertificate } {
    const r = [...this.rejected].reverse().find((x) => x.app === app && x.top.fingerprint256 === fingerprint256);
    if (r === undefined) throw new Error(`No certificate ${fingerprint256} was rejected for app ${app}`);
    if (!r.anchor) {
      throw new Error(
        `The peer sent no self-signed root (the chain ends at ${r.top.subject}, issued by ${r.top.issuer}); trust its CA instead (--ca <file>)`,
      );
    }
    return { app, certificate: this.addTrustedCertificate(app, r.topPem) };
  }

  // ---- internals -------------------------------------------------------------------------------

  /** What sockets and handlers get instead of the host. */
  private createEnv(lookup: LookupFunction, tls: TlsContexts): SocketEnv {
    const writeQuota = this.writeQuota;
    return {
      lookup,
      sendCredit: this.sendCredit,
      maxCreditedWrites: this.maxCreditedWrites,
      lingerTimeout: this.lingerTimeout,
      lingering: this.lingering,
      log: (line) => this.log(line),
      secureContext: (minVersion, maxVersion, app) => tls.get(minVersion, maxVersion, app),
      certificateRejected: (app, socketId, resultCode, reason, peer) => this.certificateRejected(app, socketId, resultCode, reason, peer),
      reserveWrite(app, bytes) {
        if (app.writeInFlight + bytes > writeQuota) return false;
        app.writeInFlight += bytes;
        return true;
      },
      releaseWrite(app, bytes) {
        app.writeInFlight = Math.max(0, app.writeInFlight - bytes);
      },
      reserveCredit(app, bytes) {
        if (app.writeInFlight + bytes > writeQuota / 4) return false;
        app.writeInFlight += bytes;
        return true;
      },
      removeSocket: (socket) => {
        (this.registries[socket.kind] as Registry<ManagedSocket>).remove(socket);
        socket.destroy();
      },
      emit: (app, ns, ev, arg, data, options) => {
        if (ev === 'onReceiveError' || ev === 'onAcceptError') this.noteError(app, ns, arg.socketId, arg.resultCode);
        if (this.tap.active) this.tap.onEvent(ns, ev, arg, data);
        return app.deliver(ns, ev, arg, data, options);
      },
    };
  }

  /** The registry of a socket namespace; undefined for the app services' namespaces. */
  private registryOf(ns: string): Registry<ManagedSocket> | undefined {
    return Object.prototype.hasOwnProperty.call(this.registries, ns)
      ? (this.registries[ns as keyof SocketRegistries] as Registry<ManagedSocket>)
      : undefined;
  }

  /** secure() refused a peer's certificate: remembered (bounded) for the debugging window. */
  private certificateRejected(
    app: AppState,
    socketId: number,
    resultCode: number,
    reason: string,
    peer: tls.DetailedPeerCertificate,
  ): void {
    if (!peer?.raw) return;
    const { top, anchor } = chainTop(peer);
    this.rejected.push({
      app: app.name,
      socketId,
      time: Date.now(),
      resultCode,
      reason,
      certificate: describePeerCertificate(peer),
      top: describeX509(top),
      anchor,
      topPem: top.toString(),
    });
    if (this.rejected.length > MAX_REJECTED_CERTIFICATES) this.rejected.shift();
  }

  /** Remembers a socket's last negative net code for the inspector (unknown ids are ignored). */
  private noteError(app: AppState, ns: WireNamespace, id: unknown, code: unknown): void {
    if (typeof code !== 'number' || code >= 0 || typeof id !== 'number') return;
    const socket = this.registryOf(ns)?.get(id, app);
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
    for (const socket of [...app.sockets]) if (which(socket)) this.env.removeSocket(socket);
  }

  /**
   * Chrome closes an app's non-persistent sockets when its background page goes away (spec
   * §3.8); an app that never had a background context loses them with its last context.
   */
  private contextGone(ctx: PageContext, stillAttached: boolean): void {
    const app = ctx.app;
    // Send credit belongs to the page it was granted to.
    for (const holder of [...ctx.creditHolders.values()]) holder.dropSendCreditOf(ctx);
    // The other socket APIs' sockets belong to the page that made them.
    this.closeSockets(app, (s) => isOwnedBy(s, ctx));
    const remaining = app.contexts.size - (stillAttached ? 1 : 0);
    if (ctx.background || (!app.hasBackground && remaining === 0)) {
      this.closeSockets(app, (s) => !s.persistent);
    }
  }

  private readonly owner: ContextOwner = {
    resolve: (ns, m) => this.dispatcher.resolve(ns, m),
    contextReset: (ctx) => {
      this.contextGone(ctx, true);
      // The page that held the app services' state (ports, messages) is gone; its successor starts afresh.
      this.services?.contextEnded?.(ctx);
    },
    creditedSend: (ctx, socketId, grant, data) => {
      const holder = ctx.creditHolders.get(socketId);
      // A connection the peer or the host ended since the page answered: its bytes go as bytes
      // in a broken pipe do.
      if (holder === undefined) return true;
      const buffer = Buffer.from(data);
      if (!holder.creditedWrite(ctx, grant, buffer)) return false;
      if (this.tap.active)
        this.tap.onCall('tcp', 'send', [socketId, data], [{ resultCode: 0, bytesSent: buffer.byteLength }], undefined, Date.now());
      return true;
    },
    contextEnded: (ctx) => {
      ctx.app.contexts.delete(ctx);
      this.contexts.delete(ctx);
      this.contextGone(ctx, false);
      this.services?.contextEnded?.(ctx);
    },
    log: (line) => this.log(line),
  };
}
