/**
 * One page context attached through one ordered port. Three units do its work: the inbound
 * side validates every message from the page and holds messages back while it must
 * (context/inbound.ts), the outbound batch queues results and events in one order and flushes
 * them (context/outbound.ts), and the flow credit holds the app's sockets while the page is
 * behind (context/flow-credit.ts). A repeated hello and `end()` share one reset.
 */
import { eventKey, NAMESPACES, type WireNamespace as Namespace } from '../common/methods';
import { EVENT_CREDIT, PROTOCOL_VERSION, type CreditMessage, type WireError } from '../common/protocol';
import type { HostPort } from '../common/port';
import type { AppState } from './app-state';
import { FlowCredit } from './context/flow-credit';
import { Inbound } from './context/inbound';
import { OutboundBatch } from './context/outbound';

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
  /**
   * A tcp send the page answered itself out of its send credit (grant `grant`); false when the
   * page sent more than its credit or than its credited writes in flight (it does not keep to
   * the protocol).
   */
  creditedSend(ctx: PageContext, socketId: number, grant: number, data: ArrayBuffer): boolean;
  log(line: string): void;
}

/** A tcp socket that holds, or is finishing, a send grant of a context (tcp/tcp-socket.ts). */
export interface CreditHolder {
  /** Bytes the page answered under `grant`; false when they go beyond what it may have in flight. */
  creditedWrite(page: PageContext, grant: number, data: Buffer): boolean;
  /** The page let go of revoked grant `grant`. */
  creditReleased(page: PageContext, grant: number): void;
  /** The page went away (reload or end): nothing more comes from it. */
  dropSendCreditOf(page: PageContext): void;
}

/** Namespaces whose events go down once per event-loop turn (OutboundBatch.schedule). */
const SOCKET_NAMESPACES: ReadonlySet<Namespace> = new Set<Namespace>([...NAMESPACES, 'raw']);

export class PageContext {
  /** Events this context has listeners for, as `"tcp.onReceive"`. */
  private listening = new Set<string>();
  private ended = false;
  /** Bumped on every reset so results of calls made by an earlier page are dropped. */
  private generation = 0;
  /** Calls not yet settled, those of earlier pages of this context included. */
  private pending = 0;
  /** Sockets with a written count to tell the page at the next flush (send credit). */
  private creditSources = new Set<{ creditItem(): CreditMessage | undefined }>();
  /** Sockets holding or finishing a send grant of this context, by id. */
  readonly creditHolders = new Map<number, CreditHolder>();
  /** Credited writes in flight under this context's live grants (limits.maxCreditedWrites). */
  creditedWrites = 0;
  /** Credited sends refused (beyond the credit or the writes in flight), for the log. */
  private creditRefusals = 0;

  private readonly inbound: Inbound<CallTarget>;
  private readonly outbound = new OutboundBatch(() => this.flush());
  private readonly credit: FlowCredit;

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
    this.credit = new FlowCredit(limits, (blocked) => app.setContextBlocked(blocked));
    this.inbound = new Inbound<CallTarget>(`context ${id} (app ${app.name})`, port, limits.maxStringLength, {
      resolve: (ns, m) => owner.resolve(ns, m),
      hello: (again) => this.onHello(again),
      ack: (bytes) => this.credit.ack(bytes),
      listen: (keys) => {
        this.listening = keys;
      },
      call: (id, target, args, name) => this.onCall(id, target, args, name),
      creditedSend: (socketId, grant, data) => {
        if (owner.creditedSend(this, socketId, grant, data)) return;
        // A hostile page can send millions: the first few are logged, then every 1000th.
        this.creditRefusals++;
        if (this.creditRefusals <= 10 || this.creditRefusals % 1000 === 0) {
          owner.log(`context ${id}: a send beyond the socket's send credit was dropped (#${this.creditRefusals})`);
        }
      },
      creditReleased: (socketId, grant) => this.creditHolders.get(socketId)?.creditReleased(this, grant),
      refuse: (id, message) => this.enqueueResult(id, [], { message }, this.generation),
      flush: () => this.flush(),
      carrierHeld: () => this.credit.isCarrierHeld,
      log: (line) => owner.log(line),
    });
    port.onMessage((message) => this.inbound.onMessage(message));
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

  /** Receive bytes sent down and not yet acknowledged by the page. */
  get unacked(): number {
    return this.credit.unacked;
  }

