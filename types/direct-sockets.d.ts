/**
 * Direct Sockets (WICG, https://wicg.github.io/direct-sockets/) as electron-chrome-sockets
 * installs them in a page attached with `apis: ['direct']`, or gives them in the test host as
 * `t.direct`. Global declarations: add `"types": ["electron-chrome-sockets/direct-sockets"]`.
 */
export {};

declare global {
  type SocketDnsQueryType = 'ipv4' | 'ipv6';

  interface TCPSocketOptions {
    sendBufferSize?: number;
    receiveBufferSize?: number;
    noDelay?: boolean;
    /** Milliseconds, at least 1000; its presence enables SO_KEEPALIVE. */
    keepAliveDelay?: number;
    dnsQueryType?: SocketDnsQueryType;
  }

  interface TCPSocketOpenInfo {
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<ArrayBuffer | ArrayBufferView>;
    remoteAddress: string;
    remotePort: number;
    localAddress: string;
    localPort: number;
  }

  class TCPSocket {
    constructor(remoteAddress: string, remotePort: number, options?: TCPSocketOptions);
    readonly opened: Promise<TCPSocketOpenInfo>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
  }

  interface TCPServerSocketOptions {
    localPort?: number;
    backlog?: number;
    ipv6Only?: boolean;
  }

  interface TCPServerSocketOpenInfo {
    readable: ReadableStream<TCPSocket>;
    localAddress: string;
    localPort: number;
  }

  class TCPServerSocket {
    constructor(localAddress: string, options?: TCPServerSocketOptions);
    readonly opened: Promise<TCPServerSocketOpenInfo>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
  }

  interface UDPSocketOptions {
    remoteAddress?: string;
    remotePort?: number;
    localAddress?: string;
    localPort?: number;
    sendBufferSize?: number;
    receiveBufferSize?: number;
    dnsQueryType?: SocketDnsQueryType;
    ipv6Only?: boolean;
    multicastTimeToLive?: number;
    multicastLoopback?: boolean;
    multicastAllowAddressSharing?: boolean;
  }

  interface UDPMessage {
    data: ArrayBuffer | ArrayBufferView;
    remoteAddress?: string;
    remotePort?: number;
    dnsQueryType?: SocketDnsQueryType;
  }

  interface UDPSocketOpenInfo {
    readable: ReadableStream<UDPMessage & { data: Uint8Array }>;
    writable: WritableStream<UDPMessage>;
    remoteAddress?: string;
    remotePort?: number;
    localAddress: string;
    localPort: number;
    multicastController?: MulticastController;
  }

  class UDPSocket {
    constructor(options: UDPSocketOptions);
    readonly opened: Promise<UDPSocketOpenInfo>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
  }

  interface MulticastMembership {
    groupAddress: string;
    sourceAddress: string;
  }

  interface MulticastGroupOptions {
    sourceAddress?: string;
  }

  class MulticastController {
    private constructor();
    readonly joinedGroups: ReadonlyArray<string | MulticastMembership>;
    joinGroup(groupAddress: string, options?: MulticastGroupOptions): Promise<void>;
    leaveGroup(groupAddress: string, options?: MulticastGroupOptions): Promise<void>;
  }
}
