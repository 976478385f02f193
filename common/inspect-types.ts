/**
 * What the host's inspection API returns to the socket debugging window: a read-only snapshot of
 * every socket of every attached app. The window polls it (at most a few times a second, never
 * with two calls outstanding), so a snapshot should be cheap to build and free of payload bytes.
 */
import type { Namespace } from './methods';

/**
 * Where a socket is in its life, per kind:
 * - tcp: `created` (never connected), `connecting`, `connected`, `securing` (TLS handshake),
 *   `disconnected` (after disconnect, peer close or error; the id is still valid);
 * - tcpServer: `created`, `listening`, `disconnected`;
 * - udp: `created`, `bound`.
 */
export type InspectSocketState =
  | 'created'
  | 'connecting'
  | 'connected'
  | 'securing'
  | 'disconnected'
  | 'listening'
  | 'bound';

/**
 * Why a socket is not reading (or accepting). Chrome's `paused` flag is `app || error`; `flow` is
 * the host's own receive back-pressure and is invisible to the app.
 */
export interface InspectPause {
  /** The app called `setPaused(id, true)` (or the socket was accepted and not yet resumed). */
  readonly app: boolean;
  /** Chrome paused it after `onReceiveError` / `onAcceptError` (or after `disconnect`). */
  readonly error: boolean;
  /** Flow control holds it: the app's contexts have too many unacknowledged bytes. */
  readonly flow: boolean;
}

export interface InspectSocket {
  readonly app: string;
  readonly kind: Namespace;
  /** The id the app sees; unique within (kind, app's profile), never reused. */
  readonly socketId: number;
  readonly name?: string;
  readonly persistent: boolean;
  readonly state: InspectSocketState;
  /** tcp: whether the socket went through `secure()`. */
  readonly secure?: boolean;
  /** tcp: the tcpServer id that accepted it, for server-side sockets. */
  readonly acceptedBy?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly peerAddress?: string;
  readonly peerPort?: number;
  readonly pause: InspectPause;
  /** Payload bytes delivered to the app (`onReceive`) and accepted from it (`send`). */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** Send bytes handed to the host but not yet written (counts against the write quota). */
  readonly bytesInFlight?: number;
  /** udp: joined multicast groups. */
  readonly groups?: readonly string[];
  /** The last net error the socket reported (receive/accept error or failed call), if any. */
  readonly lastErrorCode?: number;
  /** Epoch ms of creation. */
  readonly createdAt?: number;
}

export interface InspectContext {
  readonly id: number;
  /** The `label` given at attach (window title, URL). */
  readonly label?: string;
  readonly background: boolean;
  /** Event bytes sent down to this context and not yet acknowledged (flow-control credit). */
  readonly unackedBytes?: number;
}

export interface InspectApp {
  readonly app: string;
  readonly contexts: readonly InspectContext[];
  /** Bytes of sends in flight against the app's write quota, and the quota. */
  readonly writeQuota?: { readonly used: number; readonly limit: number };
}

export interface InspectSnapshot {
  /** Epoch ms when the host built the snapshot. */
  readonly takenAt: number;
  readonly apps: readonly InspectApp[];
  readonly sockets: readonly InspectSocket[];
}

/** The provider the window is given; it rejects (with any Error) when the host is unreachable. */
export type InspectProvider = () => Promise<InspectSnapshot>;
