/**
 * Per-app state: its page contexts, its sockets (across namespaces) and its write quota.
 * Sockets belong to apps, not to contexts (spec §1.1).
 */
import type { InspectSocket } from '../common/inspect-types';
import type { Namespace, WireNamespace } from '../common/methods';

/** What an app needs of each of its page contexts (main/page-context.ts). */
export interface AppContext {
  readonly background: boolean;
  /** Whether the page listens to `ns.event` (it said so with a listen message). */
  listens(ns: WireNamespace, event: string): boolean;
  /** Queues an event for the page; `data` bytes count against the context's credit. */
  enqueueEvent(
    ns: WireNamespace,
    ev: string,
    arg: Record<string, unknown>,
    data?: Uint8Array,
    transferable?: boolean,
    sliceSize?: number,
  ): void;
  /** Sends what is queued once a batch is large (never in the middle of one read). */
  flushIfFull(): void;
  /** Ends the context as if its page went away. */
  end(): void;
}

/** How `deliver` hands data to the contexts. */
export interface DeliveryOptions {
  /** The data's whole ArrayBuffer may be moved to one page instead of copied. */
  transferable?: boolean;
  /** The page gets the data as events of at most this many bytes (the socket's bufferSize). */
  sliceSize?: number;
  /** A context that does not get the event (the sender of a runtime message). */
  except?: AppContext;
}

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

/**
 * What `snapshot()` gives the inspector: the one snapshot type the window reads
 * (common/inspect-types.ts), so host and window cannot drift apart.
 */
export type SocketSnapshot = InspectSocket;

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
  readonly contexts = new Set<AppContext>();
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

  /**
   * Fans an event out to every context of the app that listens to it (spec §3.7). With `data`,
   * the page gets `data` as events of at most `sliceSize` bytes each (one read, sliced to the
   * socket's bufferSize). Returns false when no context listens (Chrome drops such events).
   */
  deliver(ns: WireNamespace, ev: string, arg: Record<string, unknown>, data?: Uint8Array, options: DeliveryOptions = {}): boolean {
    let delivered = false;
    let transferable = options.transferable === true;
    for (const ctx of this.contexts) {
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
    if (data !== undefined) for (const ctx of this.contexts) ctx.flushIfFull();
    return delivered;
  }

  /** Called by a context when it crosses a water mark; sockets re-check whether to read. */
  setContextBlocked(blocked: boolean): void {
    const before = this.flowBlocked;
    this.blockedContexts += blocked ? 1 : -1;
    if (before !== this.flowBlocked) for (const socket of this.sockets) socket.updateReading();
  }
}
