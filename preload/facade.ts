/**
 * The page-side chrome.sockets facade: Chrome's signatures and TypeErrors, chrome.runtime.lastError
 * around callbacks, ChromeEvent objects, and a Promise when the callback is left out. Plain
 * TypeScript: no Electron or Node import, so it runs in a page's main world, a worker or Node.
 */
import {
  EVENTS,
  METHODS,
  NAMESPACES,
  eventKey,
  qualifiedNamespace,
  type MethodSpec,
  type WireNamespace as Namespace,
} from '../common/methods';
import type { PagePort } from '../common/port';
import type { EventMessage, ResultMessage } from '../common/protocol';
import { isBinary, parseInvocation } from '../common/signature';
import { PageChannel } from './channel';
import { copyBytes } from './raw-client';
import { ChromeEventImpl, type ChromeEvent, type ConsoleLike } from './chrome-event';

export type { ChromeEvent } from './chrome-event';

type AnyFunction = (...args: any[]) => any;

/** One chrome.sockets namespace: its functions and its ChromeEvent objects. */
export type SocketsNamespace = Record<string, AnyFunction | ChromeEvent<AnyFunction>>;

export interface ChromeSockets {
  sockets: { tcp: SocketsNamespace; tcpServer: SocketsNamespace; udp: SocketsNamespace };
  runtime: {
    readonly lastError: { message: string } | undefined;
    /**
     * The app's id in Chrome's format (32 letters a–p). Libraries test `typeof chrome.runtime.id
     * === 'string'` to know they run in a Chrome App. Set from the start when the facade is given
     * it (`FacadeOptions.appId`, as the test host does), otherwise when the host's welcome
     * arrives, before any callback or event.
     */
    readonly id: string | undefined;
  };
}

export interface FacadeOptions {
  /** Where `Unchecked runtime.lastError` and listener errors go. Default: globalThis.console. */
  console?: ConsoleLike;
  /** The app's id, when the page side knows it before the host says so. */
  appId?: string;
  /** Called once with the app id when the host's welcome arrives. */
  onWelcome?: (appId: string) => void;
}

export { HOST_GONE_MESSAGE } from './channel';

/**
 * The facade's connection to the host, for the other page-side facades that share its port
 * (the Chrome App runtime: storage, alarms, runtime messaging …): calls with lastError and
 * promises handled as for chrome.sockets, and raw events with the listen bookkeeping.
 */
export interface PortClient {
  /**
   * Sends an already-checked positional call. With `callback`, it runs with
   * chrome.runtime.lastError set as Chrome does; without, the call returns a Promise.
   */
  call(ns: Namespace, method: string, args: unknown[], callback?: AnyFunction): Promise<unknown> | undefined;
  /** The host's event `ns.ev`; the host sends it only while the event has listeners. */
  event(ns: Namespace, ev: string): ChromeEvent<AnyFunction>;
  /** Runs `callback(...args)` with chrome.runtime.lastError set to `error` (if any), as a callback of `name`. */
  callWithLastError(name: string, error: string | undefined, callback: AnyFunction, args: unknown[]): void;
  /** The console the facade reports to. */
  readonly console: ConsoleLike;
}

const PORT_CLIENTS = new WeakMap<object, PortClient>();

/** The port client behind a `chrome` object made by createChromeSockets. */
export function portClientOf(chrome: ChromeSockets): PortClient {
  const client = PORT_CLIENTS.get(chrome);
  if (client === undefined) throw new TypeError('not a chrome object made by createChromeSockets');
  return client;
}

interface PendingCall {
  ns: Namespace;
  method: string;
  callback?: AnyFunction;
  resolve?: (value: unknown) => void;
  reject?: (error: Error) => void;
  promise?: TrackedPromise<unknown>;
}

/**
 * The promise a call returns without a callback. It notes whether the app handles it (then,
 * catch, finally or await — await calls `then` on a subclass), so a failure nobody handles is
 * reported as Chrome reports it: `Unchecked runtime.lastError`, not an unhandled rejection.
 */
