/**
 * The message protocol between a page context (the facade) and the host, carried in order over
 * one bidirectional port per context (MessageChannelMain, worker_threads MessageChannel, or the
 * browser host's WebSocket). Errors cross as data, never as thrown objects.
 */
import type { WireNamespace as Namespace } from './methods';

export const PROTOCOL_VERSION = 1;

/**
 * Flow-control credit each event item costs on top of its data bytes, so that events without
 * data (accepts, empty datagrams, errors) count too and a stalled page bounds them as well.
 */
export const EVENT_CREDIT = 64;

// ---- up: page → host -------------------------------------------------------------------------

/** First message of a context; a new hello resets the context (its listeners and credit). */
export interface HelloMessage {
  readonly t: 'hello';
  readonly v: number;
}

/** One API call. `a` has one slot per parameter of the method (no callback). */
export interface CallMessage {
  readonly t: 'call';
  /** Context-local call id, echoed in the result. */
  readonly id: number;
  readonly ns: Namespace;
  readonly m: string;
  readonly a: readonly unknown[];
}

/** Flow-control credit the page has finished dispatching: data bytes plus EVENT_CREDIT an item. */
export interface AckMessage {
  readonly t: 'ack';
  readonly n: number;
}

/** The full set of events (`"tcp.onReceive"`, …) this context now has listeners for. */
export interface ListenMessage {
  readonly t: 'listen';
  readonly ev: readonly string[];
}

/**
 * A `sockets.tcp.send` the page answered itself out of the socket's send credit (a
 * CreditMessage): the host owns these bytes as a kernel socket buffer would, and writes them in
 * order with the context's other calls. No result comes back; the credit does.
 */
export interface CreditedSendMessage {
  readonly t: 'send';
  /** The tcp socket id. */
  readonly s: number;
  /** The grant the page answered the send under (CreditMessage `g`). */
  readonly g: number;
  readonly d: ArrayBuffer;
}

/**
 * The page's answer to a revocation (a CreditMessage with `n: 0`): nothing more comes under
 * grant `g` of socket `s`. Until it arrives the host keeps the grant's connection open for the
 * bytes still on their way (another page of the app disconnected or secured the socket).
 */
export interface CreditReleasedMessage {
  readonly t: 'cr';
  readonly s: number;
  readonly g: number;
}

export type UpMessage = HelloMessage | CallMessage | AckMessage | ListenMessage | CreditedSendMessage | CreditReleasedMessage;

// ---- down: host → page -----------------------------------------------------------------------

/**
 * The error of a call, as data. `message` becomes `chrome.runtime.lastError.message`;
 * `resultCode` is the negative net error when there is one.
 */
export interface WireError {
  readonly message: string;
  readonly resultCode?: number;
}

/**
 * A call's outcome: `a` is the argument list for the page's callback (Chrome's three response
 * shapes: `[]` with an error, `[code]` with an error, or `[value]`), `e` the lastError if any.
 */
export interface ResultMessage {
  readonly t: 'r';
  readonly id: number;
  readonly a: readonly unknown[];
  readonly e?: WireError;
}

/**
 * An event for the page. When `d` is set, the event's `data` is bytes `[offset, offset+length)`
 * of `bufs[bufferIndex]` in the enclosing batch; the facade hands listeners an exact ArrayBuffer.
 * With `s` as well, the item stands for consecutive events of at most `s` bytes each (one read
 * sliced to bufferSize), so a large read costs one item on the wire, not one per slice.
 */
export interface EventMessage {
  readonly t: 'e';
  readonly ns: Namespace;
  readonly ev: string;
  readonly arg: Readonly<Record<string, unknown>>;
  readonly d?: readonly [bufferIndex: number, offset: number, length: number];
  readonly s?: number;
}

/**
 * Send credit for one tcp socket of this context. Grant `g` (per socket, increasing) replaces
 * any earlier one: with `n`, the page may answer sends itself while what it sent under grant `g`
 * minus `r` (bytes the host has written, latest count) stays within `n`, and while the sends it
 * answered under all its grants minus their `k` (writes the host completed) stay below `w` (the
 * context's bound on credited writes in flight). `n: 0` takes grant `g` away; the page answers
 * it with a CreditReleasedMessage. An item with `r` and `k` updates the counts of grant `g`;
 * one of an older grant is ignored.
 */
export interface CreditMessage {
  readonly t: 'c';
  readonly s: number;
  readonly g: number;
  readonly n?: number;
  readonly w?: number;
  readonly r?: number;
  readonly k?: number;
}

export type DownItem = ResultMessage | EventMessage | CreditMessage;

/** Everything the host sends is a batch: results and events in order, plus their payloads. */
export interface BatchMessage {
  readonly t: 'b';
  readonly m: readonly DownItem[];
  readonly bufs: readonly ArrayBuffer[];
}

/**
 * The host's answer to every hello, before anything else for that page: the app's id in Chrome's
 * format (32 letters a–p), which the facade shows as `chrome.runtime.id`.
 */
export interface WelcomeMessage {
  readonly t: 'w';
  readonly v: number;
  readonly appId: string;
}

export type DownMessage = BatchMessage | WelcomeMessage;
