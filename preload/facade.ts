/**
 * The page-side chrome.sockets facade: Chrome's signatures and TypeErrors, chrome.runtime.lastError
 * around callbacks, ChromeEvent objects, and a Promise when the callback is left out. Plain
 * TypeScript: no Electron or Node import, so it runs in a page's main world, a worker or Node.
 */
import { EVENTS, METHODS, NAMESPACES, eventKey, type MethodSpec, type Namespace } from '../common/methods';
import type { PagePort } from '../common/port';
import type { EventMessage, ResultMessage } from '../common/protocol';
import { isBinary, parseInvocation } from '../common/signature';
import { PageChannel } from './channel';
import { ChromeEventImpl, type ChromeEvent, type ConsoleLike } from './chrome-event';

export type { ChromeEvent } from './chrome-event';

type AnyFunction = (...args: any[]) => any;

/** One chrome.sockets namespace: its functions and its ChromeEvent objects. */
export type SocketsNamespace = Record<string, AnyFunction | ChromeEvent<AnyFunction>>;

export interface ChromeSockets {
  sockets: { tcp: SocketsNamespace; tcpServer: SocketsNamespace; udp: SocketsNamespace };
  runtime: { readonly lastError: { message: string } | undefined };
}

export interface FacadeOptions {
  /** Where `Unchecked runtime.lastError` and listener errors go. Default: globalThis.console. */
  console?: ConsoleLike;
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

function exactArrayBuffer(data: ArrayBuffer | ArrayBufferView): { buffer: ArrayBuffer; owned: boolean } {
  if (!ArrayBuffer.isView(data)) return { buffer: data, owned: false };
  // Only the view's own bytes are sent (spec §2.6), in a buffer the facade may transfer.
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { buffer: copy.buffer, owned: true };
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
  };

  const events = new Map<string, ChromeEventImpl<AnyFunction>>();
  const listening = new Set<string>();
  const sendListening = (): void => channel.post({ t: 'listen', ev: [...listening] });

  function call(ns: Namespace, method: string, spec: MethodSpec, args: unknown[]): unknown {
    const parsed = parseInvocation(ns, method, spec, args);
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
    channel.request(ns, method, wireArgs, transfer, (result) => settle(entry, result));
    return promise;
  }

  function settle(entry: PendingCall, result: ResultMessage): void {
    const name = `sockets.${entry.ns}.${entry.method}`;
    if (entry.callback !== undefined) {
      lastError = result.e === undefined ? undefined : { message: result.e.message };
      lastErrorRead = false;
      try {
        entry.callback(...result.a);
      } catch (error) {
        console.error(`Error handling response for ${name}:`, error);
      } finally {
        if (lastError !== undefined && !lastErrorRead) console.error(`Unchecked runtime.lastError: ${lastError.message}`);
        lastError = undefined;
      }
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

  function dispatchEvent(message: EventMessage, bufs: readonly ArrayBuffer[], wholeUsed: Set<number>): number {
    const event = events.get(eventKey(message.ns, message.ev));
    const arg = message.arg as Record<string, unknown>;
    if (message.d === undefined) {
      event?.dispatch(arg);
      return 0;
    }
    const [index, offset, length] = message.d;
    const buffer = bufs[index];
    const slice = message.s ?? length;
    if (slice >= length && offset === 0 && length === buffer.byteLength && !wholeUsed.has(index)) {
      // The event owns the whole buffer: hand it over without a copy.
      wholeUsed.add(index);
      event?.dispatch({ ...arg, data: buffer });
      return length;
    }
    // Each listener call gets its own exact ArrayBuffer of at most `slice` bytes.
    for (let at = 0; at < length || (length === 0 && at === 0); at += Math.max(slice, 1)) {
      const end = offset + Math.min(at + slice, length);
      event?.dispatch({ ...arg, data: buffer.slice(offset + at, end) });
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
    for (const ev of EVENTS[ns]) {
      const key = eventKey(ns, ev);
      const event = new ChromeEventImpl<AnyFunction>(
        `sockets.${ns}.${ev}`,
        (has) => {
          if (has) listening.add(key);
          else listening.delete(key);
          sendListening();
        },
        console,
      );
      events.set(key, event);
      api[ev] = event;
    }
    sockets[ns] = api;
  }

  return { sockets, runtime };
}
