/**
 * What the socket debugging window's inspector reads: a read-only snapshot of every page context
 * and every socket of every attached app. `SocketsHost.inspect()` (main/host.ts) already returns
 * a value of this shape — a test keeps the two assignable — so a carrier only has to move it:
 * the window calls an injected `InspectProvider` at most a few times a second, never with two
 * calls outstanding. Snapshots carry no payload bytes.
 */
import type { Namespace } from './methods';

/**
 * Why a socket is not reading (or accepting): `app` — the app called `setPaused(id, true)` (or an
 * accepted socket not yet resumed); `error` — Chrome paused it after `onReceiveError` /
 * `onAcceptError` or a disconnect; `flow` — the host's receive back-pressure holds it because the
 * app's contexts have too many unacknowledged bytes (invisible to the app).
 */
export type InspectPauseReason = 'app' | 'error' | 'flow';

export interface InspectSocket {
  readonly kind: Namespace;
  /** The id the app sees (per namespace, never reused). */
  readonly id: number;
  readonly app: string;
  readonly name?: string;
  readonly persistent: boolean;
  /**
   * tcp: `idle` (created or disconnected), `connecting`, `connected`, `securing`; tcpServer:
   * `idle`, `listening`; udp: `idle`, `bound`. Other words are shown as they come.
   */
  readonly state: string;
  /** Chrome's `paused` flag as `getInfo` reports it. */
  readonly paused: boolean;
  /** Every reason that currently stops reading; empty when the socket reads. */
  readonly pausedBy: readonly InspectPauseReason[];
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly peerAddress?: string;
  readonly peerPort?: number;
  /** tcp: went through `secure()`. */
  readonly secure?: boolean;
  /** Payload bytes delivered to the app (`onReceive`) and accepted from it (`send`). */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly messagesReceived?: number;
  readonly messagesSent?: number;
  // Optional extras the window shows when a host provides them.
  /** tcp: the tcpServer id that accepted it. */
  readonly acceptedBy?: number;
  /** udp: joined multicast groups. */
  readonly groups?: readonly string[];
  /** The last net error the socket reported (error event or failed call). */
  readonly lastErrorCode?: number;
  /** Send bytes handed over but not yet written (count against the app's write quota). */
  readonly bytesInFlight?: number;
  /** Events held in the host while the socket may not deliver (accepts, datagrams). */
  readonly queued?: number;
  /** Events the host had to drop because that queue was full. */
  readonly dropped?: number;
  /** tcp after a successful secure(): what was negotiated and whom it talks to. */
  readonly tls?: InspectTls;
}

/** A certificate as the window shows it (no key material; `pem` only where it can be trusted). */
export interface InspectCertificate {
  /** `CN=…, O=…` in the certificate's order. */
  readonly subject: string;
  readonly issuer: string;
  /** OpenSSL's dates, e.g. `Dec  2 13:00:00 2026 GMT`. */
  readonly validFrom: string;
  readonly validTo: string;
  /** SHA-256 of the DER, colon-separated upper-case hex. */
  readonly fingerprint256: string;
  readonly subjectAltName?: string;
}

/** The TLS session of a secured tcp socket. */
export interface InspectTls {
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly protocol: string;
  /** IANA name, e.g. `TLS_AES_256_GCM_SHA384`. */
  readonly cipher: string;
  /** The peer's leaf certificate. */
  readonly peerCertificate?: InspectCertificate;
}

/**
 * A secure() that failed certificate verification (most often ERR_CERT_AUTHORITY_INVALID): what
 * the peer presented, so the window can offer to trust it for this session (`trust` below).
 */
export interface InspectRejectedCertificate {
  readonly app: string;
  readonly socketId: number;
  /** Epoch ms. */
  readonly time: number;
  /** The net error secure() reported (-202, -200, -201, …). */
  readonly resultCode: number;
  /** OpenSSL's reason, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
  readonly reason: string;
  /** The leaf the peer presented. */
  readonly certificate: InspectCertificate;
  /**
   * The top of the chain the peer sent (the leaf when it sent only that). Trusting it helps
   * only when it is self-signed (`anchor`): OpenSSL needs a chain ending in a trusted root.
   */
  readonly top: InspectCertificate;
  readonly anchor: boolean;
}

export interface InspectContext {
  readonly id: number;
  readonly app: string;
  /** The `label` given at attach (window title, URL). */
  readonly label?: string;
  /** The app's background context: its end closes the app's non-persistent sockets. */
  readonly background: boolean;
  /** Event bytes sent down to this context and not yet acknowledged. */
  readonly unackedBytes?: number;
  /** Over the high-water mark: the app's sockets are flow-paused because of this context. */
  readonly flowBlocked?: boolean;
}

export interface InspectSnapshot {
  readonly contexts: readonly InspectContext[];
  readonly sockets: readonly InspectSocket[];
  /** Epoch ms when the snapshot was taken; the window uses its own clock when absent. */
  readonly takenAt?: number;
  /** Per-app extras, when the host provides them. */
  readonly apps?: readonly { readonly app: string; readonly writeQuota?: { readonly used: number; readonly limit: number } }[];
  /** The latest secure() certificate rejections, newest last (bounded). */
  readonly rejectedCertificates?: readonly InspectRejectedCertificate[];
  /** Certificates trusted at run time, per app (`SocketsHost.addTrustedCertificate`). */
  readonly trustedCertificates?: readonly { readonly app: string; readonly certificate: InspectCertificate }[];
}

/** The provider the window is given; it rejects (with any Error) when the host is unreachable. */
export type InspectProvider = () => Promise<InspectSnapshot>;

/** The fields of a tap record that cross the wire as they are (`main/tap.ts` adds the payload bytes). */
export interface TapRecordFields {
  /** Increases by one per record of this watch. */
  readonly seq: number;
  /** Epoch ms. */
  readonly time: number;
  /** `rx`/`tx` payload, `call` an app call on the socket, `event` an event other than data. */
  readonly type: 'rx' | 'tx' | 'call' | 'event';
  /** Stream offset of the payload in its direction (TCP). */
  readonly offset?: number;
  /** UDP: the datagram's remote end. */
  readonly remote?: { readonly address: string; readonly port: number };
  /** `tcp.send`, `tcp.onReceiveError`, … */
  readonly name?: string;
  /** Arguments, payloads summarised as `<N bytes>`. */
  readonly args?: string;
  readonly resultCode?: number;
  readonly lastError?: string;
  readonly latencyMs?: number;
}

/**
 * One record of the debugging window's tap (main/tap.ts) as it crosses to the window: payload
 * bytes as base64 in `data`.
 */
export interface TapWireRecord extends TapRecordFields {
  readonly data?: string;
}

export interface TapWireRead {
  readonly records: readonly TapWireRecord[];
  readonly next: number;
  readonly dropped: number;
  readonly socket?: InspectSocket;
}

/**
 * What the window asks the tap: follow, read since a record, stop following a socket; or trust,
 * for `app` and this session, a certificate the host saw rejected (by its SHA-256 fingerprint).
 */
export type TapWireRequest =
  | { readonly op: 'watch' | 'unwatch'; readonly kind: Namespace; readonly id: number }
  | { readonly op: 'read'; readonly kind: Namespace; readonly id: number; readonly since: number }
  | { readonly op: 'trust'; readonly app: string; readonly fingerprint256: string };

/** The tap provider the window is given (Electron IPC or the browser host's POST /tap). */
export type TapProvider = (request: TapWireRequest) => Promise<unknown>;
