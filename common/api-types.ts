/**
 * The public `chrome.sockets.*` types, written from Chromium's IDL
 * (extensions/common/api/sockets_tcp.idl, sockets_tcp_server.idl, sockets_udp.idl).
 * These are what page code sees; the host produces exactly these shapes.
 *
 * The API's one description is types/chrome-sockets.d.ts; types/check/api-agrees.ts makes the
 * build fail unless each type here is the very same type as its counterpart there.
 */

/** `"any"` lets the OS order A and AAAA answers; `"ipv4"` / `"ipv6"` restrict the lookup. */
export type DnsQueryType = 'any' | 'ipv4' | 'ipv6';

export namespace tcp {
  export interface SocketProperties {
    /** Whether the socket stays open when the app's background page unloads. Default false. */
    persistent?: boolean;
    /** An application-defined string associated with the socket. */
    name?: string;
    /** Size of the buffer used to receive data. Default 4096. */
    bufferSize?: number;
  }
  export interface CreateInfo {
    socketId: number;
  }
  export interface SendInfo {
    /** 0 on success, otherwise a negative net error code. */
    resultCode: number;
    /** Present only when resultCode is 0. */
    bytesSent?: number;
  }
  export interface TLSVersionConstraints {
    min?: string;
    max?: string;
  }
  export interface SecureOptions {
    tlsVersion?: TLSVersionConstraints;
  }
  export interface SocketInfo {
    socketId: number;
    persistent: boolean;
    name?: string;
    bufferSize?: number;
    paused: boolean;
    connected: boolean;
    localAddress?: string;
    localPort?: number;
    peerAddress?: string;
    peerPort?: number;
  }
  export interface ReceiveInfo {
    socketId: number;
    data: ArrayBuffer;
  }
  export interface ReceiveErrorInfo {
    socketId: number;
    resultCode: number;
  }
}

export namespace tcpServer {
  export interface SocketProperties {
    persistent?: boolean;
    name?: string;
  }
  export interface CreateInfo {
    socketId: number;
  }
  export interface SocketInfo {
    socketId: number;
    persistent: boolean;
    name?: string;
    paused: boolean;
    localAddress?: string;
    localPort?: number;
  }
  export interface AcceptInfo {
    socketId: number;
    clientSocketId: number;
  }
  export interface AcceptErrorInfo {
    socketId: number;
    resultCode: number;
  }
}

export namespace udp {
  export interface SocketProperties {
    persistent?: boolean;
    name?: string;
    bufferSize?: number;
  }
  export interface CreateInfo {
    socketId: number;
  }
  export interface SendInfo {
    resultCode: number;
    bytesSent?: number;
  }
  export interface SocketInfo {
    socketId: number;
    persistent: boolean;
    name?: string;
    bufferSize?: number;
    paused: boolean;
    localAddress?: string;
    localPort?: number;
  }
  export interface ReceiveInfo {
    socketId: number;
    data: ArrayBuffer;
    remoteAddress: string;
    remotePort: number;
  }
  export interface ReceiveErrorInfo {
    socketId: number;
    resultCode: number;
  }
}

/**
 * The manifest `"sockets"` section of a Chrome App (spec §5). Each value is a host:port
 * pattern or a list of them.
 */
export interface SocketsManifest {
  tcp?: { connect?: string | string[] };
  tcpServer?: { listen?: string | string[] };
  udp?: { bind?: string | string[]; send?: string | string[]; multicastMembership?: string | string[] };
}
