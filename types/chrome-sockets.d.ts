// Global types for chrome.sockets.tcp, chrome.sockets.tcpServer, chrome.sockets.udp and
// chrome.runtime.lastError, as electron-chrome-sockets provides them to pages.
//
// Written from Chromium's IDL (extensions/common/api/sockets_tcp.idl, sockets_tcp_server.idl,
// sockets_udp.idl), not from @types/chrome-apps, which is wrong in places (tcpServer.onAccept's
// argument, udp.onReceive's remote address, udp's SocketInfo, the missing dnsQueryType).
//
// Use it with `"types": ["electron-chrome-sockets/chrome"]` in tsconfig.json, or
// `/// <reference types="electron-chrome-sockets/chrome" />` at the top of a file.
//
// Every function has Chrome's callback form and, when the callback is left out, a promise
// form: the promise resolves with what the callback would get and rejects with an Error whose
// message is what chrome.runtime.lastError.message would have been.
//
// Not to be combined with @types/chrome, which declares chrome.runtime.lastError differently
// (and has no chrome.sockets).

declare namespace chrome {
  namespace runtime {
    /**
     * Set while a callback runs if the call failed, otherwise undefined. Reading it in the
     * callback "checks" the error; an unchecked one is reported on the console.
     */
    const lastError: { readonly message: string } | undefined;
  }

  namespace sockets {
    /** Chrome's event object: listeners are compared by identity. */
    interface Event<Listener extends (...args: any[]) => void> {
      addListener(callback: Listener): void;
      removeListener(callback: Listener): void;
      hasListener(callback: Listener): boolean;
      hasListeners(): boolean;
    }

    // ------------------------------------------------------------------------------------------
    namespace tcp {
      /** `"any"` lets the OS order the addresses; `"ipv4"` / `"ipv6"` restrict the lookup. */
      type DnsQueryType = 'any' | 'ipv4' | 'ipv6';

      interface SocketProperties {
        /**
         * Flag indicating if the socket is left open when the event page of the application is
         * unloaded. The default value is "false".
         */
        persistent?: boolean;
        /** An application-defined string associated with the socket. */
        name?: string;
        /** The size of the buffer used to receive data. The default value is 4096. */
        bufferSize?: number;
      }
      interface CreateInfo {
        /** The ID of the newly created socket. Ids start at 1 and are never reused. */
        socketId: number;
      }
      interface SendInfo {
        /** The result code returned from the underlying network call. A negative value indicates an error. */
        resultCode: number;
        /** The number of bytes sent (if result == 0). */
        bytesSent?: number;
      }
      interface TLSVersionConstraints {
        /** The minimum TLS version: "tls1.2" or "tls1.3" (older names are raised to tls1.2). */
        min?: string;
        /** The maximum TLS version: "tls1.2" or "tls1.3". */
        max?: string;
      }
      interface SecureOptions {
        tlsVersion?: TLSVersionConstraints;
      }
      interface SocketInfo {
        socketId: number;
        persistent: boolean;
        name?: string;
        bufferSize?: number;
        /** Whether delivery of data (onReceive) is paused. */
        paused: boolean;
        connected: boolean;
        localAddress?: string;
        localPort?: number;
        peerAddress?: string;
        peerPort?: number;
      }
      interface ReceiveInfo {
        socketId: number;
        /** The data received, with a maximum size of bufferSize. */
        data: ArrayBuffer;
      }
      interface ReceiveErrorInfo {
        socketId: number;
        /** The result code returned from the underlying network call. */
        resultCode: number;
      }

      function create(properties?: SocketProperties | null): Promise<CreateInfo>;
      function create(callback: (createInfo: CreateInfo) => void): void;
      function create(properties: SocketProperties | null | undefined, callback: (createInfo: CreateInfo) => void): void;

      function update(socketId: number, properties: SocketProperties): Promise<void>;
      function update(socketId: number, properties: SocketProperties, callback: () => void): void;

      /**
       * Enables or disables the application from receiving messages from its peer. A paused
       * socket keeps its data buffered until it is resumed.
       */
      function setPaused(socketId: number, paused: boolean): Promise<void>;
      function setPaused(socketId: number, paused: boolean, callback: () => void): void;

      /** `delay` is in seconds. The result is 0 on success, a negative net error otherwise. */
      function setKeepAlive(socketId: number, enable: boolean, delay?: number | null): Promise<number>;
      function setKeepAlive(socketId: number, enable: boolean, callback: (result: number) => void): void;
      function setKeepAlive(socketId: number, enable: boolean, delay: number | null | undefined, callback: (result: number) => void): void;

