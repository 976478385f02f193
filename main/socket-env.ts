/**
 * What sockets and their handlers need of the host, and nothing more: the resolver, the TLS
 * contexts, the app's write quota, socket removal, event delivery and the log. The host
 * (main/host.ts) provides it; nothing under a namespace folder sees the host itself.
 */
import type { LookupFunction } from 'node:net';
import type * as tls from 'node:tls';
import type { WireNamespace } from '../common/methods';
import type { AppState, DeliveryOptions, ManagedSocket } from './app-state';

export interface SocketEnv {
  /** A `dns.lookup`-compatible resolver (SocketsHostOptions.lookup). */
  readonly lookup: LookupFunction;
  /** Where refusals and dropped work are logged. */
  log(line: string): void;
  /**
   * The TLS context for secure(): trusted roots plus `options.tls.ca`, plus what `app` was given
   * at run time, per version range, built once each.
   */
  secureContext(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion, app?: string): tls.SecureContext;
  /** secure() refused a peer's certificate: remembered (bounded) for the debugging window. */
  certificateRejected(app: AppState, socketId: number, resultCode: number, reason: string, peer: tls.DetailedPeerCertificate): void;
  /** Reserves send bytes against the app's write quota; false when it would be exceeded. */
  reserveWrite(app: AppState, bytes: number): boolean;
  releaseWrite(app: AppState, bytes: number): void;
  /**
   * Reserves a tcp send credit against the write quota, only while the app's use stays within
   * half of it: idle credit never keeps a send of up to half the quota from fitting.
   */
  reserveCredit(app: AppState, bytes: number): boolean;
  /**
   * A send did not fit the write quota: takes back the credit the app's sockets hold, waiting
   * for the pages to let go of it. False when there was none to take back.
   */
  reclaimCredit(app: AppState): Promise<boolean>;
  /** Send credit per connected tcp socket (limits.sendCredit; 0: none). */
  readonly sendCredit: number;
  /** Credited tcp writes one page context may have in flight (limits.maxCreditedWrites). */
  readonly maxCreditedWrites: number;
  /**
   * How long a disconnected or closed tcp connection may take to write what the app was told
   * was sent before it is destroyed (limits.lingerTimeout, ms).
   */
  readonly lingerTimeout: number;
  /** Connections writing out their last bytes after disconnect() or close(); dispose() ends them. */
  readonly lingering: Set<{ kill(): void }>;
  /** Unregisters and destroys a socket (close(), or the end of its app's lifetime). */
  removeSocket(socket: ManagedSocket): void;
  /**
   * Delivers an event to the app's listening contexts (AppState.deliver), telling the tap and
   * the inspector's last-error column on the way. False when no context listens.
   */
  emit(app: AppState, ns: WireNamespace, ev: string, arg: Record<string, unknown>, data?: Uint8Array, options?: DeliveryOptions): boolean;
}

/**
 * Reserves a send's bytes against the app's write quota, as Chrome does before the send starts:
 * synchronously when they fit (so the write that follows keeps its place among the page's
 * messages); otherwise, or while a reclaim is under way (later sends wait behind it, in order),
 * after the credit the app's sockets hold but have not used is taken back. False: `Exceeded
 * write quota.`
 */
export function reserveSend(env: SocketEnv, app: AppState, bytes: number): boolean | Promise<boolean> {
  if (app.reclaiming === undefined && env.reserveWrite(app, bytes)) return true;
  return reserveAfterReclaim(env, app, bytes);
}

async function reserveAfterReclaim(env: SocketEnv, app: AppState, bytes: number): Promise<boolean> {
  while (app.reclaiming !== undefined) await app.reclaiming;
  if (env.reserveWrite(app, bytes)) return true;
  return (await env.reclaimCredit(app)) && env.reserveWrite(app, bytes);
}
