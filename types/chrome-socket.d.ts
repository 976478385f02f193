/**
 * Legacy `chrome.socket` (Chrome Apps before Chrome 33, Chromium's socket.idl), as
 * electron-chrome-sockets installs it in a page attached with `apis: ['chrome.socket']`, or gives
 * it in the test host as `t.chrome.socket`. Its socket ids are its own (not chrome.sockets ids).
 * Add `"types": ["electron-chrome-sockets/chrome-socket"]`.
 */
declare namespace chrome.socket {
  type SocketType = 'tcp' | 'udp';
  type CreateOptions = object;
  interface CreateInfo {
    socketId: number;
  }
  interface ReadInfo {
    /** Bytes read, 0 when the peer closed (the socket is then disconnected), or a net error. */
    resultCode: number;
    data: ArrayBuffer;
  }
  interface WriteInfo {
    /** Bytes written, or a net error. */
    bytesWritten: number;
  }
  interface RecvFromInfo {
    resultCode: number;
    data: ArrayBuffer;
    address: string;
    port: number;
  }
  interface AcceptInfo {
    resultCode: number;
    socketId?: number;
  }
  interface SocketInfo {
    socketType: SocketType;
    connected: boolean;
    peerAddress?: string;
    peerPort?: number;
    localAddress?: string;
    localPort?: number;
  }
  interface NetworkInterface {
    name: string;
    address: string;
    prefixLength: number;
  }
  interface SecureOptions {
    tlsVersion?: { min?: string; max?: string };
  }

  function create(type: SocketType, options: CreateOptions | undefined, callback: (createInfo: CreateInfo) => void): void;
  function create(type: SocketType, callback: (createInfo: CreateInfo) => void): void;
  function destroy(socketId: number): void;
  function connect(socketId: number, hostname: string, port: number, callback: (result: number) => void): void;
  function bind(socketId: number, address: string, port: number, callback: (result: number) => void): void;
  function disconnect(socketId: number): void;
  /** At most `bufferSize` (default 4096) bytes; one read at a time (a second gets -1). */
  function read(socketId: number, bufferSize: number | undefined, callback: (readInfo: ReadInfo) => void): void;
  function read(socketId: number, callback: (readInfo: ReadInfo) => void): void;
  function write(socketId: number, data: ArrayBuffer, callback: (writeInfo: WriteInfo) => void): void;
  function recvFrom(socketId: number, bufferSize: number | undefined, callback: (recvFromInfo: RecvFromInfo) => void): void;
  function recvFrom(socketId: number, callback: (recvFromInfo: RecvFromInfo) => void): void;
  function sendTo(socketId: number, data: ArrayBuffer, address: string, port: number, callback: (writeInfo: WriteInfo) => void): void;
  function listen(socketId: number, address: string, port: number, backlog: number | undefined, callback: (result: number) => void): void;
  function listen(socketId: number, address: string, port: number, callback: (result: number) => void): void;
  function accept(socketId: number, callback: (acceptInfo: AcceptInfo) => void): void;
  /** `delay` in seconds. */
  function setKeepAlive(socketId: number, enable: boolean, delay: number | undefined, callback: (result: boolean) => void): void;
  function setKeepAlive(socketId: number, enable: boolean, callback: (result: boolean) => void): void;
  function setNoDelay(socketId: number, noDelay: boolean, callback: (result: boolean) => void): void;
  function getInfo(socketId: number, callback: (result: SocketInfo) => void): void;
  function getNetworkList(callback: (result: NetworkInterface[]) => void): void;
  function joinGroup(socketId: number, address: string, callback: (result: number) => void): void;
  function leaveGroup(socketId: number, address: string, callback: (result: number) => void): void;
  function setMulticastTimeToLive(socketId: number, ttl: number, callback: (result: number) => void): void;
  function setMulticastLoopbackMode(socketId: number, enabled: boolean, callback: (result: number) => void): void;
  function getJoinedGroups(socketId: number, callback: (groups: string[]) => void): void;
  function secure(socketId: number, options: SecureOptions | undefined, callback: (result: number) => void): void;
  function secure(socketId: number, callback: (result: number) => void): void;
}