class TrackedPromise<T> extends Promise<T> {
  observed = false;

  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * From this size on, an ArrayBuffer argument is copied once on the page and the copy moved to
 * the host; below it, the port's structured clone copies it into the message and out again on
 * the host's thread, which costs less than moving a buffer. Side by side, three runs each: moving
 * every ArrayBuffer took send_ratio (64 KiB sends) from 0.31–0.47 to 0.48–0.55 but
 * send_loop_ratio (4 KiB sends) from 0.48–0.56 to 0.36–0.40; with this bound, send_ratio
 * 0.45–0.60 against 0.37–0.46, send_loop_ratio 0.41–0.45 against 0.43–0.52 and rtt_over_floor
 * 1.296–1.300 against 1.288–1.319, all cloned.
 */
export const MOVE_ARRAY_BUFFER_AT = 16 * 1024;

/**
 * The bytes of a binary argument as the facade sends them, and whether the facade owns them (and
 * may move them to the host). Chrome copies a send's data at the call; so does each path here.
 */
function exactArrayBuffer(data: ArrayBuffer | ArrayBufferView): { buffer: ArrayBuffer; owned: boolean } {
  if (!ArrayBuffer.isView(data) && data.byteLength < MOVE_ARRAY_BUFFER_AT) return { buffer: data, owned: false };
  // Only a view's own bytes are sent (spec §2.6), in a buffer the facade may transfer.
  return { buffer: copyBytes(data), owned: true };
}

/**
 * An event's info object: the host's fields, then `data`. A fresh object per event (Object.assign
 * costs a small fraction of an object spread here, which showed in the page's time per event).
 */
function eventInfo(arg: Record<string, unknown>, data: ArrayBuffer): Record<string, unknown> {
  const info = Object.assign({}, arg);
  info.data = data;
  return info;
}

/**
 * Creates `chrome.sockets.*` and `chrome.runtime` speaking the host protocol over `port`, or
 * over a PageChannel that other facades of the same page share.
 */
export function createChromeSockets(port: PagePort | PageChannel, options: FacadeOptions = {}): ChromeSockets {
  const console: ConsoleLike = options.console ?? globalThis.console;
  const channel = port instanceof PageChannel ? port : new PageChannel(port);

  // chrome.runtime.lastError is set only while a callback runs; reading it marks it checked.
  let lastError: { message: string } | undefined;
  let lastErrorRead = false;
  const runtime = {
    get lastError(): { message: string } | undefined {
      if (lastError !== undefined) lastErrorRead = true;
      return lastError;
    },
    get id(): string | undefined {
      return options.appId ?? channel.appId;
    },
  };
  const onWelcome = options.onWelcome;
  if (onWelcome !== undefined) channel.onWelcome(onWelcome);

  const events = new Map<string, ChromeEventImpl<AnyFunction>>();
  /** The same events by namespace and name: the data path finds one without building a key. */
  const eventIndex = new Map<Namespace, Map<string, ChromeEventImpl<AnyFunction>>>();
  const listening = new Set<string>();
  const sendListening = (): void => channel.post({ t: 'listen', ev: [...listening] });

  function call(ns: Namespace, method: string, spec: MethodSpec, args: unknown[]): unknown {
    return send(ns, method, parseInvocation(ns, method, spec, args));
  }

  function send(ns: Namespace, method: string, parsed: { args: unknown[]; callback?: AnyFunction }): Promise<unknown> | undefined {
    const transfer: ArrayBuffer[] = [];
    const wireArgs = parsed.args.map((value) => {
      if (!isBinary(value)) return value;
      const { buffer, owned } = exactArrayBuffer(value);
      if (owned) transfer.push(buffer);
      return buffer;
    });
    const entry: PendingCall = { ns, method, callback: parsed.callback };
    let promise: TrackedPromise<unknown> | undefined;
    if (parsed.callback === undefined) {
      promise = new TrackedPromise<unknown>((resolve, reject) => {
        entry.resolve = resolve;
        entry.reject = reject;
      });
      entry.promise = promise;
    }
    if (ns === 'tcp') {
      const socketId = wireArgs[0] as number;
      if (method === 'send') {
        const data = wireArgs[1] as ArrayBuffer;
        const bytes = data.byteLength;
        const grant = channel.credit.take(socketId, bytes);
        if (grant !== undefined && channel.postCreditedSend(socketId, grant, data, transfer)) {
          // Within the socket's send credit: answered here on a later task, as Chrome answers
          // once the bytes are in its pipe; the host owns them now (README "How faithful").
          channel.credit.answerLater(() => settle(entry, { t: 'r', id: 0, a: [{ resultCode: 0, bytesSent: bytes }] }));
          return promise;
        }
        channel.credit.roundTripStarted(socketId);
        channel.request(ns, method, wireArgs, transfer, (result) => {
          channel.credit.roundTripSettled(socketId);
          settle(entry, result);
        });
        return promise;
      }
      // After these the app's next send must meet the socket's new state at the host.
      if (method === 'disconnect' || method === 'close' || method === 'secure') {
        channel.credit.revokeForCall(socketId);
        channel.request(ns, method, wireArgs, transfer, (result) => {
          channel.credit.callAnswered(socketId);
          settle(entry, result);
        });
        return promise;
      }
    }
    channel.request(ns, method, wireArgs, transfer, (result) => settle(entry, result));
    return promise;
  }

  function settle(entry: PendingCall, result: ResultMessage): void {
    const name = `${qualifiedNamespace(entry.ns)}.${entry.method}`;
    if (entry.callback !== undefined) {
      callWithLastError(name, result.e?.message, entry.callback, result.a as unknown[]);
      return;
    }
    if (result.e === undefined) return entry.resolve?.(result.a[0]);
    const error = Object.assign(new Error(result.e.message), result.e.resultCode === undefined ? {} : { resultCode: result.e.resultCode });
    if (entry.promise !== undefined && !entry.promise.observed) {
      console.error(`Unchecked runtime.lastError: ${result.e.message}`);
      // Reported above, as Chrome reports it; an unhandled rejection on top would be noise.
      void Promise.prototype.then.call(entry.promise, undefined, () => {});
    }
    entry.reject?.(error);
  }

  function callWithLastError(name: string, error: string | undefined, callback: AnyFunction, args: unknown[]): void {
    const outer = lastError;
    const outerRead = lastErrorRead;
    lastError = error === undefined ? undefined : { message: error };
    lastErrorRead = false;
    try {
      callback(...args);
    } catch (err) {
      console.error(`Error handling response for ${name}:`, err);
    } finally {
      if (lastError !== undefined && !lastErrorRead) console.error(`Unchecked runtime.lastError: ${lastError.message}`);
      // A callback may run inside another's (a page-side facade answering at once).
      lastError = outer;
      lastErrorRead = outerRead;
    }
  }

  function rawEvent(ns: Namespace, ev: string): ChromeEventImpl<AnyFunction> {
    const key = eventKey(ns, ev);
    let event = events.get(key);
    if (event === undefined) {
      event = new ChromeEventImpl<AnyFunction>(
        `${qualifiedNamespace(ns)}.${ev}`,
        (has) => {
          if (has) listening.add(key);
          else listening.delete(key);
          sendListening();
        },
        console,
      );
      events.set(key, event);
      let byName = eventIndex.get(ns);
      if (byName === undefined) eventIndex.set(ns, (byName = new Map()));
      byName.set(ev, event);
      // The app services' events (chrome.sockets routes its own namespaces below).
      if (!(NAMESPACES as readonly string[]).includes(ns)) channel.route(ns, dispatchEvent);
    }
    return event;
  }

  function dispatchEvent(message: EventMessage, bufs: readonly ArrayBuffer[], wholeUsed: Set<number>): number {
    const event = eventIndex.get(message.ns)?.get(message.ev);
    const arg = message.arg as Record<string, unknown>;
    if (message.d === undefined) {
      event?.dispatch1(arg);
      return 0;
    }
    const [index, offset, length] = message.d;
    const buffer = bufs[index];
    const slice = message.s ?? length;
    if (slice >= length && offset === 0 && length === buffer.byteLength && !wholeUsed.has(index)) {
      // The event owns the whole buffer: hand it over without a copy.
      wholeUsed.add(index);
      event?.dispatch1(eventInfo(arg, buffer));
      return length;
    }
    // Each event gets its own info object and exact ArrayBuffer of at most `slice` bytes, as
    // Chrome converts each event's arguments anew (its listeners share them). Nothing is cut
    // for an event nobody listens to at that moment: Chrome drops such an event.
    for (let at = 0; at < length || (length === 0 && at === 0); at += Math.max(slice, 1)) {
      if (event !== undefined && event.hasListeners()) {
        const end = offset + Math.min(at + slice, length);
        event.dispatch1(eventInfo(arg, buffer.slice(offset + at, end)));
      }
      if (length === 0) break;
    }
    return length;
  }

  for (const ns of NAMESPACES) channel.route(ns, dispatchEvent);

  const sockets = {} as ChromeSockets['sockets'];
  for (const ns of NAMESPACES) {
    const api: SocketsNamespace = {};
    for (const [method, spec] of Object.entries(METHODS[ns] as Record<string, MethodSpec>)) {
      api[method] = function (...args: unknown[]) {
        return call(ns, method, spec, args);
      };
    }
    for (const ev of EVENTS[ns]) api[ev] = rawEvent(ns, ev);
    sockets[ns] = api;
  }

  const chrome = { sockets, runtime };
  PORT_CLIENTS.set(chrome, {
    call: (ns, method, args, callback) => send(ns, method, { args, callback }),
    event: rawEvent,
    callWithLastError,
    console,
  });
  return chrome;
}
