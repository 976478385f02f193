/**
 * A page context's inbound side: every message from the page is validated here before anything
 * acts on it, and messages are held back (in order) while the carrier is held or, on a carrier
 * that shows its backlog, once CALLS_PER_FLUSH calls were taken since the last flush.
 */
import { ALL_EVENT_KEYS, qualifiedNamespace, type WireNamespace } from '../../common/methods';
import { PROTOCOL_VERSION } from '../../common/protocol';
import type { HostPort } from '../../common/port';

/**
 * On a carrier whose backlog the host can see (the browser host's WebSocket), calls taken
 * between two flushes. Results only exist once their calls ran, so this bounds what one burst
 * of calls can add before the backlog is checked again: at most this many results.
 */
export const CALLS_PER_FLUSH = 64;
/** Messages held back (while the carrier is held, or past CALLS_PER_FLUSH) before the carrier stops reading the page. */
export const MAX_DEFERRED = 4096;

// The raw namespace's events go to the owning context whether or not it "listens" (not in ALL_EVENT_KEYS).
const VALID_EVENT_KEYS = new Set<string>(ALL_EVENT_KEYS);

/** What a validated message asks of the context. */
export interface InboundSink<Target extends { readonly ns: WireNamespace; readonly method: string }> {
  /** The method a call names, or undefined when the API has none. */
  resolve(ns: unknown, m: unknown): Target | undefined;
  /** The page said hello; `again` when an earlier page of this context already had. */
  hello(again: boolean): void;
  ack(bytes: number): void;
  /** The events the page listens to now (replacing what it listened to before). */
  listen(keys: Set<string>): void;
  /** A well-formed call of a method the API has. */
  call(id: number, target: Target, args: unknown[], name: string): void;
  /** A tcp send the page answered itself under grant `grant` (its send credit). */
  creditedSend(socketId: number, grant: number, data: ArrayBuffer): void;
  /** The page let go of a revoked grant: nothing more comes under it. */
  creditReleased(socketId: number, grant: number): void;
  /** A call answered at once with an error (unknown method, bad arguments). */
  refuse(id: number, message: string): void;
  /** Sends what the calls taken so far produced, so the backlog check sees it. */
  flush(): void;
  /** Whether the carrier is held (its backlog is over the high-water mark). */
  carrierHeld(): boolean;
  log(line: string): void;
}

export class Inbound<Target extends { readonly ns: WireNamespace; readonly method: string }> {
  private started = false;
  private closed = false;
  /** Messages held back (carrier held, or too many calls since the last flush), in order. */
  private deferred: unknown[] = [];
  private resumeImmediate?: NodeJS.Immediate;
  private incomingPaused = false;
  /** Calls taken since the last flush. */
  private callsSinceFlush = 0;
  private droppedMessages = 0;

  constructor(
    /** `context 3 (app a)`: how log lines name the context. */
    private readonly name: string,
    private readonly port: HostPort,
    private readonly maxStringLength: number,
    private readonly sink: InboundSink<Target>,
  ) {}

  /** The context ended: nothing more is taken, and what was held back is dropped. */
  close(): void {
    this.closed = true;
    this.deferred = [];
    if (this.resumeImmediate !== undefined) clearImmediate(this.resumeImmediate);
    this.resumeImmediate = undefined;
  }

  /** A call was taken (it counts against CALLS_PER_FLUSH until the next flush). */
  callTaken(): void {
    this.callsSinceFlush++;
  }

  /** A batch went down: calls may be taken again. */
  flushed(): void {
    this.callsSinceFlush = 0;
  }

  /** The carrier hold changed: stop or restart reading the page, and take what was held back. */
  carrierChanged(): void {
    this.updateIncoming();
  }

  /** Resumes taking held-back messages once the carrier let go. */
  resumeIfDeferred(): void {
    if (this.deferred.length > 0) this.scheduleResume();
  }

  onMessage(message: unknown): void {
    if (this.closed) return;
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
    if (this.sink.carrierHeld()) return true;
    if (this.port.backlog === undefined || this.callsSinceFlush < CALLS_PER_FLUSH) return false;
    return typeof message === 'object' && message !== null && (message as { t?: unknown }).t === 'call';
  }

