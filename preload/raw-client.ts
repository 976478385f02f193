/**
 * The page side of the host's `raw` namespace, shared by the mozTCPSocket, W3C 2013, Direct
 * Sockets and chrome.socket facades: calls whose answer is handed over synchronously while the
 * batch is dispatched, and events routed to the socket object that owns the id.
 */
import { METHODS } from '../common/methods';
import type { EventMessage, ResultMessage } from '../common/protocol';
import { PageChannel } from './channel';

export type RawMethod = keyof (typeof METHODS)['raw'] & string;

/** A host failure: `resultCode` is the Chromium net error each facade maps to its vocabulary. */
export class RawCallError extends Error {
  constructor(
    message: string,
    readonly resultCode: number,
  ) {
    super(message);
  }
}

/** What a raw socket object hears from the host. */
export interface RawListener {
  onData?(data: ArrayBuffer): void;
  onEnd?(): void;
  onError?(error: RawCallError): void;
  onClose?(hadError: boolean): void;
  onAccept?(info: { clientId: number; localAddress?: string; localPort?: number; peerAddress?: string; peerPort?: number }): void;
  onMessage?(data: ArrayBuffer, remoteAddress?: string, remotePort?: number): void;
}

export type RawCallback = (error: RawCallError | undefined, value: any) => void;

export class RawClient {
  private readonly listeners = new Map<number, RawListener>();

  constructor(readonly channel: PageChannel) {
    channel.route('raw', (message, bufs, wholeUsed) => this.onEvent(message, bufs, wholeUsed));
  }

  /** Calls a raw host operation; `done` runs synchronously when the answer is dispatched. */
  call(method: RawMethod, args: readonly unknown[], done?: RawCallback, transfer: ArrayBuffer[] = []): void {
    this.channel.request('raw', method, args, transfer, (result: ResultMessage) => {
      if (done === undefined) return;
      if (result.e !== undefined) done(new RawCallError(result.e.message, result.e.resultCode ?? -2), undefined);
      else done(undefined, result.a[0]);
    });
  }

  /** The promise form of call (its continuation runs after the batch, not inside it). */
  request(method: RawMethod, args: readonly unknown[], transfer: ArrayBuffer[] = []): Promise<any> {
    return new Promise((resolve, reject) => this.call(method, args, (error, value) => (error ? reject(error) : resolve(value)), transfer));
  }

  listen(socketId: number, listener: RawListener): void {
    this.listeners.set(socketId, listener);
  }

  forget(socketId: number): void {
    this.listeners.delete(socketId);
  }

  private onEvent(message: EventMessage, bufs: readonly ArrayBuffer[], wholeUsed: Set<number>): number {
    const arg = message.arg as Record<string, any>;
    const listener = this.listeners.get(arg.socketId as number);
    let data: ArrayBuffer | undefined;
    let length = 0;
    if (message.d !== undefined) {
      const [index, offset, len] = message.d;
      length = len;
      const buffer = bufs[index];
      if (offset === 0 && len === buffer.byteLength && !wholeUsed.has(index)) {
        wholeUsed.add(index);
        data = buffer;
      } else {
        data = buffer.slice(offset, offset + len);
      }
    }
    if (listener === undefined) return length;
    switch (message.ev) {
      case 'onData':
        listener.onData?.(data!);
        break;
      case 'onEnd':
        listener.onEnd?.();
        break;
      case 'onError':
        listener.onError?.(new RawCallError(String(arg.code ?? arg.resultCode), arg.resultCode as number));
        break;
      case 'onClose':
        this.listeners.delete(arg.socketId as number);
        listener.onClose?.(arg.hadError === true);
        break;
      case 'onAccept':
        listener.onAccept?.(arg as never);
        break;
      case 'onMessage':
        listener.onMessage?.(data!, arg.remoteAddress as string | undefined, arg.remotePort as number | undefined);
        break;
    }
    return length;
  }
}

/** The channel a facade factory was given, or a new one over a port. */
export function rawClientFor(channel: PageChannel): RawClient {
  const cached = CLIENTS.get(channel);
  if (cached !== undefined) return cached;
  const client = new RawClient(channel);
  CLIENTS.set(channel, client);
  return client;
}

const CLIENTS = new WeakMap<PageChannel, RawClient>();

/** Copies the bytes of a BufferSource into a fresh ArrayBuffer the port may transfer. */
export function copyBytes(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy.buffer;
}

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** Whether `text` is an IPv4 dotted quad or an IPv6 literal (no host names, no zone ids). */
export function isIpLiteral(text: string): boolean {
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(text)) return true;
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}