  /** Bumped when the page reloads (a new hello) or ends: a call of an earlier page sees it changed. */
  get pageGeneration(): number {
    return this.ended ? -1 : this.generation;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get isFlowBlocked(): boolean {
    return this.credit.isBlocked;
  }

  listens(ns: Namespace, event: string): boolean {
    return this.listening.has(eventKey(ns, event));
  }

  /** Ends the context: no more messages either way. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.inbound.close();
    this.resetPage();
    this.credit.close();
    try {
      this.port.close();
    } catch {
      // The carrier is already gone; nothing else holds it.
    }
    this.owner.contextEnded(this);
  }

  /**
   * What a page leaves behind when it goes (a repeated hello, or the end of the context): what
   * was queued for it, what it listened to, and the credit it owed.
   */
  private resetPage(): void {
    this.outbound.clear();
    this.creditSources.clear();
    this.listening.clear();
    this.credit.reset();
  }

  private onHello(again: boolean): void {
    if (again) {
      // Results of the old page's calls are dropped, but those calls still count against
      // the in-flight limit until they settle: a page must not escape it by saying hello.
      this.generation++;
      // What was queued for the page that has gone must not reach the new one.
      this.resetPage();
      this.owner.contextReset(this);
    }
    this.welcome();
  }

  private onCall(id: number, target: CallTarget, args: unknown[], name: string): void {
    if (this.pending >= this.limits.maxPendingCalls && !ALWAYS_ALLOWED.has(target.method)) {
      return this.enqueueResult(id, [], { message: `Too many calls in flight (${this.limits.maxPendingCalls})` }, this.generation);
    }
    this.pending++;
    this.inbound.callTaken();
    const generation = this.generation;
    target.invoke(this, args).then(
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
    this.outbound.pushResult(id, a, e);
    if (this.outbound.isFull) this.flush();
    else this.outbound.schedule(false);
  }

  /**
   * Queues an event. `data` bytes are counted against the context's credit; when `transferable`
   * the data's whole ArrayBuffer may be moved to the page instead of copied.
   */
  enqueueEvent(ns: Namespace, ev: string, arg: Record<string, unknown>, data?: Uint8Array, transferable = false, sliceSize = 0): void {
    if (this.ended) return;
    this.outbound.pushEvent(ns, ev, arg, data, transferable, sliceSize);
    this.credit.add(EVENT_CREDIT + (data?.byteLength ?? 0));
    this.outbound.schedule(!SOCKET_NAMESPACES.has(ns));
  }

  /** Queues a send-credit grant or revocation in order (tcp-socket.ts CreditPage). */
  queueCredit(item: CreditMessage, flush: boolean): void {
    if (this.ended) return;
    this.outbound.pushCredit(item);
    if (flush) this.outbound.schedule(false);
  }

  /** A socket has a new written count for the page: it goes with the next batch, or soon with `flush`. */
  creditChanged(source: { creditItem(): CreditMessage | undefined }, flush: boolean): void {
    if (this.ended) return;
    this.creditSources.add(source);
    if (flush) this.outbound.schedule(false);
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
    if (!this.credit.observeBacklog(this.port.backlog ?? 0)) return;
    this.inbound.carrierChanged();
    this.credit.recheck();
    if (!this.credit.isCarrierHeld) this.inbound.resumeIfDeferred();
  }

  /**
   * Flushes early once a batch is large. Called by the host after an event was queued, never
   * in the middle of one read: flushing there would transfer (detach) a buffer still in use.
   */
  flushIfFull(): void {
    if (this.outbound.isFull) this.flush();
  }

  /** Sends everything queued as one batch. */
  flush(): void {
    if (this.creditSources.size > 0 && !this.ended) {
      for (const source of this.creditSources) {
        const item = source.creditItem();
        if (item !== undefined) this.outbound.pushCredit(item);
      }
      this.creditSources.clear();
    }
    const out = this.outbound.take();
    if (this.ended || out === undefined) return;
    this.inbound.flushed();
    try {
      this.port.postMessage(out.batch, out.transfer);
    } catch (error) {
      this.owner.log(`context ${this.id}: port failed, ending context: ${(error as Error)?.message}`);
      this.end();
      return;
    }
    if (this.port.backlog !== undefined) this.checkCarrier();
  }
}
