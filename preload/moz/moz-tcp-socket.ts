/**
 * mozTCPSocket as Gecko implements it (other-socket-apis.md §1): `navigator.mozTCPSocket.open`
 * / `listen`, TCPSocket and TCPServerSocket with Gecko's events and their order (error, then
 * close), its 64 KiB send threshold with one `drain`, byte strings for `binaryType: "string"`,
 * counted suspend/resume and upgradeToSecure() with writes queued behind the handshake. Like
 * Gecko's content-process child, the facade keeps `bufferedAmount` itself and the host answers
 * each write once the OS took it.
 */
import type { PageChannel } from '../channel';
import { defineHandlerTarget, type Handler } from '../handler-target';
import { copyBytes, isArrayBuffer, rawClientFor, type RawCallError } from '../raw-client';
import { SendBuffer } from '../send-buffer';
import { geckoError } from './gecko-errors';

/** The host's answer to a write past the app's write quota (net::ERR_INSUFFICIENT_RESOURCES). */
const INSUFFICIENT_RESOURCES = -12;

/** Gecko's BUFFER_SIZE: send() returns false once more than this is buffered. */
export const MOZ_BUFFER_SIZE = 65536;

export type TCPSocketBinaryType = 'arraybuffer' | 'string';
export type TCPReadyState = 'connecting' | 'open' | 'closing' | 'closed';

export interface SocketOptions {
  useSecureTransport?: boolean;
  binaryType?: TCPSocketBinaryType;
}

export interface ServerSocketOptions {
  binaryType?: TCPSocketBinaryType;
}

function failure(message: string): Error {
  // Gecko throws NS_ERROR_FAILURE for calls in the wrong state.
  return Object.assign(new Error(message), { name: 'NS_ERROR_FAILURE' });
}

/** WebIDL ByteString: one byte per code unit, a TypeError above 0xFF. */
function byteString(value: unknown): Uint8Array {
  const text = String(value);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff)
      throw new TypeError(
        `Cannot convert string to ByteString because the character at index ${i} has value ${c} which is greater than 255.`,
      );
    out[i] = c;
  }
  return out;
}

