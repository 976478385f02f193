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

export type UpMessage = HelloMessage | CallMessage | AckMessage | ListenMessage;

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

export type DownItem = ResultMessage | EventMessage;

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