  private scheduleResume(): void {
    if (this.resumeImmediate !== undefined || this.sink.carrierHeld() || this.closed) return;
    this.resumeImmediate = setImmediate(this.resumeDeferred);
  }

  /** Takes held-back messages in order until one must wait again. */
  private readonly resumeDeferred = (): void => {
    this.resumeImmediate = undefined;
    // What the calls taken so far produced goes out first, so the backlog check sees it.
    this.sink.flush();
    this.callsSinceFlush = 0;
    while (this.deferred.length > 0 && !this.closed && !this.mustDefer(this.deferred[0])) this.take(this.deferred.shift());
    this.updateIncoming();
    if (this.deferred.length > 0) this.scheduleResume();
  };

  /** The carrier stops reading the page while it is held or too much is held back. */
  private updateIncoming(): void {
    const paused = !this.closed && (this.sink.carrierHeld() || this.deferred.length >= MAX_DEFERRED);
    if (paused === this.incomingPaused) return;
    this.incomingPaused = paused;
    this.port.pauseIncoming?.(paused);
  }

  private drop(reason: string): void {
    this.droppedMessages++;
    // A hostile page can send millions of bad messages; log the first few and then every 1000th.
    if (this.droppedMessages <= 10 || this.droppedMessages % 1000 === 0) {
      this.sink.log(`${this.name}: dropped message #${this.droppedMessages}: ${reason}`);
    }
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
      case 'hello': {
        if (msg.v !== PROTOCOL_VERSION) return this.drop(`unsupported protocol version ${String(msg.v)}`);
        const again = this.started;
        this.started = true;
        return this.sink.hello(again);
      }
      case 'ack': {
        const n = msg.n;
        if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return this.drop('bad ack');
        return this.sink.ack(n);
      }
      case 'listen': {
        const ev = msg.ev;
        if (!Array.isArray(ev) || ev.length > VALID_EVENT_KEYS.size || !ev.every((k) => typeof k === 'string' && VALID_EVENT_KEYS.has(k))) {
          return this.drop('bad listen');
        }
        return this.sink.listen(new Set(ev as string[]));
      }
      case 'call':
        return this.onCall(msg);
      case 'send': {
        if (!this.started) return this.drop('send before hello');
        const { s, g, d } = msg;
        if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) return this.drop('send without a valid socket id');
        if (typeof g !== 'number' || !Number.isSafeInteger(g) || g < 1) return this.drop('send without a valid grant');
        if (Object.prototype.toString.call(d) !== '[object ArrayBuffer]') return this.drop('send without an ArrayBuffer');
        return this.sink.creditedSend(s, g, d as ArrayBuffer);
      }
      case 'cr': {
        if (!this.started) return this.drop('credit release before hello');
        const { s, g } = msg;
        if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) return this.drop('credit release without a valid socket id');
        if (typeof g !== 'number' || !Number.isSafeInteger(g) || g < 1) return this.drop('credit release without a valid grant');
        return this.sink.creditReleased(s, g);
      }
      default:
        return this.drop(`unknown message type ${JSON.stringify(String(msg.t)).slice(0, 40)}`);
    }
  }

  private onCall(msg: Record<string, unknown>): void {
    if (!this.started) return this.drop('call before hello');
    const { id, ns, m, a } = msg;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return this.drop('call without a valid id');
    const target = this.sink.resolve(ns, m);
    if (target === undefined) return this.sink.refuse(id, `Unknown method ${String(ns).slice(0, 40)}.${String(m).slice(0, 40)}`);
    const name = `${qualifiedNamespace(target.ns)}.${target.method}`;
    if (!Array.isArray(a)) return this.sink.refuse(id, `Invalid arguments for ${name}`);
    if (hasLongString(a, this.maxStringLength)) return this.sink.refuse(id, `Argument too long for ${name}`);
    this.sink.call(id, target, a, name);
  }
}

function hasLongString(value: unknown, max: number, depth = 0): boolean {
  if (typeof value === 'string') return value.length > max;
  if (depth > 3 || typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (Object.prototype.toString.call(value) === '[object ArrayBuffer]') return false;
  return Object.values(value as object).some((v) => hasLongString(v, max, depth + 1));
}