/** Gecko widens each received byte to one UTF-16 code unit (latin1), never UTF-8. */
function latin1(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function toUint32(value: unknown): number {
  const n = Math.trunc(Number(value));
  return Number.isFinite(n) ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32 : 0;
}

export interface MozTCPSocket extends EventTarget {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly bufferedAmount: number;
  readonly binaryType: TCPSocketBinaryType;
  readonly readyState: TCPReadyState;
  onopen: Handler;
  ondata: Handler;
  ondrain: Handler;
  onerror: Handler;
  onclose: Handler;
  send(data: string | ArrayBuffer | ArrayBufferView, byteOffset?: number, byteLength?: number): boolean;
  upgradeToSecure(): void;
  suspend(): void;
  resume(): void;
  close(): void;
  closeImmediately(): void;
}

export interface MozTCPServerSocket extends EventTarget {
  /** 0 until the host reports the bound port (a round trip after listen()). */
  readonly localPort: number;
  onconnect: Handler;
  onerror: Handler;
  close(): void;
}

export interface LegacyMozTCPSocket {
  open(host: string, port: number, options?: SocketOptions): MozTCPSocket;
  listen(port: number, options?: ServerSocketOptions, backlog?: number): MozTCPServerSocket;
}

export interface MozSockets {
  mozTCPSocket: LegacyMozTCPSocket;
  TCPSocket: new (host: string, port: number, options?: SocketOptions) => MozTCPSocket;
  TCPServerSocket: new (port: number, options?: ServerSocketOptions, backlog?: number) => MozTCPServerSocket;
}

const ACCEPTED = Symbol('accepted');

/** Installs mozTCPSocket's classes over one page channel. */
export function createMozTCPSocket(channel: PageChannel): MozSockets {
  const client = rawClientFor(channel);

  // Defined here, not at module load: a page given chrome.sockets only never evaluates them,
  // and Event/EventTarget exist wherever a facade is created.
  /** `data`, `open`, `drain` and `close` events: `data` is a string or an ArrayBuffer. */
  class TCPSocketEvent extends Event {
    readonly data: unknown;
    constructor(type: string, init: { data?: unknown } = {}) {
      super(type);
      this.data = init.data ?? null;
    }
  }

  /** `error` on a TCPSocket: `name` is Gecko's error name, `message` its class. */
  class TCPSocketErrorEvent extends Event {
    readonly name: string;
    readonly message: string;
    constructor(type: string, init: { name?: string; message?: string } = {}) {
      super(type);
      this.name = init.name ?? '';
      this.message = init.message ?? '';
    }
  }

  /** `connect` on a TCPServerSocket. */
  class TCPServerSocketEvent extends Event {
    readonly socket: MozTCPSocket;
    constructor(type: string, init: { socket: MozTCPSocket }) {
      super(type);
      this.socket = init.socket;
    }
  }

  const HandlerTarget = defineHandlerTarget();

  class TCPSocket extends HandlerTarget implements MozTCPSocket {
    #host: string;
    #port: number;
    #ssl: boolean;
    #binaryType: TCPSocketBinaryType;
    #readyState: TCPReadyState = 'connecting';
    // Gecko's child keeps bufferedAmount; the host answers each write once the OS took it.
    #sends = new SendBuffer(
      {
        write: (payload, _item, done) => client.call('tcpWrite', [this.#id, payload], (error) => done(error), [payload]),
        drain: () => this.#fire(new TCPSocketEvent('drain')),
        // Past the host's write quota a send cannot be kept: rather than lose it, the socket
        // fails (error NetworkError, then close). Other failures end the socket through its events.
        failed: (error) => {
          if (error.resultCode !== INSUFFICIENT_RESOURCES) return false;
          this.#error ??= error;
          if (this.#readyState !== 'closed') client.call('close', [this.#id, false]);
          return true;
        },
      },
      MOZ_BUFFER_SIZE,
    );
    #suspendCount = 0;
    #id = 0;
    #closeWanted: boolean | undefined;
    #error?: RawCallError;

    constructor(host: string, port: number, options: SocketOptions = {}, token?: unknown, accepted?: { socketId: number }) {
      super();
      if (arguments.length < 2)
        throw new TypeError(`TCPSocket constructor: At least 2 arguments required, but only ${arguments.length} passed`);
      this.#host = String(host);
      this.#port = toUint32(port) % 65536;
      const binaryType = options?.binaryType ?? 'string';
      if (binaryType !== 'arraybuffer' && binaryType !== 'string') {
        throw new TypeError(
          `TCPSocket constructor: '${String(binaryType)}' (value of 'binaryType' member of SocketOptions) is not a valid value for enumeration TCPSocketBinaryType.`,
        );
      }
      this.#binaryType = binaryType;
      this.#ssl = options?.useSecureTransport === true;
      if (token === ACCEPTED) {
        // Accepted sockets are born open and never get an open event.
        this.#readyState = 'open';
        this.#bind(accepted!.socketId);
        return;
      }
      client.call('tcpConnect', [{ host: this.#host, port: this.#port, tls: this.#ssl, noDelay: true }], (error, value) => {
        if (error !== undefined) {
          this.#error = error;
          this.#end();
          return;
        }
        this.#bind(value.socketId);
        if (this.#suspendCount > 0) client.call('setPaused', [this.#id, true]);
        if (this.#closeWanted !== undefined) {
          client.call('close', [this.#id, this.#closeWanted]);
          return;
        }
        this.#readyState = 'open';
        this.#fire(new TCPSocketEvent('open'));
      });
    }

    #bind(id: number): void {
      this.#id = id;
      client.listen(id, {
        onData: (data) => {
          if (this.#readyState === 'closed') return;
          this.#fire(new TCPSocketEvent('data', { data: this.#binaryType === 'arraybuffer' ? data : latin1(data) }));
        },
        // A peer FIN is not surfaced: Gecko closes once its buffered output is written.
        onEnd: () => client.call('close', [id, true]),
        onError: (error) => {
          this.#error ??= error;
        },
        onClose: () => this.#end(),
      });
    }

    /** Gecko's MaybeReportErrorAndCloseIfOpen: closed, then error (if any), then close. */
    #end(): void {
      if (this.#readyState === 'closed') return;
      this.#readyState = 'closed';
      if (this.#error !== undefined) {
        const { name, message } = geckoError(this.#error);
        this.#fire(new TCPSocketErrorEvent('error', { name, message }));
      }
      this.#fire(new TCPSocketEvent('close'));
    }

    #fire(event: Event): void {
      this.dispatchEvent(event);
    }

    get host(): string {
      return this.#host;
    }
    get port(): number {
      return this.#port;
    }
    get ssl(): boolean {
      return this.#ssl;
    }
    get bufferedAmount(): number {
      return this.#sends.bufferedAmount;
    }
    get binaryType(): TCPSocketBinaryType {
      return this.#binaryType;
    }
    get readyState(): TCPReadyState {
      return this.#readyState;
    }
    declare onopen: Handler;
    declare ondata: Handler;
    declare ondrain: Handler;
    declare onerror: Handler;
    declare onclose: Handler;

    /**
     * Only an ArrayBuffer takes the binary overload; anything else (a typed array too) is
     * converted with ToString to a ByteString, as WebIDL overload resolution does in Gecko.
     */
    send(data: string | ArrayBuffer | ArrayBufferView, byteOffset?: number, byteLength?: number): boolean {
      if (arguments.length < 1) throw new TypeError('TCPSocket.send: At least 1 argument required, but only 0 passed');
      let payload: ArrayBuffer;
      if (isArrayBuffer(data)) {
        const offset = Math.min(toUint32(byteOffset ?? 0), data.byteLength);
        const available = data.byteLength - offset;
        const length = byteLength === undefined ? available : Math.min(toUint32(byteLength), available);
        payload = copyBytes(new Uint8Array(data, offset, length));
      } else {
        payload = copyBytes(byteString(data));
      }
      if (this.#readyState !== 'open') throw failure('Socket is not open');
      return this.#sends.queue(payload)!;
    }

    /** STARTTLS: `ssl` is true at once; sends made from now on go out after the handshake. */
    upgradeToSecure(): void {
      if (this.#readyState !== 'open') throw failure('Socket is not open');
      if (this.#ssl) return;
      this.#ssl = true;
      // A failed handshake ends the socket with error(Security…) then close, through the events.
      client.call('tcpStartTls', [this.#id]);
    }

    suspend(): void {
      this.#suspendCount++;
      if (this.#suspendCount === 1 && this.#id !== 0) client.call('setPaused', [this.#id, true]);
    }

    resume(): void {
      if (this.#suspendCount === 0) throw failure('Socket is not suspended');
      this.#suspendCount--;
      if (this.#suspendCount === 0 && this.#id !== 0) client.call('setPaused', [this.#id, false]);
    }

    /** Graceful: `closing` at once; queued data is still written, `drain` if armed, then `close`. */
    close(): void {
      this.#close(true);
    }

    /** Discards pending data (Gecko: chrome-only). */
    closeImmediately(): void {
      this.#close(false);
    }

    #close(graceful: boolean): void {
      if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
      const connecting = this.#readyState === 'connecting';
      this.#readyState = 'closing';
      if (connecting && this.#id === 0) {
        this.#closeWanted = graceful;
        return;
      }
      client.call('close', [this.#id, graceful]);
    }
  }

  class TCPServerSocket extends HandlerTarget implements MozTCPServerSocket {
    #localPort = 0;
    #id = 0;
    #closed = false;
    #binaryType: TCPSocketBinaryType;

    constructor(port: number, options: ServerSocketOptions = {}, backlog = 0) {
      super();
      if (arguments.length < 1) throw new TypeError('TCPServerSocket constructor: At least 1 argument required, but only 0 passed');
      this.#binaryType = options?.binaryType ?? 'string';
      if (this.#binaryType !== 'arraybuffer' && this.#binaryType !== 'string')
        throw new TypeError('TCPServerSocket constructor: invalid binaryType');
      const b = Math.trunc(Number(backlog));
      const listenOptions: Record<string, unknown> = { host: '0.0.0.0', port: toUint32(port) % 65536 };
      // 0 and -1 mean the default.
      if (Number.isFinite(b) && b > 0) listenOptions.backlog = Math.min(b, 65535);
      client.call('listen', [listenOptions], (error, value) => {
        if (error !== undefined) {
          this.#closed = true;
          this.dispatchEvent(new Event('error'));
          return;
        }
        this.#id = value.socketId;
        this.#localPort = value.localPort;
        if (this.#closed) {
          client.call('close', [this.#id]);
          return;
        }
        client.listen(this.#id, {
          onAccept: (a) => {
            const socket = new TCPSocket(a.peerAddress ?? '', a.peerPort ?? 0, { binaryType: this.#binaryType }, ACCEPTED, {
              socketId: a.clientId,
            });
            // Handlers set inside this dispatch see every byte: the data follows on the port.
            this.dispatchEvent(new TCPServerSocketEvent('connect', { socket }));
          },
          onError: () => {
            if (this.#closed) return;
            this.#closed = true;
            client.call('close', [this.#id]);
            this.dispatchEvent(new Event('error'));
          },
        });
      });
    }

    get localPort(): number {
      return this.#localPort;
    }
    declare onconnect: Handler;
    declare onerror: Handler;

    /** Stops listening; established connections keep working. */
    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      if (this.#id !== 0) {
        client.forget(this.#id);
        client.call('close', [this.#id]);
      }
    }
  }

  TCPSocket.handlerAttributes('open', 'data', 'drain', 'error', 'close');
  TCPServerSocket.handlerAttributes('connect', 'error');

  const mozTCPSocket: LegacyMozTCPSocket = {
    open: (host, port, options) => new TCPSocket(host, port, options),
    listen: (port, options, backlog) => new TCPServerSocket(port, options, backlog),
  };
  return {
    mozTCPSocket,
    TCPSocket: TCPSocket as unknown as MozSockets['TCPSocket'],
    TCPServerSocket: TCPServerSocket as unknown as MozSockets['TCPServerSocket'],
  };
}