      function setNoDelay(socketId: number, noDelay: boolean): Promise<number>;
      function setNoDelay(socketId: number, noDelay: boolean, callback: (result: number) => void): void;

      /** The result is 0 on success, a negative net error otherwise. */
      function connect(socketId: number, peerAddress: string, peerPort: number, dnsQueryType?: DnsQueryType | null): Promise<number>;
      function connect(socketId: number, peerAddress: string, peerPort: number, callback: (result: number) => void): void;
      function connect(
        socketId: number,
        peerAddress: string,
        peerPort: number,
        dnsQueryType: DnsQueryType | null | undefined,
        callback: (result: number) => void,
      ): void;

      function disconnect(socketId: number): Promise<void>;
      function disconnect(socketId: number, callback: () => void): void;

      /**
       * Starts a TLS client connection over a connected TCP socket. The socket must have been
       * paused before connect.
       */
      function secure(socketId: number, options?: SecureOptions | null): Promise<number>;
      function secure(socketId: number, callback: (result: number) => void): void;
      function secure(socketId: number, options: SecureOptions | null | undefined, callback: (result: number) => void): void;

      function send(socketId: number, data: ArrayBuffer | ArrayBufferView): Promise<SendInfo>;
      function send(socketId: number, data: ArrayBuffer | ArrayBufferView, callback: (sendInfo: SendInfo) => void): void;

      function close(socketId: number): Promise<void>;
      function close(socketId: number, callback: () => void): void;

      function getInfo(socketId: number): Promise<SocketInfo>;
      function getInfo(socketId: number, callback: (socketInfo: SocketInfo) => void): void;

      /** The sockets owned by the application, in no particular order. */
      function getSockets(): Promise<SocketInfo[]>;
      function getSockets(callback: (socketInfos: SocketInfo[]) => void): void;

      /** Event raised when data has been received for a given socket. */
      const onReceive: Event<(info: ReceiveInfo) => void>;
      /**
       * Event raised when a network error occurred while the runtime was waiting for data on
       * the socket address and port. Once this event is raised, the socket is set to paused.
       */
      const onReceiveError: Event<(info: ReceiveErrorInfo) => void>;
    }

    // ------------------------------------------------------------------------------------------
    namespace tcpServer {
      interface SocketProperties {
        /**
         * Flag indicating if the socket remains open when the event page of the application is
         * unloaded. The default value is "false".
         */
        persistent?: boolean;
        /** An application-defined string associated with the socket. */
        name?: string;
      }
      interface CreateInfo {
        socketId: number;
      }
      interface SocketInfo {
        socketId: number;
        persistent: boolean;
        name?: string;
        /** Whether connection requests on a listening socket are dispatched through onAccept. */
        paused: boolean;
        localAddress?: string;
        localPort?: number;
      }
      interface AcceptInfo {
        /** The server socket identifier. */
        socketId: number;
        /** The client socket identifier, a chrome.sockets.tcp id, created paused. */
        clientSocketId: number;
      }
      interface AcceptErrorInfo {
        socketId: number;
        resultCode: number;
      }

      function create(properties?: SocketProperties | null): Promise<CreateInfo>;
      function create(callback: (createInfo: CreateInfo) => void): void;
      function create(properties: SocketProperties | null | undefined, callback: (createInfo: CreateInfo) => void): void;

      function update(socketId: number, properties: SocketProperties): Promise<void>;
      function update(socketId: number, properties: SocketProperties, callback: () => void): void;

      function setPaused(socketId: number, paused: boolean): Promise<void>;
      function setPaused(socketId: number, paused: boolean, callback: () => void): void;

      /**
       * Listens for connections on the specified address and port; port 0 picks a free port
       * (read it back with getInfo). The result is 0 on success, a negative net error otherwise.
       */
      function listen(socketId: number, address: string, port: number, backlog?: number | null): Promise<number>;
      function listen(socketId: number, address: string, port: number, callback: (result: number) => void): void;
      function listen(
        socketId: number,
        address: string,
        port: number,
        backlog: number | null | undefined,
        callback: (result: number) => void,
      ): void;

      /** Stops listening; the socket id stays valid and can listen again. */
      function disconnect(socketId: number): Promise<void>;
      function disconnect(socketId: number, callback: () => void): void;

      function close(socketId: number): Promise<void>;
      function close(socketId: number, callback: () => void): void;

      function getInfo(socketId: number): Promise<SocketInfo>;
      function getInfo(socketId: number, callback: (socketInfo: SocketInfo) => void): void;

