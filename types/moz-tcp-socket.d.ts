/**
 * mozTCPSocket as Gecko implements it (dom/webidl/TCPSocket.webidl, TCPServerSocket.webidl),
 * as electron-chrome-sockets installs it in a page attached with `apis: ['mozTCPSocket']`
 * (`navigator.mozTCPSocket`), or gives it in the test host as `t.mozTCPSocket`.
 * Add `"types": ["electron-chrome-sockets/moz-tcp-socket"]`.
 */
export {};

declare global {
  type TCPSocketBinaryType = 'arraybuffer' | 'string';
  type TCPReadyState = 'connecting' | 'open' | 'closing' | 'closed';

  interface MozSocketOptions {
    useSecureTransport?: boolean;
    /** Default `"string"`: each byte becomes one char code 0–255. */
    binaryType?: TCPSocketBinaryType;
  }

  interface MozServerSocketOptions {
    binaryType?: TCPSocketBinaryType;
  }

  interface MozTCPSocketEvent extends Event {
    /** A string (binaryType "string") or an ArrayBuffer for `data`; null otherwise. */
    readonly data: string | ArrayBuffer | null;
  }

  interface MozTCPSocketErrorEvent extends Event {
    /** e.g. `ConnectionRefusedError`, `NetworkTimeoutError`, `DomainNotFoundError`, `Security…Error`. */
    readonly name: string;
    /** `Network`, `SecurityProtocol` or `SecurityCertificate`. */
    readonly message: string;
  }

  interface MozTCPSocket extends EventTarget {
    readonly host: string;
    readonly port: number;
    readonly ssl: boolean;
    readonly bufferedAmount: number;
    readonly binaryType: TCPSocketBinaryType;
    readonly readyState: TCPReadyState;
    onopen: ((event: MozTCPSocketEvent) => void) | null;
    ondata: ((event: MozTCPSocketEvent) => void) | null;
    ondrain: ((event: MozTCPSocketEvent) => void) | null;
    onerror: ((event: MozTCPSocketErrorEvent) => void) | null;
    onclose: ((event: MozTCPSocketEvent) => void) | null;
    /** false once more than 64 KiB is buffered; one `drain` follows. */
    send(data: string): boolean;
    send(data: ArrayBuffer, byteOffset?: number, byteLength?: number): boolean;
    upgradeToSecure(): void;
    suspend(): void;
    resume(): void;
    close(): void;
    closeImmediately(): void;
  }

  interface MozTCPServerSocketEvent extends Event {
    readonly socket: MozTCPSocket;
  }

  interface MozTCPServerSocket extends EventTarget {
    /** 0 until the host reports the bound port (one round trip after listen()). */
    readonly localPort: number;
    onconnect: ((event: MozTCPServerSocketEvent) => void) | null;
    onerror: ((event: Event) => void) | null;
    close(): void;
  }

  interface LegacyMozTCPSocket {
    open(host: string, port: number, options?: MozSocketOptions): MozTCPSocket;
    listen(port: number, options?: MozServerSocketOptions, backlog?: number): MozTCPServerSocket;
  }

  interface Navigator {
    readonly mozTCPSocket: LegacyMozTCPSocket;
  }
}
