/**
 * One page context attached through one ordered port. It validates every message from the
 * page, queues results and events in one order, flushes them in batches, and keeps the
 * receive credit for flow control.
 */
import { ALL_EVENT_KEYS, eventKey, qualifiedNamespace, type WireNamespace as Namespace } from '../common/methods';
import { EVENT_CREDIT, PROTOCOL_VERSION, type DownItem, type WireError } from '../common/protocol';
import type { HostPort } from '../common/port';
import type { AppState } from './app-state';

/** A flush happens at least this often: once per event-loop turn, or earlier at this size. */
const BATCH_BYTES = 1 << 20;
/**
 * On a carrier whose backlog the host can see (the browser host's WebSocket), calls taken
 * between two flushes. Results only exist once their calls ran, so this bounds what one burst
 * of calls can add before the backlog is checked again: at most this many results.
 */
const CALLS_PER_FLUSH = 64;
/** Messages held back (while the carrier is held, or past CALLS_PER_FLUSH) before the carrier stops reading the page. */
const MAX_DEFERRED = 4096;

// The raw namespace's events go to the owning context whether or not it "listens" (not in ALL_EVENT_KEYS).
const VALID_EVENT_KEYS = new Set<string>(ALL_EVENT_KEYS);

/** The permission check a context carries: its app manifest's "sockets" section. */
export interface PermissionChecker {
  allows(op: 'tcp-connect' | 'tcp-listen' | 'udp-bind' | 'udp-send' | 'udp-multicast-membership', host: string, port: number): boolean;
}

export interface ContextLimits {
  /**
   * Calls a context may have unanswered at once. Calls of an earlier page of the context (before
   * a new hello) still count until they settle; close, disconnect, getInfo and getSockets are
   * never refused, so a page can always cancel what hangs.
   */
  maxPendingCalls: number;
  maxStringLength: number;
  highWaterMark: number;
  lowWaterMark: number;
}

/**
 * Methods the in-flight limit never refuses: they answer at once and are how a page gets out of
 * hanging calls (closing what hangs, or finding out what it has).
 */
const ALWAYS_ALLOWED = new Set(['close', 'disconnect', 'getInfo', 'getSockets']);

/** A method the owner's table has, found once per call. */
export interface CallTarget {
  readonly ns: Namespace;
  readonly method: string;
  /** Runs the call; rejects only for a handler bug. */
  invoke(ctx: PageContext, args: readonly unknown[]): Promise<{ a: readonly unknown[]; e?: WireError }>;
}

/** What the context asks of the host. */
export interface ContextOwner {
  /** The method `ns.m` names, or undefined when the API has none. */
  resolve(ns: unknown, m: unknown): CallTarget | undefined;
  /** The page said hello again (reload without a new port) or the port ended. */
  contextReset(ctx: PageContext): void;
  contextEnded(ctx: PageContext): void;
  log(line: string): void;
}

export class PageContext {
  /** Events this context has listeners for, as `"tcp.onReceive"`. */
  private listening = new Set<string>();
  private started = false;
  private ended = false;
  /** Bumped on every reset so results of calls made by an earlier page are dropped. */
  private generation = 0;
  /** Calls not yet settled, those of earlier pages of this context included. */
  private pending = 0;

  private items: DownItem[] = [];
  private bufs: ArrayBuffer[] = [];
  private transfer: ArrayBuffer[] = [];
  /** The batch's last payload source, so slices of one read share one buffer. */
  private lastSource?: ArrayBuffer;
  private queuedBytes = 0;
  private flushScheduled: 'task' | 'turn' | undefined;
  private flushImmediate?: NodeJS.Immediate;

  /** Receive bytes sent down and not yet acknowledged by the page. */
  unacked = 0;
  /** Whether this context holds its app's sockets (unacked credit or carrier backlog too high). */
  private blocked = false;
  /**
   * The carrier's own backlog is over the high-water mark: the page does not read what it is
   * sent, whatever its acks say. Sockets stop and no call is taken until it drains.
   */
  private carrierHeld = false;
  /** Messages held back (carrier held, or too many calls since the last flush), in order. */
  private deferred: unknown[] = [];
  private resumeImmediate?: NodeJS.Immediate;
  private incomingPaused = false;
  /** Calls taken since the last flush. */
  private callsSinceFlush = 0;
  private droppedMessages = 0;