      function getSockets(): Promise<SocketInfo[]>;
      function getSockets(callback: (socketInfos: SocketInfo[]) => void): void;

      /** Event raised when a connection has been made to the server socket. */
      const onAccept: Event<(info: AcceptInfo) => void>;
      /** Event raised when a network error occurred while accepting; the socket is then paused. */
      const onAcceptError: Event<(info: AcceptErrorInfo) => void>;
    }

    // ------------------------------------------------------------------------------------------
    namespace udp {
      type DnsQueryType = 'any' | 'ipv4' | 'ipv6';

      interface SocketProperties {
        persistent?: boolean;
        name?: string;
        /** The size of the buffer used to receive data. The default value is 4096. */
        bufferSize?: number;
      }
      interface CreateInfo {
        socketId: number;
      }
      interface SendInfo {
        resultCode: number;
        bytesSent?: number;
      }
      interface SocketInfo {
        socketId: number;
        persistent: boolean;
        name?: string;
        bufferSize?: number;
        paused: boolean;
        /** Present once the socket is bound. */
        localAddress?: string;
        localPort?: number;
      }
      interface ReceiveInfo {
        socketId: number;
        data: ArrayBuffer;
        /** The address of the host the data came from. */
        remoteAddress: string;
        /** The port of the host the data came from. */
        remotePort: number;
      }
      interface ReceiveErrorInfo {
        socketId: number;
        resultCode: number;
      }

      function create(properties?: SocketProperties | null): Promise<CreateInfo>;
      function create(callback: (createInfo: CreateInfo) => void): void;
      function create(properties: SocketProperties | null | undefined, callback: (createInfo: CreateInfo) => void): void;

      function update(socketId: number, properties: SocketProperties): Promise<void>;
      function update(socketId: number, properties: SocketProperties, callback: () => void): void;

      function setPaused(socketId: number, paused: boolean): Promise<void>;
      function setPaused(socketId: number, paused: boolean, callback: () => void): void;

      /** Binds the local address and port; port 0 picks a free one. */
      function bind(socketId: number, address: string, port: number): Promise<number>;
      function bind(socketId: number, address: string, port: number, callback: (result: number) => void): void;

      function send(
        socketId: number,
        data: ArrayBuffer | ArrayBufferView,
        address: string,
        port: number,
        dnsQueryType?: DnsQueryType | null,
      ): Promise<SendInfo>;
      function send(
        socketId: number,
        data: ArrayBuffer | ArrayBufferView,
        address: string,
        port: number,
        callback: (sendInfo: SendInfo) => void,
      ): void;
      function send(
        socketId: number,
        data: ArrayBuffer | ArrayBufferView,
        address: string,
        port: number,
        dnsQueryType: DnsQueryType | null | undefined,
        callback: (sendInfo: SendInfo) => void,
      ): void;

      function close(socketId: number): Promise<void>;
      function close(socketId: number, callback: () => void): void;

      function getInfo(socketId: number): Promise<SocketInfo>;
      function getInfo(socketId: number, callback: (socketInfo: SocketInfo) => void): void;

      function getSockets(): Promise<SocketInfo[]>;
      function getSockets(callback: (socketInfos: SocketInfo[]) => void): void;

      function joinGroup(socketId: number, address: string): Promise<number>;
      function joinGroup(socketId: number, address: string, callback: (result: number) => void): void;

      function leaveGroup(socketId: number, address: string): Promise<number>;
      function leaveGroup(socketId: number, address: string, callback: (result: number) => void): void;

      /** Must be called before bind. */
      function setMulticastTimeToLive(socketId: number, ttl: number): Promise<number>;
      function setMulticastTimeToLive(socketId: number, ttl: number, callback: (result: number) => void): void;

      /** Must be called before bind. */
      function setMulticastLoopbackMode(socketId: number, enabled: boolean): Promise<number>;
      function setMulticastLoopbackMode(socketId: number, enabled: boolean, callback: (result: number) => void): void;

      function getJoinedGroups(socketId: number): Promise<string[]>;
      function getJoinedGroups(socketId: number, callback: (groups: string[]) => void): void;

      function setBroadcast(socketId: number, enabled: boolean): Promise<number>;
      function setBroadcast(socketId: number, enabled: boolean, callback: (result: number) => void): void;

      /** Event raised when a UDP packet has been received for the given socket. */
      const onReceive: Event<(info: ReceiveInfo) => void>;
      /** Event raised when a network error occurred; the socket is then paused. */
      const onReceiveError: Event<(info: ReceiveErrorInfo) => void>;
    }
  }
}
