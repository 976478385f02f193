/**
 * The W3C SysApps "Raw Socket API" of 2013 (other-socket-apis.md §2.2–§2.5): the event-based
 * TCPSocket, TCPServerSocket and UDPSocket of the First Public Working Draft (14 May 2013),
 * with the readyState machine including `halfclosed`, `halfclose()` and the FPWD's
 * `onhalfclose` (a peer FIN), `send()` returning a boolean with `bufferedAmount` and one
 * `drain`, suspend/resume, ConnectEvent.connectedSocket, a UDP default destination,
 * `addressReuse`, `loopback` and multicast membership. Its constructors share their names with
 * Direct Sockets', so pages get them as `navigator.w3cSockets` (README "W3C 2013").
 */
import type { PageChannel } from '../channel';
import { defineHandlerTarget, type Handler } from '../handler-target';
import { copyBytes, isArrayBuffer, isIpLiteral, rawClientFor, type RawCallError } from '../raw-client';
import { SendBuffer } from '../send-buffer';

/** send() returns false once more than this is buffered (the draft leaves the amount to us). */
export const W3C_SEND_THRESHOLD = 65536;
/** A send that would buffer more than this cannot be buffered: NetworkError, then close (§2.3). */
export const W3C_MAX_BUFFERED = 16 * 1024 * 1024;

export type W3CReadyState = 'connecting' | 'opening' | 'open' | 'closing' | 'closed' | 'halfclosed';
export type W3CSendData = string | Blob | ArrayBuffer | ArrayBufferView;

export interface W3CTCPOptions {
  localAddress?: string;
  localPort?: number;
  useSecureTransport?: boolean;
  /** From the September 2013 draft; default true. */
  noDelay?: boolean;
}

export interface W3CTCPServerOptions {
  localAddress?: string;
  localPort?: number;
  useSecureTransport?: boolean;
}

export interface W3CUDPOptions {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  /** SO_REUSEADDR; default true. */
  addressReuse?: boolean;
  /** IP_MULTICAST_LOOP; default false. */
  loopback?: boolean;
}

/** The late-2013 draft's SocketErrorType, carried as `error.type` next to the FPWD's name. */
export type SocketErrorType =
  | 'no_network_contact'
  | 'udp_error'
  | 'tcp_error'
  | 'tcp_peer_does_not_respond'
  | 'tcp_connection_not_accepted'
  | 'tcp_connection_lost'
  | 'local_address_port_already_in_use'
  | 'send_buffer_full';

const ERROR_TYPES: Readonly<Record<number, SocketErrorType>> = {
  [-102]: 'tcp_connection_not_accepted',
  [-105]: 'no_network_contact',
  [-137]: 'no_network_contact',
  [-106]: 'no_network_contact',
  [-109]: 'no_network_contact',
  [-118]: 'tcp_peer_does_not_respond',
  [-7]: 'tcp_peer_does_not_respond',
  [-100]: 'tcp_connection_lost',
  [-101]: 'tcp_connection_lost',
  [-103]: 'tcp_connection_lost',
  [-147]: 'local_address_port_already_in_use',
};

/** The FPWD's error: always a `NetworkError`; `type` says more (late-2013 SocketErrorType). */
function networkError(error: RawCallError | undefined, fallback: SocketErrorType, message?: string): DOMException {
  const type = (error !== undefined ? ERROR_TYPES[error.resultCode] : undefined) ?? fallback;
  const e = new DOMException(message ?? error?.message ?? type, 'NetworkError');
  Object.defineProperty(e, 'type', { value: type, enumerable: true });
  return e;
}

function invalidState(message: string): DOMException {
  return new DOMException(message, 'InvalidStateError');
}

function invalidAccess(message: string): DOMException {
  return new DOMException(message, 'InvalidAccessError');
}

/** WebIDL `unsigned short` (no [EnforceRange]): modulo 2^16. */
function toUint16(value: unknown): number {
  const n = Math.trunc(Number(value));
  return Number.isFinite(n) ? ((n % 65536) + 65536) % 65536 : 0;
}

