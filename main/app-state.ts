/**
 * Per-app state: its page contexts, its sockets (across namespaces) and its write quota.
 * Sockets belong to apps, not to contexts (spec §1.1).
 */
import type { Namespace } from '../common/methods';
import type { PageContext } from './page-context';

/** What the host needs of every socket, whatever its namespace. */
export interface ManagedSocket {
  readonly kind: Namespace;
  readonly id: number;
  readonly app: AppState;
  readonly persistent: boolean;
  /** Re-evaluates whether the socket should be reading (app pause, error pause, flow control). */
  updateReading(): void;
  /** Releases the OS socket and timers without firing events (lifetime end, dispose). */
  destroy(): void;
  /** A read-only view for the inspector. */
  snapshot(): SocketSnapshot;
}

/** Why a socket does not read right now; empty when it reads (or has nothing to read). */
export type PauseReason = 'app' | 'error' | 'flow';

export interface SocketSnapshot {
  kind: Namespace;
  id: number;
  app: string;
  name?: string;
  persistent: boolean;
  /** 'idle' | 'connecting' | 'connected' | 'listening' | 'bound' | … */
  state: string;
  paused: boolean;
  pausedBy: PauseReason[];
  localAddress?: string;
  localPort?: number;
  peerAddress?: string;
  peerPort?: number;
  secure?: boolean;
  bytesReceived: number;
  bytesSent: number;
  messagesReceived: number;
  messagesSent: number;
  /** Events held in the host while the socket may not deliver (accepts, datagrams). */
  queued?: number;
  /** Events the host had to drop because that queue was full. */
  dropped?: number;
}

/** The state every socket kind keeps the same way. */
export interface PausableSocket {
  readonly kind: Namespace;
  readonly id: number;
  readonly app: AppState;
  readonly name: string;
  readonly persistent: boolean;
  /** Chrome's paused flag, with who set it: the app, or an error (or a disconnect). */
  readonly pausedBy: 'app' | 'error' | undefined;
}

/**
 * The snapshot fields every socket kind fills alike. `active` says whether the socket would
 * deliver now (connected, listening, bound), so a flow-control hold applies to it.
 */
export function snapshotBase(
  socket: PausableSocket,
  state: string,
  active: boolean,
): Pick<SocketSnapshot, 'kind' | 'id' | 'app' | 'name' | 'persistent' | 'state' | 'paused' | 'pausedBy'> {
  const pausedBy: PauseReason[] = socket.pausedBy === undefined ? [] : [socket.pausedBy];
  if (active && socket.app.flowBlocked) pausedBy.push('flow');
  return {
    kind: socket.kind,
    id: socket.id,
    app: socket.app.name,
    name: socket.name || undefined,
    persistent: socket.persistent,
    state,
    paused: socket.pausedBy !== undefined,
    pausedBy,
  };
}

export class AppState {
  readonly contexts = new Set<PageContext>();
  readonly sockets = new Set<ManagedSocket>();
  /** Whether a background context was ever attached: then only its end closes sockets. */
  hasBackground = false;
  /** Bytes handed to sends that have not completed yet (Chrome's per-app write quota). */
  writeInFlight = 0;
  /** Contexts whose unacknowledged receive bytes are over the high-water mark. */
  private blockedContexts = 0;

  constructor(
    readonly name: string,
    /** Sockets the app may hold at once, across namespaces (SocketsHostOptions.limits). */
    readonly maxSockets = Number.POSITIVE_INFINITY,
  ) {}

  /** Whether one more socket would exceed the app's limit. */
  get atSocketLimit(): boolean {
    return this.sockets.size >= this.maxSockets;
  }

  get flowBlocked(): boolean {
    return this.blockedContexts > 0;
  }

  /** Called by a context when it crosses a water mark; sockets re-check whether to read. */
  setContextBlocked(blocked: boolean): void {
    const before = this.flowBlocked;
    this.blockedContexts += blocked ? 1 : -1;
    if (before !== this.flowBlocked) for (const socket of this.sockets) socket.updateReading();
  }
}
