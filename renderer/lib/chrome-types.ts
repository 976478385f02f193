/**
 * The part of the `chrome` object the window uses: Chrome's public `chrome.sockets.*` signatures
 * (callback form) and `chrome.runtime.lastError`. Whatever supplies `chrome` (Electron's preload,
 * the browser host, a test) must look like this. types/check/api-agrees.ts checks at build time
 * that the real API (types/chrome-sockets.d.ts) satisfies it and that it names nothing else.
 */
import type { DnsQueryType, tcp, tcpServer, udp } from '../../common/api-types';

// `any` in the listener bound is what lets a listener of a specific event type be accepted.
export interface ChromeEvent<L extends (...args: any[]) => void> {
  addListener(listener: L): void;
  removeListener(listener: L): void;
  hasListener(listener: L): boolean;
}

type Done = () => void;
type ResultCb = (result: number) => void;

export interface TcpApi {
  create(properties: tcp.SocketProperties, callback: (info: tcp.CreateInfo) => void): void;
  update(socketId: number, properties: tcp.SocketProperties, callback?: Done): void;
  setPaused(socketId: number, paused: boolean, callback?: Done): void;
  setKeepAlive(socketId: number, enable: boolean, delay: number | undefined, callback: ResultCb): void;
  setNoDelay(socketId: number, noDelay: boolean, callback: ResultCb): void;
  connect(socketId: number, peerAddress: string, peerPort: number, dnsQueryType: DnsQueryType | undefined, callback: ResultCb): void;
  disconnect(socketId: number, callback?: Done): void;
  secure(socketId: number, options: tcp.SecureOptions | undefined, callback: ResultCb): void;
  send(socketId: number, data: ArrayBuffer, callback: (info: tcp.SendInfo) => void): void;
  close(socketId: number, callback?: Done): void;
  getInfo(socketId: number, callback: (info: tcp.SocketInfo) => void): void;
  getSockets(callback: (infos: tcp.SocketInfo[]) => void): void;
  onReceive: ChromeEvent<(info: tcp.ReceiveInfo) => void>;
  onReceiveError: ChromeEvent<(info: tcp.ReceiveErrorInfo) => void>;
}

export interface TcpServerApi {
  create(properties: tcpServer.SocketProperties, callback: (info: tcpServer.CreateInfo) => void): void;
  update(socketId: number, properties: tcpServer.SocketProperties, callback?: Done): void;
  setPaused(socketId: number, paused: boolean, callback?: Done): void;
  listen(socketId: number, address: string, port: number, backlog: number | undefined, callback: ResultCb): void;
  disconnect(socketId: number, callback?: Done): void;
  close(socketId: number, callback?: Done): void;
  getInfo(socketId: number, callback: (info: tcpServer.SocketInfo) => void): void;
  getSockets(callback: (infos: tcpServer.SocketInfo[]) => void): void;
  onAccept: ChromeEvent<(info: tcpServer.AcceptInfo) => void>;
  onAcceptError: ChromeEvent<(info: tcpServer.AcceptErrorInfo) => void>;
}

export interface UdpApi {
  create(properties: udp.SocketProperties, callback: (info: udp.CreateInfo) => void): void;
  update(socketId: number, properties: udp.SocketProperties, callback?: Done): void;
  setPaused(socketId: number, paused: boolean, callback?: Done): void;
  bind(socketId: number, address: string, port: number, callback: ResultCb): void;
  send(
    socketId: number,
    data: ArrayBuffer,
    address: string,
    port: number,
    dnsQueryType: DnsQueryType | undefined,
    callback: (info: udp.SendInfo) => void,
  ): void;
  close(socketId: number, callback?: Done): void;
  getInfo(socketId: number, callback: (info: udp.SocketInfo) => void): void;
  getSockets(callback: (infos: udp.SocketInfo[]) => void): void;
  joinGroup(socketId: number, address: string, callback: ResultCb): void;
  leaveGroup(socketId: number, address: string, callback: ResultCb): void;
  setMulticastTimeToLive(socketId: number, ttl: number, callback: ResultCb): void;
  setMulticastLoopbackMode(socketId: number, enabled: boolean, callback: ResultCb): void;
  getJoinedGroups(socketId: number, callback: (groups: string[]) => void): void;
  setBroadcast(socketId: number, enabled: boolean, callback: ResultCb): void;
  onReceive: ChromeEvent<(info: udp.ReceiveInfo) => void>;
  onReceiveError: ChromeEvent<(info: udp.ReceiveErrorInfo) => void>;
}

export interface SocketsChrome {
  readonly sockets: { readonly tcp: TcpApi; readonly tcpServer: TcpServerApi; readonly udp: UdpApi };
  readonly runtime: { readonly lastError?: { readonly message?: string } };
}

/**
 * What one call came back with, in Chrome's three shapes (spec §2.1): success (`value`, no
 * `error`), an error with no arguments (`value` undefined), or an error with a code or a
 * `{resultCode}` argument. `threw` is set when the call threw synchronously (a TypeError from
 * argument validation); no callback runs then.
 */
export interface Outcome<T> {
  readonly value: T | undefined;
  readonly error?: string;
  readonly threw?: true;
}

/**
 * Runs one callback-style call and resolves with its outcome. `lastError` is read inside the
 * callback because Chrome clears it as soon as the callback returns.
 */
export function invoke<T>(chrome: SocketsChrome, start: (callback: (value?: T) => void) => void): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    try {
      start((value?: T) => {
        const message = chrome.runtime.lastError?.message;
        resolve(message === undefined ? { value } : { value, error: message });
      });
    } catch (err) {
      resolve({ value: undefined, error: err instanceof Error ? err.message : String(err), threw: true });
    }
  });
}