function ipLiteral(value: unknown, what: string): string {
  const text = String(value);
  if (!isIpLiteral(text)) throw invalidAccess(`${what} '${text}' is not a valid IPv4 or IPv6 address.`);
  return text;
}

/** send()'s union: strings as UTF-8, a Blob as its bytes (read in order), buffers and views as bytes. */
function payloadOf(data: unknown): ArrayBuffer | Blob {
  if (isArrayBuffer(data)) return copyBytes(data);
  if (ArrayBuffer.isView(data)) return copyBytes(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data;
  return copyBytes(new TextEncoder().encode(String(data)));
}

export interface W3CTCPSocket extends EventTarget {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly bufferedAmount: number;
  readonly readyState: W3CReadyState;
  onopen: Handler;
  onmessage: Handler;
  ondrain: Handler;
  onerror: Handler;
  onclose: Handler;
  onhalfclose: Handler;
  send(data: W3CSendData): boolean;
  halfclose(): void;
  close(): void;
  suspend(): void;
  resume(): void;
}

export interface W3CTCPServerSocket extends EventTarget {
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly readyState: W3CReadyState;
  onopen: Handler;
  onconnect: Handler;
  onerror: Handler;
  close(): void;
  suspend(): void;
  resume(): void;
}

export interface W3CUDPSocket extends EventTarget {
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly addressReuse: boolean;
  readonly loopback: boolean;
  readonly bufferedAmount: number;
  readonly readyState: W3CReadyState;
  onopen: Handler;
  onmessage: Handler;
  ondrain: Handler;
  onerror: Handler;
  send(data: W3CSendData, remoteAddress?: string | null, remotePort?: number | null): boolean;
  close(): void;
  suspend(): void;
  resume(): void;
  joinMulticast(multicastGroupAddress: string): void;
  leaveMulticast(multicastGroupAddress: string): void;
  joinMulticastGroup(multicastGroupAddress: string): void;
  leaveMulticastGroup(multicastGroupAddress: string): void;
}

export interface W3CSockets {
  TCPSocket: new (remoteAddress: string, remotePort: number, options?: W3CTCPOptions) => W3CTCPSocket;
  TCPServerSocket: new (options?: W3CTCPServerOptions) => W3CTCPServerSocket;
  UDPSocket: new (options?: W3CUDPOptions) => W3CUDPSocket;
}

const ACCEPTED = Symbol('accepted');

/** The W3C 2013 classes over one page channel. */
export function createW3cSockets(channel: PageChannel): W3CSockets {
  const client = rawClientFor(channel);

  /** `message` on TCPSocket: a read-only ArrayBuffer. */
  class SocketMessageEvent extends Event {
    readonly data: ArrayBuffer;
    constructor(type: string, init: { data: ArrayBuffer }) {
      super(type);
      this.data = init.data;
    }
  }

  /** `message` on UDPSocket: the datagram and where it came from. */
  class UDPMessageEvent extends Event {
    readonly data: ArrayBuffer;
    readonly remoteAddress: string;
    readonly remotePort: number;
    constructor(type: string, init: { data: ArrayBuffer; remoteAddress: string; remotePort: number }) {
      super(type);
      this.data = init.data;
      this.remoteAddress = init.remoteAddress;
      this.remotePort = init.remotePort;
    }
  }

  /** `error`: `error.name` is always `NetworkError`, `error.type` a SocketErrorType. */
  class SocketErrorEvent extends Event {
    readonly error: DOMException;
    constructor(type: string, init: { error: DOMException }) {
      super(type);
      this.error = init.error;
    }
  }

  /** `connect` on TCPServerSocket. */
  class ConnectEvent extends Event {
    readonly connectedSocket: W3CTCPSocket;
    constructor(type: string, init: { connectedSocket: W3CTCPSocket }) {
      super(type);
      this.connectedSocket = init.connectedSocket;
    }
  }

  const HandlerTarget = defineHandlerTarget();

  /**
   * What TCPSocket and UDPSocket share: the send buffer (a Blob is read before what follows it
   * goes out; bufferedAmount counted until the host says the OS took the bytes; one `drain`
   * after a send() that returned false) and the open/message/drain/error attributes.
   */
  abstract class Sender extends HandlerTarget {
    protected id = 0;
    protected readonly sends = new SendBuffer(
      {
        write: (payload, item, done) => this.write(payload, item.address, item.port, done),
        drain: () => this.dispatchEvent(new Event('drain')),
        failed: (error) => {
          this.sendFailed(error);
          return true;
        },
      },
      W3C_SEND_THRESHOLD,
      W3C_MAX_BUFFERED,
    );
    declare onopen: Handler;
    declare onmessage: Handler;
    declare ondrain: Handler;
    declare onerror: Handler;

    get bufferedAmount(): number {
      return this.sends.bufferedAmount;
    }

    protected abstract write(
      payload: ArrayBuffer,
      address: string | undefined,
      port: number | undefined,
      done: (error?: RawCallError) => void,
    ): void;
    protected abstract sendFailed(error: RawCallError): void;
  }
  Sender.handlerAttributes('open', 'message', 'drain', 'error');

  class TCPSocket extends Sender implements W3CTCPSocket {
    #remoteAddress: string;
    #remotePort: number;
    #localAddress: string | null = null;
    #localPort: number | null = null;
    #readyState: W3CReadyState = 'connecting';
    #connected = false;
    #halfcloseWanted = false;
    #error?: DOMException;

    constructor(remoteAddress: string, remotePort: number, options: W3CTCPOptions = {}, token?: unknown, accepted?: Record<string, any>) {
      super();
      if (token === ACCEPTED) {
        // ConnectEvent.connectedSocket: already open, addresses filled in, bufferedAmount 0.
        this.#remoteAddress = String(accepted!.peerAddress ?? '');
        this.#remotePort = Number(accepted!.peerPort ?? 0);
        this.#readyState = 'open';
        this.#bind(accepted!.clientId as number, accepted!);
        return;
      }
      if (arguments.length < 2) throw new TypeError(`TCPSocket: At least 2 arguments required, but only ${arguments.length} passed`);
      this.#remoteAddress = ipLiteral(remoteAddress, 'remoteAddress');
      this.#remotePort = toUint16(remotePort);
      if (this.#remotePort === 0) throw invalidAccess('remotePort must not be 0.');
      const o = options ?? {};
      const connect: Record<string, unknown> = {
        host: this.#remoteAddress,
        port: this.#remotePort,
        tls: o.useSecureTransport === true,
        noDelay: o.noDelay !== false,
      };
      if (o.localAddress !== undefined) connect.localAddress = ipLiteral(o.localAddress, 'localAddress');
      if (o.localPort !== undefined) connect.localPort = toUint16(o.localPort);
      client.call('tcpConnect', [connect], (error, value) => {
        if (error !== undefined) {
          // A failed connect: error, and no close (§2.3); after close() nothing but close.
          const closing = this.#readyState === 'closing';
          this.#readyState = 'closed';
          this.sends.drop();
          if (closing) this.dispatchEvent(new Event('close'));
          else this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(error, 'tcp_error') }));
          return;
        }
        this.#bind(value.socketId as number, value);
        if (this.#readyState === 'closing') {
          client.call('close', [this.id, true]);
          return;
        }
        if (this.#halfcloseWanted) client.call('tcpShutdown', [this.id]);
        else this.#readyState = 'open';
        this.dispatchEvent(new Event('open'));
      });
    }

    #bind(id: number, addresses: Record<string, any>): void {
      this.id = id;
      this.#connected = true;
      this.#localAddress = (addresses.localAddress as string | undefined) ?? null;
      this.#localPort = (addresses.localPort as number | undefined) ?? null;
      client.listen(id, {
        onData: (data) => {
          if (this.#readyState === 'closed') return;
          this.dispatchEvent(new SocketMessageEvent('message', { data }));
        },
        // The FPWD's halfclose event: the peer sent FIN; this side may still send.
        onEnd: () => {
          if (this.#readyState === 'open' || this.#readyState === 'halfclosed') this.dispatchEvent(new Event('halfclose'));
        },
        onError: (error) => {
          this.#error ??= networkError(error, 'tcp_connection_lost');
        },
        onClose: () => this.#end(),
      });
    }

    /** A connection that was open ends: error (if it was lost), then close. */
    #end(): void {
      if (this.#readyState === 'closed') return;
      this.#readyState = 'closed';
      this.sends.drop();
      if (this.#error !== undefined) this.dispatchEvent(new SocketErrorEvent('error', { error: this.#error }));
      this.dispatchEvent(new Event('close'));
    }

    protected write(payload: ArrayBuffer, _a: unknown, _p: unknown, done: (error?: RawCallError) => void): void {
      client.call('tcpWrite', [this.id, payload], (error) => done(error), [payload]);
    }

    protected sendFailed(error: RawCallError): void {
      if (this.#readyState === 'closed') return;
      this.#error ??= networkError(error, 'tcp_error');
      client.call('close', [this.id, false]);
    }

    get remoteAddress(): string {
      return this.#remoteAddress;
    }
    get remotePort(): number {
      return this.#remotePort;
    }
    get localAddress(): string | null {
      return this.#localAddress;
    }
    get localPort(): number | null {
      return this.#localPort;
    }
    get readyState(): W3CReadyState {
      return this.#readyState;
    }
    declare onclose: Handler;
    declare onhalfclose: Handler;

    /**
     * Queues `data` (strings as UTF-8) and returns false once more than 64 KiB is buffered; a
     * send past 16 MiB cannot be buffered: the socket fails (NetworkError, then close).
     */
    send(data: W3CSendData): boolean {
      if (arguments.length < 1) throw new TypeError('TCPSocket.send: At least 1 argument required, but only 0 passed');
      if (this.#readyState !== 'open') throw invalidState(`TCPSocket.send: the socket is ${this.#readyState}.`);
      const hint = this.sends.queue(payloadOf(data));
      if (hint !== undefined) return hint;
      // The draft: "the data cannot be buffered" closes the socket with an error.
      this.#error = networkError(undefined, 'send_buffer_full', `More than ${W3C_MAX_BUFFERED} bytes would be buffered.`);
      this.#readyState = 'closing';
      this.sends.drop();
      client.call('close', [this.id, false]);
      return false;
    }

    /** Sends FIN after what is queued; receiving goes on until the peer closes. */
    halfclose(): void {
      if (this.#readyState === 'connecting') {
        // Finishes connecting first, then sends FIN.
        this.#halfcloseWanted = true;
        this.#readyState = 'halfclosed';
        return;
      }
      if (this.#readyState !== 'open') return;
      this.#readyState = 'halfclosed';
      const id = this.id;
      this.sends.afterOutbox(() => client.call('tcpShutdown', [id]));
    }

    /** Graceful: `closing` at once; queued data is still written, then `close`. */
    close(): void {
      if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
      const connecting = !this.#connected;
      this.#readyState = 'closing';
      if (connecting) return;
      const id = this.id;
      this.sends.afterOutbox(() => client.call('close', [id, true]));
    }

    suspend(): void {
      if (this.#connected) client.call('setPaused', [this.id, true]);
    }

    resume(): void {
      if (this.#connected) client.call('setPaused', [this.id, false]);
    }
  }

  class TCPServerSocket extends HandlerTarget implements W3CTCPServerSocket {
    #id = 0;
    #localAddress: string | null = null;
    #localPort: number | null = null;
    #readyState: W3CReadyState = 'opening';
    #suspended = false;

    constructor(options: W3CTCPServerOptions = {}) {
      super();
      const o = options ?? {};
      if (o.useSecureTransport === true)
        throw new DOMException('useSecureTransport is not supported on a TCPServerSocket.', 'NotSupportedError');
      const host = o.localAddress === undefined ? '0.0.0.0' : ipLiteral(o.localAddress, 'localAddress');
      const port = o.localPort === undefined ? 0 : toUint16(o.localPort);
      client.call('listen', [{ host, port }], (error, value) => {
        if (error !== undefined) {
          this.#readyState = 'closed';
          this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(error, 'tcp_error') }));
          return;
        }
        this.#id = value.socketId as number;
        if (this.#readyState === 'closed') {
          client.call('close', [this.#id]);
          return;
        }
        this.#localAddress = value.localAddress as string;
        this.#localPort = value.localPort as number;
        if (this.#suspended) client.call('setPaused', [this.#id, true]);
        client.listen(this.#id, {
          onAccept: (a) => {
            const connectedSocket = new TCPSocket('', 0, {}, ACCEPTED, a);
            // Handlers set inside this dispatch see every byte: the data follows on the port.
            this.dispatchEvent(new ConnectEvent('connect', { connectedSocket }));
          },
          onError: (e) => {
            if (this.#readyState === 'closed') return;
            this.#readyState = 'closed';
            client.call('close', [this.#id]);
            this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(e, 'tcp_error') }));
          },
        });
        this.#readyState = 'open';
        this.dispatchEvent(new Event('open'));
      });
    }

    get localAddress(): string | null {
      return this.#localAddress;
    }
    get localPort(): number | null {
      return this.#localPort;
    }
    get readyState(): W3CReadyState {
      return this.#readyState;
    }
    declare onopen: Handler;
    declare onconnect: Handler;
    declare onerror: Handler;

    /** Stops listening; established connections keep working. */
    close(): void {
      if (this.#readyState === 'closed') return;
      this.#readyState = 'closed';
      if (this.#id !== 0) {
        client.forget(this.#id);
        client.call('close', [this.#id]);
      }
    }

    /** New connections wait (the host holds them) until resume(). */
    suspend(): void {
      this.#suspended = true;
      if (this.#id !== 0 && this.#readyState === 'open') client.call('setPaused', [this.#id, true]);
    }

    resume(): void {
      this.#suspended = false;
      if (this.#id !== 0 && this.#readyState === 'open') client.call('setPaused', [this.#id, false]);
    }
  }

  class UDPSocket extends Sender implements W3CUDPSocket {
    #localAddress: string | null;
    #localPort: number | null;
    #remoteAddress: string | null;
    #remotePort: number | null;
    #addressReuse: boolean;
    #loopback: boolean;
    #readyState: W3CReadyState = 'opening';
    #memberships: Array<[boolean, string]> = [];
    #suspended = false;

    constructor(options: W3CUDPOptions = {}) {
      super();
      const o = options ?? {};
      this.#localAddress = o.localAddress === undefined ? null : ipLiteral(o.localAddress, 'localAddress');
      this.#localPort = o.localPort === undefined ? null : toUint16(o.localPort);
      this.#remoteAddress = o.remoteAddress === undefined || o.remoteAddress === null ? null : ipLiteral(o.remoteAddress, 'remoteAddress');
      this.#remotePort = o.remotePort === undefined || o.remotePort === null ? null : toUint16(o.remotePort);
      if (this.#remotePort === 0) throw invalidAccess('remotePort must not be 0.');
      this.#addressReuse = o.addressReuse !== false;
      this.#loopback = o.loopback === true;
      const open: Record<string, unknown> = { reuseAddr: this.#addressReuse, loopback: this.#loopback };
      if (this.#localAddress !== null) open.localAddress = this.#localAddress;
      else if (this.#remoteAddress?.includes(':')) open.localAddress = '::';
      if (this.#localPort !== null) open.localPort = this.#localPort;
      client.call('udpOpen', [open], (error, value) => {
        if (error !== undefined) {
          this.#readyState = 'closed';
          this.#memberships = [];
          this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(error, 'udp_error') }));
          return;
        }
        this.id = value.socketId as number;
        if (this.#readyState === 'closed') {
          client.call('close', [this.id]);
          return;
        }
        this.#localAddress = value.localAddress as string;
        this.#localPort = value.localPort as number;
        this.#readyState = 'open';
        if (this.#suspended) client.call('setPaused', [this.id, true]);
        client.listen(this.id, {
          onMessage: (data, remoteAddress, remotePort) => {
            if (this.#readyState !== 'open') return;
            this.dispatchEvent(new UDPMessageEvent('message', { data, remoteAddress: remoteAddress ?? '', remotePort: remotePort ?? 0 }));
          },
          onError: (e) => this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(e, 'udp_error') })),
        });
        // Membership calls made while opening are replayed now (as Gecko does).
        for (const [join, group] of this.#memberships.splice(0)) this.#membership(join, group);
        this.dispatchEvent(new Event('open'));
      });
    }

    protected write(
      payload: ArrayBuffer,
      address: string | undefined,
      port: number | undefined,
      done: (error?: RawCallError) => void,
    ): void {
      client.call('udpSend', [this.id, payload, address, port], (error) => done(error), [payload]);
    }

    protected sendFailed(error: RawCallError): void {
      if (this.#readyState !== 'open') return;
      this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(error, 'udp_error') }));
    }

    get localAddress(): string | null {
      return this.#localAddress;
    }
    get localPort(): number | null {
      return this.#localPort;
    }
    get remoteAddress(): string | null {
      return this.#remoteAddress;
    }
    get remotePort(): number | null {
      return this.#remotePort;
    }
    get addressReuse(): boolean {
      return this.#addressReuse;
    }
    get loopback(): boolean {
      return this.#loopback;
    }
    get readyState(): W3CReadyState {
      return this.#readyState;
    }

    /** To `remoteAddress:remotePort`, or the default destination given at construction. */
    send(data: W3CSendData, remoteAddress?: string | null, remotePort?: number | null): boolean {
      if (arguments.length < 1) throw new TypeError('UDPSocket.send: At least 1 argument required, but only 0 passed');
      if (this.#readyState !== 'open') throw invalidState(`UDPSocket.send: the socket is ${this.#readyState}.`);
      const address =
        remoteAddress === undefined || remoteAddress === null ? this.#remoteAddress : ipLiteral(remoteAddress, 'remoteAddress');
      const port = remotePort === undefined || remotePort === null ? this.#remotePort : toUint16(remotePort);
      if (address === null || port === null || port === 0) throw invalidAccess('UDPSocket.send: no destination address and port.');
      const hint = this.sends.queue(payloadOf(data), address, port);
      if (hint === undefined) throw invalidAccess(`UDPSocket.send: more than ${W3C_MAX_BUFFERED} bytes would be buffered.`);
      return hint;
    }

    /** `closed` at once; what is queued is dropped. */
    close(): void {
      if (this.#readyState === 'closed') return;
      this.#readyState = 'closed';
      this.#memberships = [];
      this.sends.drop();
      if (this.id !== 0) {
        client.forget(this.id);
        client.call('close', [this.id]);
      }
    }

    suspend(): void {
      this.#suspended = true;
      if (this.#readyState === 'open') client.call('setPaused', [this.id, true]);
    }

    resume(): void {
      this.#suspended = false;
      if (this.#readyState === 'open') client.call('setPaused', [this.id, false]);
    }

    joinMulticast(multicastGroupAddress: string): void {
      this.#membership(true, ipLiteral(multicastGroupAddress, 'multicastGroupAddress'));
    }

    leaveMulticast(multicastGroupAddress: string): void {
      this.#membership(false, ipLiteral(multicastGroupAddress, 'multicastGroupAddress'));
    }

    /** The FPWD's names for joinMulticast/leaveMulticast (renamed in July 2013). */
    joinMulticastGroup(multicastGroupAddress: string): void {
      this.joinMulticast(multicastGroupAddress);
    }

    leaveMulticastGroup(multicastGroupAddress: string): void {
      this.leaveMulticast(multicastGroupAddress);
    }

    #membership(join: boolean, group: string): void {
      if (this.#readyState === 'closed') throw invalidState('The socket is closed.');
      if (this.#readyState === 'opening') {
        this.#memberships.push([join, group]);
        return;
      }
      client.call('udpMembership', [this.id, join, group], (error) => {
        if (error !== undefined && this.#readyState === 'open') {
          this.dispatchEvent(new SocketErrorEvent('error', { error: networkError(error, 'udp_error') }));
        }
      });
    }
  }

  TCPSocket.handlerAttributes('close', 'halfclose');
  TCPServerSocket.handlerAttributes('open', 'connect', 'error');

  return {
    TCPSocket: TCPSocket as unknown as W3CSockets['TCPSocket'],
    TCPServerSocket: TCPServerSocket as unknown as W3CSockets['TCPServerSocket'],
    UDPSocket: UDPSocket as unknown as W3CSockets['UDPSocket'],
  };
}
