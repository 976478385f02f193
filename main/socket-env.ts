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
   * Reserves a tcp send credit against the write quota, only while the app's use stays within a
   * quarter of it: credit held idle on many connections never keeps a send of up to three
   * quarters of the quota from fitting.
   */
  reserveCredit(app: AppState, bytes: number): boolean;
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