  constructor(
    readonly id: number,
    readonly app: AppState,
    readonly policy: PermissionChecker,
    readonly background: boolean,
    readonly label: string,
    private readonly port: HostPort,
    private readonly owner: ContextOwner,
    private readonly limits: ContextLimits,
    /** The app's id in Chrome's format, sent to the page with every welcome. */
    readonly appId: string,
  ) {
    port.onMessage((message) => this.onMessage(message));
    port.onClose(() => this.end());
    port.onDrain?.(() => this.checkCarrier());
  }

  /** Bytes the carrier holds for the page (0 where it cannot tell). */
  get carrierBacklog(): number {
    return this.port.backlog ?? 0;
  }

  /** Calls not yet settled, including those of earlier pages of this context. */
  get pendingCalls(): number {
    return this.pending;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get isFlowBlocked(): boolean {
    return this.blocked;
  }

  listens(ns: Namespace, event: string): boolean {
    return this.listening.has(eventKey(ns, event));
  }

  /** Ends the context: no more messages either way. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.dropQueued();
    this.deferred = [];
    if (this.resumeImmediate !== undefined) clearImmediate(this.resumeImmediate);
    this.resumeImmediate = undefined;
    this.carrierHeld = false;
    this.unacked = 0;
    this.updateBlocked();
    this.listening.clear();
    try {
      this.port.close();
    } catch {
      // The carrier is already gone; nothing else holds it.
    }
    this.owner.contextEnded(this);
  }

  private dropQueued(): void {
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    this.flushScheduled = undefined;
    this.items = [];
    this.bufs = [];
    this.transfer = [];
    this.lastSource = undefined;
    this.queuedBytes = 0;
  }

  // ---- incoming ------------------------------------------------------------------------------

  private drop(reason: string): void {
    this.droppedMessages++;
    // A hostile page can send millions of bad messages; log the first few and then every 1000th.
    if (this.droppedMessages <= 10 || this.droppedMessages % 1000 === 0) {
      this.owner.log(`context ${this.id} (app ${this.app.name}): dropped message #${this.droppedMessages}: ${reason}`);
    }
  }

  private onMessage(message: unknown): void {
    if (this.ended) return;
    if (this.deferred.length > 0 || this.mustDefer(message)) {
      this.deferred.push(message);
      this.updateIncoming();
      this.scheduleResume();
      return;
    }
    this.take(message);
  }

  /**
   * Whether `message` must wait: nothing is taken while the carrier is held, and on a carrier
   * that shows its backlog no more than CALLS_PER_FLUSH calls between flushes.
   */
  private mustDefer(message: unknown): boolean {
    if (this.carrierHeld) return true;
    if (this.port.backlog === undefined || this.callsSinceFlush < CALLS_PER_FLUSH) return false;
    return typeof message === 'object' && message !== null && (message as { t?: unknown }).t === 'call';
  }

  private scheduleResume(): void {
    if (this.resumeImmediate !== undefined || this.carrierHeld || this.ended) return;
    this.resumeImmediate = setImmediate(this.resumeDeferred);
  }

  /** Takes held-back messages in order until one must wait again. */
  private readonly resumeDeferred = (): void => {
    this.resumeImmediate = undefined;
    // What the calls taken so far produced goes out first, so the backlog check sees it.
    this.flush();
    this.callsSinceFlush = 0;
    while (this.deferred.length > 0 && !this.ended && !this.mustDefer(this.deferred[0])) this.take(this.deferred.shift());
    this.updateIncoming();
    if (this.deferred.length > 0) this.scheduleResume();
  };

  /** The carrier stops reading the page while it is held or too much is held back. */
  private updateIncoming(): void {
    const paused = !this.ended && (this.carrierHeld || this.deferred.length >= MAX_DEFERRED);
    if (paused === this.incomingPaused) return;
    this.incomingPaused = paused;
    this.port.pauseIncoming?.(paused);
  }

  private take(message: unknown): void {
    try {
      this.handle(message);
    } catch (error) {
      // Validation should catch everything; this is the last line that keeps the host alive.
      this.drop(`handler failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  private handle(message: unknown): void {
    if (typeof message !== 'object' || message === null) return this.drop('not an object');
    const msg = message as Record<string, unknown>;
    switch (msg.t) {
      case 'hello':
        if (msg.v !== PROTOCOL_VERSION) return this.drop(`unsupported protocol version ${String(msg.v)}`);
        if (this.started) {
          // Results of the old page's calls are dropped, but those calls still count against
          // the in-flight limit until they settle: a page must not escape it by saying hello.
          this.generation++;
          // What was queued for the page that has gone must not reach the new one.
          this.dropQueued();
          this.listening.clear();
          this.unacked = 0;
          this.updateBlocked();
          this.owner.contextReset(this);
        }
        this.started = true;
        this.welcome();
        return;
      case 'ack': {
        const n = msg.n;
        if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return this.drop('bad ack');
        // A page may lie here (ack more than it was sent); the carrier backlog check does not
        // depend on what it says.
        this.unacked = Math.max(0, this.unacked - n);
        if (this.blocked && this.unacked <= this.limits.lowWaterMark) this.updateBlocked();
        return;
      }
      case 'listen': {
        const ev = msg.ev;
        if (!Array.isArray(ev) || ev.length > VALID_EVENT_KEYS.size || !ev.every((k) => typeof k === 'string' && VALID_EVENT_KEYS.has(k))) {
          return this.drop('bad listen');
        }
        this.listening = new Set(ev as string[]);
        return;
      }
      case 'call':
        return this.onCall(msg);
      default:
        return this.drop(`unknown message type ${JSON.stringify(String(msg.t)).slice(0, 40)}`);
    }
  }

  private onCall(msg: Record<string, unknown>): void {
    if (!this.started) return this.drop('call before hello');
    const { id, ns, m, a } = msg;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return this.drop('call without a valid id');
    const fail = (message: string): void => this.enqueueResult(id, [], { message }, this.generation);
    const target = this.owner.resolve(ns, m);
    if (target === undefined) return fail(`Unknown method ${String(ns).slice(0, 40)}.${String(m).slice(0, 40)}`);
    const name = `${qualifiedNamespace(target.ns)}.${target.method}`;
    if (!Array.isArray(a)) return fail(`Invalid arguments for ${name}`);
    if (hasLongString(a, this.limits.maxStringLength)) return fail(`Argument too long for ${name}`);
    if (this.pending >= this.limits.maxPendingCalls && !ALWAYS_ALLOWED.has(target.method)) {
      return fail(`Too many calls in flight (${this.limits.maxPendingCalls})`);
    }
    this.pending++;
    this.callsSinceFlush++;
    const generation = this.generation;
    target.invoke(this, a).then(
      (result) => {
        this.pending--;
        this.enqueueResult(id, result.a, result.e, generation);
      },
      (error: unknown) => {
        this.pending--;
        this.owner.log(`${name} failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
        this.enqueueResult(id, [], { message: 'Internal error' }, generation);
      },
    );
  }

  // ---- outgoing ------------------------------------------------------------------------------

  private enqueueResult(id: number, a: readonly unknown[], e: WireError | undefined, generation: number): void {
    if (this.ended || generation !== this.generation) return;
    this.items.push(e === undefined ? { t: 'r', id, a } : { t: 'r', id, a, e });
    // Results count towards the batch size too (getSockets can be large), so a page that
    // calls fast cannot pile up more than one batch before the carrier's backlog is checked.
    this.queuedBytes += estimateSize(a, 0);
    if (this.queuedBytes >= BATCH_BYTES) this.flush();
    else this.scheduleFlush(false);
  }

  /**
   * Queues an event. `data` bytes are counted against the context's credit; when `transferable`
   * the data's whole ArrayBuffer may be moved to the page instead of copied.
   */
  enqueueEvent(ns: Namespace, ev: string, arg: Record<string, unknown>, data?: Uint8Array, transferable = false, sliceSize = 0): void {
    if (this.ended) return;
    this.credit(EVENT_CREDIT);
    if (data === undefined) {
      this.items.push({ t: 'e', ns, ev, arg });
      this.scheduleFlush(true);
      return;
    }
    let source = data.buffer as ArrayBuffer;
    let offset = data.byteOffset;
    if (source !== this.lastSource) {
      if (!transferable) {
        // Copy just the bytes: a Node Buffer may view a shared pool, and cloning would send it
        // all. (Buffer#slice is a view, not a copy: copy explicitly.)
        const copy = new Uint8Array(data.byteLength);
        copy.set(data);
        source = copy.buffer;
        offset = 0;
      } else {
        this.transfer.push(source);
      }
      this.bufs.push(source);
      this.lastSource = source;
    }
    const d = [this.bufs.length - 1, offset, data.byteLength] as const;
    this.items.push(sliceSize > 0 && sliceSize < data.byteLength ? { t: 'e', ns, ev, arg, d, s: sliceSize } : { t: 'e', ns, ev, arg, d });
    this.queuedBytes += data.byteLength;
    this.credit(data.byteLength);
    this.scheduleFlush(true);
  }

  /** Counts what the page has yet to acknowledge; over the high-water mark the app stops reading. */
  private credit(amount: number): void {
    this.unacked += amount;
    if (!this.blocked && this.unacked > this.limits.highWaterMark) this.updateBlocked();
  }

  /** The app's id for `chrome.runtime.id`, ahead of anything else this page gets. */
  private welcome(): void {
    try {
      this.port.postMessage({ t: 'w', v: PROTOCOL_VERSION, appId: this.appId }, []);
    } catch (error) {
      this.owner.log(`context ${this.id}: port failed, ending context: ${(error as Error)?.message}`);
      this.end();
    }
  }

  /**
   * Holds the app's sockets and stops reading the page while the carrier's backlog is over the
   * high-water mark; lets go once it is down to the low-water mark. Called after every flush
   * and whenever the carrier drains.
   */
  private checkCarrier(): void {
    if (this.ended) return;
    const backlog = this.port.backlog ?? 0;
    const held = this.carrierHeld ? backlog > this.limits.lowWaterMark : backlog > this.limits.highWaterMark;
    if (held === this.carrierHeld) return;
    this.carrierHeld = held;
    this.updateIncoming();
    this.updateBlocked();
    if (!held && this.deferred.length > 0) this.scheduleResume();
  }

  private updateBlocked(): void {
    const overCredit = this.blocked ? this.unacked > this.limits.lowWaterMark : this.unacked > this.limits.highWaterMark;
    this.setBlocked(!this.ended && (overCredit || this.carrierHeld));
  }

  /**
   * Flushes early once a batch is large. Called by the host after an event was queued, never
   * in the middle of one read: flushing there would transfer (detach) a buffer still in use.
   */
  flushIfFull(): void {
    if (this.queuedBytes >= BATCH_BYTES) this.flush();
  }

  private setBlocked(blocked: boolean): void {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    this.app.setContextBlocked(blocked);
  }

  /**
   * Events go down at the end of the current task: everything one read produced is one batch,
   * without waiting for the event loop to come round (that would cost latency on every echo).
   * A batch of results only waits for the end of the poll phase, so the answers to all the
   * calls one drain of the port brought go down as one message.
   */
  private scheduleFlush(urgent: boolean): void {
    if (this.flushScheduled === 'task') return;
    if (urgent) {
      this.flushScheduled = 'task';
      queueMicrotask(this.flushTask);
    } else if (this.flushScheduled === undefined) {
      this.flushScheduled = 'turn';
      this.flushImmediate = setImmediate(this.flushTask);
    }
  }

  private readonly flushTask = (): void => {
    this.flush();
  };

  /** Sends everything queued as one batch. */
  flush(): void {
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    this.flushScheduled = undefined;
    if (this.ended || this.items.length === 0) return;
    this.callsSinceFlush = 0;
    const batch = { t: 'b' as const, m: this.items, bufs: this.bufs };
    const transfer = this.transfer;
    this.items = [];
    this.bufs = [];
    this.transfer = [];
    this.lastSource = undefined;
    this.queuedBytes = 0;
    try {
      this.port.postMessage(batch, transfer);
    } catch (error) {
      this.owner.log(`context ${this.id}: port failed, ending context: ${(error as Error)?.message}`);
      this.end();
      return;
    }
    if (this.port.backlog !== undefined) this.checkCarrier();
  }
}

/** A cheap upper-bound-ish guess of a result's encoded size, for batching. */
function estimateSize(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null || depth > 4) return 8;
  let size = 16;
  if (Array.isArray(value)) for (const item of value) size += estimateSize(item, depth + 1);
  else for (const [key, item] of Object.entries(value)) size += key.length + 3 + estimateSize(item, depth + 1);
  return size;
}

function hasLongString(value: unknown, max: number, depth = 0): boolean {
  if (typeof value === 'string') return value.length > max;
  if (depth > 3 || typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') return false;
  return Object.values(value as object).some((v) => hasLongString(v, max, depth + 1));
}
