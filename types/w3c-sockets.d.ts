/**
 * The W3C SysApps "Raw Socket API" of 2013 (the event-based TCPSocket, TCPServerSocket and
 * UDPSocket of the First Public Working Draft), as electron-chrome-sockets installs it in a page
 * attached with `apis: ['w3c']`: `navigator.w3cSockets.{TCPSocket, TCPServerSocket, UDPSocket}`
 * (the names clash with Direct Sockets' globals), or gives it in the test host as `t.w3c`.
 * Add `"types": ["electron-chrome-sockets/w3c-sockets"]`.
 */
export {};

declare global {
  /** `connecting` is the FPWD's name (later drafts: `opening`, used here by UDP and the server). */
  type W3CSocketReadyState = 'connecting' | 'opening' | 'open' | 'closing' | 'closed' | 'halfclosed';
  type W3CSocketSendData = string | Blob | ArrayBuffer | ArrayBufferView;
  type W3CSocketErrorType =
    | 'no_network_contact'
    | 'udp_error'
    | 'tcp_error'
    | 'tcp_peer_does_not_respond'
    | 'tcp_connection_not_accepted'
    | 'tcp_connection_lost'
    | 'local_address_port_already_in_use'
    | 'send_buffer_full';

  interface W3CTCPOptions {
    localAddress?: string;
    localPort?: number;
    useSecureTransport?: boolean;
    /** Default true. */
    noDelay?: boolean;
  }

  interface W3CTCPServerOptions {
    /** An IP literal; default `0.0.0.0`. */
    localAddress?: string;
    /** Default 0 (the system picks; read `localPort` after `open`). */
    localPort?: number;
    /** Not supported: a NotSupportedError. */
    useSecureTransport?: boolean;
  }

  interface W3CUDPOptions {
    localAddress?: string;
    localPort?: number;
    /** The default destination of send(). */
    remoteAddress?: string;
    remotePort?: number;
    /** SO_REUSEADDR; default true. */
    addressReuse?: boolean;
    /** Multicast loopback; default false. */
    loopback?: boolean;
  }

  interface W3CSocketError extends DOMException {
    /** Always `NetworkError`. */
    readonly name: string;
    readonly type: W3CSocketErrorType;
  }

  interface W3CSocketErrorEvent extends Event {
    readonly error: W3CSocketError;
  }

  interface W3CSocketMessageEvent extends Event {
    readonly data: ArrayBuffer;
  }

  interface W3CUDPMessageEvent extends Event {
    readonly data: ArrayBuffer;
    readonly remoteAddress: string;
    readonly remotePort: number;
  }

  interface W3CTCPSocket extends EventTarget {
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly localAddress: string | null;
    readonly localPort: number | null;
    /** Bytes sent and not yet taken by the operating system. */
    readonly bufferedAmount: number;
    readonly readyState: W3CSocketReadyState;
    onopen: ((event: Event) => void) | null;
    onmessage: ((event: W3CSocketMessageEvent) => void) | null;
    ondrain: ((event: Event) => void) | null;
    onerror: ((event: W3CSocketErrorEvent) => void) | null;
    onclose: ((event: Event) => void) | null;
    /** The peer sent FIN (the FPWD's event); this side may still send. */
    onhalfclose: ((event: Event) => void) | null;
    /** Strings as UTF-8. false once more than 64 KiB is buffered; one `drain` follows. */
    send(data: W3CSocketSendData): boolean;
    /** FIN after what is queued; `halfclosed`, receiving goes on. */
    halfclose(): void;
    close(): void;
    suspend(): void;
    resume(): void;
  }

  interface W3CConnectEvent extends Event {
    readonly connectedSocket: W3CTCPSocket;
  }

  interface W3CTCPServerSocket extends EventTarget {
    readonly localAddress: string | null;
    readonly localPort: number | null;
    readonly readyState: W3CSocketReadyState;
    onopen: ((event: Event) => void) | null;
    onconnect: ((event: W3CConnectEvent) => void) | null;
    onerror: ((event: W3CSocketErrorEvent) => void) | null;
    close(): void;
    suspend(): void;
    resume(): void;
  }

  interface W3CUDPSocket extends EventTarget {
    readonly localAddress: string | null;
    readonly localPort: number | null;
    readonly remoteAddress: string | null;
    readonly remotePort: number | null;
    readonly addressReuse: boolean;
    readonly loopback: boolean;
    readonly bufferedAmount: number;
    readonly readyState: W3CSocketReadyState;
    onopen: ((event: Event) => void) | null;
    onmessage: ((event: W3CUDPMessageEvent) => void) | null;
    ondrain: ((event: Event) => void) | null;
    onerror: ((event: W3CSocketErrorEvent) => void) | null;
    send(data: W3CSocketSendData, remoteAddress?: string | null, remotePort?: number | null): boolean;
    close(): void;
    suspend(): void;
    resume(): void;
    joinMulticast(multicastGroupAddress: string): void;
    leaveMulticast(multicastGroupAddress: string): void;
    /** The FPWD's names for joinMulticast/leaveMulticast. */
    joinMulticastGroup(multicastGroupAddress: string): void;
    leaveMulticastGroup(multicastGroupAddress: string): void;
  }

  interface W3CSockets {
    TCPSocket: new (remoteAddress: string, remotePort: number, options?: W3CTCPOptions) => W3CTCPSocket;
    TCPServerSocket: new (options?: W3CTCPServerOptions) => W3CTCPServerSocket;
    UDPSocket: new (options?: W3CUDPOptions) => W3CUDPSocket;
  }

  interface Navigator {
    readonly w3cSockets: W3CSockets;
  }
}
