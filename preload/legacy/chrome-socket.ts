/**
 * Legacy `chrome.socket` (Chrome Apps before Chrome 33), after Chromium's
 * extensions/common/api/socket.idl and extensions/browser/api/socket/{socket_api,tcp_socket,
 * udp_socket}.cc: its own id space of sockets made by create() (a socket is only a type until
 * connect, bind or listen gives it a host socket), pull reads (one read at a time, at most
 * bufferSize bytes, on the raw namespace's read credit), Chrome's result codes and its
 * lastError texts.
 */
import type { PageChannel } from '../channel';
import { portClientOf, type ChromeSockets } from '../facade';
import { copyBytes, isArrayBuffer, rawClientFor, type RawCallError } from '../raw-client';

type Callback = (...args: any[]) => unknown;

const SOCKET_NOT_FOUND = 'Socket not found';
const DNS_FAILED = 'DNS resolution failed';
const PERMISSION = 'App does not have permission';
const PORT_INVALID = 'Port must be a value between 0 and 65535.';
const TCP_BIND = 'TCP socket does not support bind. For TCP server please use listen.';
const MULTICAST_TYPE = 'Only UDP socket supports multicast.';
const SECURE_TYPE = 'Only TCP sockets are supported for TLS.';
const CONNECT_AND_LISTEN = 'Cannot call both connect and listen on the same socket.';
const LISTEN_FAILED = 'Could not listen on the specified port.';

/** Chrome's net error codes the legacy API answers with. */
const OK = 0;
const ERR_IO_PENDING = -1;
const ERR_FAILED = -2;
const ERR_NOT_IMPLEMENTED = -11;
const ERR_SOCKET_NOT_CONNECTED = -15;
const ERR_SOCKET_IS_CONNECTED = -23;
const ERR_CONNECTION_CLOSED = -100;
const ERR_CONNECTION_FAILED = -104;
const ERR_NAME_NOT_RESOLVED = -105;
const ERR_ADDRESS_INVALID = -108;
const ERR_MSG_TOO_BIG = -142;
const ACCESS_DENIED = -10;

export interface LegacySocketInfo {
  socketType: 'tcp' | 'udp';
  connected: boolean;
  peerAddress?: string;
  peerPort?: number;
  localAddress?: string;
  localPort?: number;
}

export interface ChromeSocketLegacy {
  create(type: 'tcp' | 'udp', options?: object, callback?: (createInfo: { socketId: number }) => void): void;
  destroy(socketId: number): void;
  connect(socketId: number, hostname: string, port: number, callback?: (result: number) => void): void;
  bind(socketId: number, address: string, port: number, callback?: (result: number) => void): void;
  disconnect(socketId: number): void;
  read(socketId: number, bufferSize?: number | Callback, callback?: (readInfo: { resultCode: number; data: ArrayBuffer }) => void): void;
  write(socketId: number, data: ArrayBuffer, callback?: (writeInfo: { bytesWritten: number }) => void): void;
  recvFrom(
    socketId: number,
    bufferSize?: number | Callback,
    callback?: (recvFromInfo: { resultCode: number; data: ArrayBuffer; address: string; port: number }) => void,
  ): void;
  sendTo(
    socketId: number,
    data: ArrayBuffer,
    address: string,
    port: number,
    callback?: (writeInfo: { bytesWritten: number }) => void,
  ): void;
  listen(socketId: number, address: string, port: number, backlog?: number | Callback, callback?: (result: number) => void): void;
  accept(socketId: number, callback?: (acceptInfo: { resultCode: number; socketId?: number }) => void): void;
  setKeepAlive(socketId: number, enable: boolean, delay?: number | Callback, callback?: (result: boolean) => void): void;
  setNoDelay(socketId: number, noDelay: boolean, callback?: (result: boolean) => void): void;
  getInfo(socketId: number, callback?: (result: LegacySocketInfo) => void): void;
  getNetworkList(callback?: (result: Array<{ name: string; address: string; prefixLength: number }>) => void): void;
  joinGroup(socketId: number, address: string, callback?: (result: number) => void): void;
  leaveGroup(socketId: number, address: string, callback?: (result: number) => void): void;
  setMulticastTimeToLive(socketId: number, ttl: number, callback?: (result: number) => void): void;
  setMulticastLoopbackMode(socketId: number, enabled: boolean, callback?: (result: number) => void): void;
  getJoinedGroups(socketId: number, callback?: (groups: string[]) => void): void;
  secure(socketId: number, options?: object | Callback, callback?: (result: number) => void): void;
}

interface PendingRead {
  size: number;
  udp: boolean;
  done: (code: number, data: ArrayBuffer, address?: string, port?: number) => void;
}

/** One `chrome.socket` socket: a type until connect/bind/listen gives it a host socket. */
interface Entry {
  type: 'tcp' | 'udp';
  mode: 'none' | 'client' | 'server' | 'bound';
  hostId: number;
  connecting: boolean;
  connected: boolean;
  hostname?: string;
  info: { localAddress?: string; localPort?: number; peerAddress?: string; peerPort?: number };
  /** TCP: received bytes beyond a read's size; UDP: datagrams. */
  chunks: Array<{ data: ArrayBuffer; address?: string; port?: number }>;
  /** Bytes (TCP) or datagrams (UDP) granted to the host and not yet delivered. */
  credit: number;
  read?: PendingRead;
  ended: boolean;
  /** A server's connections not yet taken by accept(). */
  accepted: Array<Record<string, any>>;
  accept?: (info: { resultCode: number; socketId?: number }) => void;
  groups: string[];
  ttl?: number;
  loopback?: boolean;
}

function isPortValid(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** Chrome's "No matching signature" TypeError for a call whose arguments do not fit. */
function invocationError(signature: string): TypeError {
  return new TypeError(`Error in invocation of socket.${signature}: No matching signature.`);
}

/** `chrome.socket` over one page channel, calling back through `chrome`'s lastError. */
export function createChromeSocket(channel: PageChannel, chrome: ChromeSockets): ChromeSocketLegacy {
  const client = rawClientFor(channel);
  const port = portClientOf(chrome);
  const sockets = new Map<number, Entry>();
  let nextId = 1;

  function answer(name: string, callback: Callback | undefined, error: string | undefined, ...args: unknown[]): void {
    if (typeof callback === 'function') port.callWithLastError(`socket.${name}`, error, callback, args);
    else if (error !== undefined) port.console.error(`Unchecked runtime.lastError: ${error}`);
  }

  function newEntry(type: 'tcp' | 'udp', init: Partial<Entry> = {}): number {
    const id = nextId++;
    sockets.set(id, {
      type,
      mode: 'none',
      hostId: 0,
      connecting: false,
      connected: false,
      info: {},
      chunks: [],
      credit: 0,
      ended: false,
      accepted: [],
      groups: [],
      ...init,
    });
    return id;
  }

  /** The answer for a host failure: a permission or DNS text where Chrome has one. */
  function hostError(error: RawCallError): { code: number; text?: string } {
    if (error.resultCode === ACCESS_DENIED) return { code: -1, text: PERMISSION };
    if (error.resultCode === ERR_NAME_NOT_RESOLVED || error.resultCode === -137) return { code: error.resultCode, text: DNS_FAILED };
    return { code: error.resultCode };
  }

  /** Routes the host's events for `entry`'s host socket. */
  function listen(entry: Entry): void {
    client.listen(entry.hostId, {
      onData: (data) => {
        entry.credit -= data.byteLength;
        entry.chunks.push({ data });
        serveRead(entry);
      },
      onMessage: (data, address, port) => {
        entry.credit--;
        entry.chunks.push({ data, address: address ?? entry.info.peerAddress, port: port ?? entry.info.peerPort });
        serveRead(entry);
      },
      onAccept: (info) => {
        entry.accepted.push(info);
        serveAccept(entry);
      },
      onEnd: () => {
        entry.ended = true;
        serveRead(entry);
      },
      onClose: () => {
        entry.ended = true;
        entry.hostId = 0;
        serveRead(entry);
      },
    });
  }

  /** Answers the pending read from what arrived: at most its size; 0 at the end (then disconnected). */
  function serveRead(entry: Entry): void {
    const read = entry.read;
    if (read === undefined) return;
    if (entry.chunks.length > 0) {
      entry.read = undefined;
      if (read.udp) {
        const d = entry.chunks.shift()!;
        // A datagram longer than the buffer: Chrome's net layer gives ERR_MSG_TOO_BIG.
        if (d.data.byteLength > read.size) return read.done(ERR_MSG_TOO_BIG, new ArrayBuffer(0), d.address, d.port);
        return read.done(d.data.byteLength, d.data, d.address, d.port);
      }
      const out = new Uint8Array(
        Math.min(
          read.size,
          entry.chunks.reduce((n, c) => n + c.data.byteLength, 0),
        ),
      );
      let at = 0;
      while (at < out.length) {
        const head = entry.chunks[0];
        const take = Math.min(head.data.byteLength, out.length - at);
        out.set(new Uint8Array(head.data, 0, take), at);
        at += take;
        if (take === head.data.byteLength) entry.chunks.shift();
        else entry.chunks[0] = { data: head.data.slice(take) };
      }
      return read.done(out.byteLength, out.buffer);
    }
    if (entry.ended) {
      entry.read = undefined;
      // Read side ended: Chrome answers 0 and disconnects the socket.
      disconnect(entry);
      return read.done(0, new ArrayBuffer(0));
    }
    const want = read.udp ? 1 : read.size;
    if (entry.credit < want && entry.hostId !== 0) {
      client.call('read', [entry.hostId, want - entry.credit]);
      entry.credit = want;
    }
  }

  function serveAccept(entry: Entry): void {
    const callback = entry.accept;
    if (callback === undefined || entry.accepted.length === 0) return;
    entry.accept = undefined;
    const a = entry.accepted.shift()!;
    const id = newEntry('tcp', {
      mode: 'client',
      hostId: a.clientId as number,
      connected: true,
      info: { localAddress: a.localAddress, localPort: a.localPort, peerAddress: a.peerAddress, peerPort: a.peerPort },
    });
    listen(sockets.get(id)!);
    // Nothing waits on the server any more: the host holds new connections (bounded) until the next accept().
    if (entry.hostId !== 0) client.call('setPaused', [entry.hostId, true]);
    callback({ resultCode: OK, socketId: id });
  }

  /** Drops the host socket; the id stays (Chrome's Disconnect). A pending read gets -100. */
  function disconnect(entry: Entry): void {
    if (entry.hostId !== 0) {
      client.forget(entry.hostId);
      client.call('close', [entry.hostId]);
    }
    entry.hostId = 0;
    entry.connected = false;
    entry.connecting = false;
    entry.info = {};
    entry.credit = 0;
    const read = entry.read;
    entry.read = undefined;
    entry.chunks = [];
    if (entry.type === 'tcp') entry.mode = entry.mode === 'server' ? 'none' : entry.mode;
    read?.done(ERR_CONNECTION_CLOSED, new ArrayBuffer(0));
    entry.accept?.({ resultCode: ERR_FAILED });
    entry.accept = undefined;
  }

  function bytesOf(data: unknown): ArrayBuffer | undefined {
    if (isArrayBuffer(data)) return copyBytes(data);
    return undefined;
  }

  const api: ChromeSocketLegacy = {
    create(type, options, callback) {
      if (typeof options === 'function') [options, callback] = [undefined, options as never];
      if (type !== 'tcp' && type !== 'udp')
        throw invocationError('create(socket.SocketType type, optional socket.CreateOptions options, function callback)');
      const id = newEntry(type);
      answer('create', callback, undefined, { socketId: id });
    },

    destroy(socketId) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return;
      disconnect(entry);
      sockets.delete(socketId);
    },

    connect(socketId, hostname, portNumber, callback) {
      if (!isPortValid(portNumber)) return answer('connect', callback, PORT_INVALID);
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('connect', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type === 'tcp') {
        if (entry.mode === 'server' || entry.connecting) return answer('connect', callback, undefined, ERR_CONNECTION_FAILED);
        if (entry.connected) return answer('connect', callback, undefined, ERR_SOCKET_IS_CONNECTED);
        entry.mode = 'client';
        entry.connecting = true;
        entry.hostname = String(hostname);
        client.call('tcpConnect', [{ host: String(hostname), port: portNumber, pull: true }], (error, value) => {
          entry.connecting = false;
          if (error !== undefined) {
            const { code, text } = hostError(error);
            return answer('connect', callback, text, code);
          }
          if (!sockets.has(socketId)) return client.call('close', [value.socketId]);
          entry.hostId = value.socketId as number;
          entry.connected = true;
          entry.ended = false;
          entry.info = {
            localAddress: value.localAddress,
            localPort: value.localPort,
            peerAddress: value.peerAddress,
            peerPort: value.peerPort,
          };
          listen(entry);
          answer('connect', callback, undefined, OK);
        });
        return;
      }
      // UDP: a default peer (UDP_SEND_TO), reads and writes without an address.
      if (entry.hostId !== 0) disconnect(entry);
      entry.connecting = true;
      client.call('udpOpen', [{ remoteAddress: String(hostname), remotePort: portNumber, pull: true }], (error, value) => {
        entry.connecting = false;
        if (error !== undefined) {
          const { code, text } = hostError(error);
          return answer('connect', callback, text, code);
        }
        if (!sockets.has(socketId)) return client.call('close', [value.socketId]);
        Object.assign(entry, { hostId: value.socketId, mode: 'client', connected: true, ended: false });
        entry.info = {
          localAddress: value.localAddress,
          localPort: value.localPort,
          peerAddress: value.remoteAddress,
          peerPort: value.remotePort,
        };
        listen(entry);
        answer('connect', callback, undefined, OK);
      });
    },

    bind(socketId, address, portNumber, callback) {
      if (!isPortValid(portNumber)) return answer('bind', callback, PORT_INVALID);
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('bind', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type === 'tcp') return answer('bind', callback, TCP_BIND, -1);
      if (entry.hostId !== 0) return answer('bind', callback, undefined, ERR_SOCKET_IS_CONNECTED);
      const open: Record<string, unknown> = { localAddress: String(address), localPort: portNumber, pull: true };
      if (entry.ttl !== undefined) open.multicastTtl = entry.ttl;
      if (entry.loopback !== undefined) open.loopback = entry.loopback;
      client.call('udpOpen', [open], (error, value) => {
        if (error !== undefined) {
          if (error.resultCode === ACCESS_DENIED) return answer('bind', callback, PERMISSION, -1);
          return answer('bind', callback, undefined, error.resultCode === ERR_ADDRESS_INVALID ? ERR_ADDRESS_INVALID : error.resultCode);
        }
        if (!sockets.has(socketId)) return client.call('close', [value.socketId]);
        Object.assign(entry, { hostId: value.socketId, mode: 'bound', ended: false });
        entry.info = { localAddress: value.localAddress, localPort: value.localPort };
        listen(entry);
        answer('bind', callback, undefined, OK);
      });
    },

    disconnect(socketId) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('disconnect', undefined, SOCKET_NOT_FOUND);
      disconnect(entry);
    },

    read(socketId, bufferSize, callback) {
      if (typeof bufferSize === 'function') [bufferSize, callback] = [undefined, bufferSize as never];
      const size = typeof bufferSize === 'number' ? bufferSize : 4096;
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('read', callback, SOCKET_NOT_FOUND, { resultCode: -1 });
      const done = (resultCode: number, data: ArrayBuffer): void => answer('read', callback, undefined, { resultCode, data });
      if (entry.type === 'tcp' && entry.mode !== 'client') return done(ERR_FAILED, new ArrayBuffer(0));
      if (entry.hostId === 0 && entry.chunks.length === 0) return done(ERR_SOCKET_NOT_CONNECTED, new ArrayBuffer(0));
      if (entry.read !== undefined || entry.connecting) return done(ERR_IO_PENDING, new ArrayBuffer(0));
      entry.read = { size: Math.max(size, 1), udp: entry.type === 'udp', done };
      serveRead(entry);
    },

    write(socketId, data, callback) {
      const entry = sockets.get(socketId);
      const bytes = bytesOf(data);
      if (bytes === undefined) throw invocationError('write(integer socketId, binary data, function callback)');
      if (entry === undefined) return answer('write', callback, SOCKET_NOT_FOUND, { bytesWritten: -1 });
      if (entry.hostId === 0 || !entry.connected) return answer('write', callback, undefined, { bytesWritten: ERR_SOCKET_NOT_CONNECTED });
      const method = entry.type === 'tcp' ? 'tcpWrite' : 'udpSend';
      client.call(
        method,
        [entry.hostId, bytes],
        (error, written) => {
          if (error !== undefined) {
            // The write side ended: Chrome disconnects the socket.
            if (entry.type === 'tcp') disconnect(entry);
            return answer('write', callback, undefined, { bytesWritten: error.resultCode });
          }
          answer('write', callback, undefined, { bytesWritten: written as number });
        },
        [bytes],
      );
    },

    recvFrom(socketId, bufferSize, callback) {
      if (typeof bufferSize === 'function') [bufferSize, callback] = [undefined, bufferSize as never];
      const size = typeof bufferSize === 'number' ? bufferSize : 4096;
      const entry = sockets.get(socketId);
      if (entry === undefined || entry.type !== 'udp') return answer('recvFrom', callback, SOCKET_NOT_FOUND, { resultCode: -1, port: 0 });
      const done = (resultCode: number, data: ArrayBuffer, address = '', port = 0): void =>
        answer('recvFrom', callback, undefined, { resultCode, data, address, port });
      if (entry.hostId === 0) return done(ERR_SOCKET_NOT_CONNECTED, new ArrayBuffer(0));
      if (entry.read !== undefined) return done(ERR_IO_PENDING, new ArrayBuffer(0));
      entry.read = { size: Math.max(size, 1), udp: true, done };
      serveRead(entry);
    },

    sendTo(socketId, data, address, portNumber, callback) {
      const bytes = bytesOf(data);
      if (bytes === undefined)
        throw invocationError('sendTo(integer socketId, binary data, string address, integer port, function callback)');
      if (!isPortValid(portNumber)) return answer('sendTo', callback, PORT_INVALID);
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('sendTo', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'udp') return answer('sendTo', callback, undefined, { bytesWritten: ERR_FAILED });
      const send = (): void =>
        client.call(
          'udpSend',
          [entry.hostId, bytes, String(address), portNumber],
          (error, written) => {
            if (error === undefined) return answer('sendTo', callback, undefined, { bytesWritten: written as number });
            const { code, text } = hostError(error);
            answer('sendTo', callback, text, { bytesWritten: code });
          },
          [bytes],
        );
      if (entry.hostId !== 0) return send();
      // Never bound: Chrome binds an ephemeral port of the destination's family first.
      const localAddress = String(address).includes(':') ? '::' : '0.0.0.0';
      client.call('udpOpen', [{ localAddress, localPort: 0, pull: true }], (error, value) => {
        if (error !== undefined) {
          const { code, text } = hostError(error);
          return answer('sendTo', callback, text, { bytesWritten: code });
        }
        if (!sockets.has(socketId)) return client.call('close', [value.socketId]);
        Object.assign(entry, { hostId: value.socketId, mode: 'bound', ended: false });
        entry.info = { localAddress: value.localAddress, localPort: value.localPort };
        listen(entry);
        send();
      });
    },

    listen(socketId, address, portNumber, backlog, callback) {
      if (typeof backlog === 'function') [backlog, callback] = [undefined, backlog as never];
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('listen', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'tcp' || entry.mode === 'client') return answer('listen', callback, CONNECT_AND_LISTEN, ERR_NOT_IMPLEMENTED);
      if (!isPortValid(portNumber)) return answer('listen', callback, undefined, -4);
      const options: Record<string, unknown> = { host: String(address), port: portNumber, pull: true };
      options.backlog = typeof backlog === 'number' ? backlog : 5;
      entry.mode = 'server';
      client.call('listen', [options], (error, value) => {
        if (error !== undefined) {
          entry.mode = 'none';
          if (error.resultCode === ACCESS_DENIED) return answer('listen', callback, PERMISSION, -1);
          return answer('listen', callback, LISTEN_FAILED, error.resultCode);
        }
        if (!sockets.has(socketId)) return client.call('close', [value.socketId]);
        entry.hostId = value.socketId as number;
        entry.info = { localAddress: value.localAddress, localPort: value.localPort };
        // Connections wait in the host until accept() asks.
        client.call('setPaused', [entry.hostId, true]);
        listen(entry);
        answer('listen', callback, undefined, OK);
      });
    },

    accept(socketId, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('accept', callback, SOCKET_NOT_FOUND, { resultCode: ERR_FAILED });
      const done = (info: { resultCode: number; socketId?: number }): void => answer('accept', callback, undefined, info);
      // Chrome allows one blocked accept at a time.
      if (entry.mode !== 'server' || entry.hostId === 0 || entry.accept !== undefined) return done({ resultCode: ERR_FAILED });
      entry.accept = done;
      if (entry.accepted.length > 0) return serveAccept(entry);
      client.call('setPaused', [entry.hostId, false]);
    },

    setKeepAlive(socketId, enable, delay, callback) {
      if (typeof delay === 'function') [delay, callback] = [undefined, delay as never];
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('setKeepAlive', callback, SOCKET_NOT_FOUND, false);
      if (entry.type !== 'tcp' || !entry.connected) return answer('setKeepAlive', callback, undefined, false);
      const options = { keepAlive: enable === true, keepAliveDelay: typeof delay === 'number' ? delay * 1000 : 0 };
      client.call('tcpSetOptions', [entry.hostId, options], (error) => answer('setKeepAlive', callback, undefined, error === undefined));
    },

    setNoDelay(socketId, noDelay, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('setNoDelay', callback, SOCKET_NOT_FOUND, false);
      if (entry.type !== 'tcp' || !entry.connected) return answer('setNoDelay', callback, undefined, false);
      client.call('tcpSetOptions', [entry.hostId, { noDelay: noDelay === true }], (error) =>
        answer('setNoDelay', callback, undefined, error === undefined),
      );
    },

    getInfo(socketId, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('getInfo', callback, SOCKET_NOT_FOUND);
      const info: LegacySocketInfo = { socketType: entry.type, connected: entry.connected };
      if (entry.info.peerAddress !== undefined) Object.assign(info, { peerAddress: entry.info.peerAddress, peerPort: entry.info.peerPort });
      if (entry.info.localAddress !== undefined)
        Object.assign(info, { localAddress: entry.info.localAddress, localPort: entry.info.localPort });
      answer('getInfo', callback, undefined, info);
    },

    getNetworkList(callback) {
      client.call('getNetworkList', [], (error, list) => {
        if (error !== undefined) return answer('getNetworkList', callback, 'Network lookup failed or unsupported');
        answer('getNetworkList', callback, undefined, list);
      });
    },

    joinGroup(socketId, address, callback) {
      membership('joinGroup', true, socketId, address, callback);
    },

    leaveGroup(socketId, address, callback) {
      membership('leaveGroup', false, socketId, address, callback);
    },

    setMulticastTimeToLive(socketId, ttl, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('setMulticastTimeToLive', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'udp') return answer('setMulticastTimeToLive', callback, MULTICAST_TYPE, -1);
      if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255)
        return answer('setMulticastTimeToLive', callback, 'net::ERR_INVALID_ARGUMENT', -4);
      entry.ttl = ttl;
      if (entry.hostId === 0) return answer('setMulticastTimeToLive', callback, undefined, OK);
      client.call('udpSetOptions', [entry.hostId, { multicastTtl: ttl }], (error) =>
        error === undefined
          ? answer('setMulticastTimeToLive', callback, undefined, OK)
          : answer('setMulticastTimeToLive', callback, error.message, error.resultCode),
      );
    },

    setMulticastLoopbackMode(socketId, enabled, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('setMulticastLoopbackMode', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'udp') return answer('setMulticastLoopbackMode', callback, MULTICAST_TYPE, -1);
      entry.loopback = enabled === true;
      if (entry.hostId === 0) return answer('setMulticastLoopbackMode', callback, undefined, OK);
      client.call('udpSetOptions', [entry.hostId, { loopback: enabled === true }], (error) =>
        error === undefined
          ? answer('setMulticastLoopbackMode', callback, undefined, OK)
          : answer('setMulticastLoopbackMode', callback, error.message, error.resultCode),
      );
    },

    getJoinedGroups(socketId, callback) {
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('getJoinedGroups', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'udp') return answer('getJoinedGroups', callback, MULTICAST_TYPE, -1);
      answer('getJoinedGroups', callback, undefined, [...entry.groups]);
    },

    secure(socketId, options, callback) {
      if (typeof options === 'function') [options, callback] = [undefined, options as never];
      const entry = sockets.get(socketId);
      if (entry === undefined) return answer('secure', callback, SOCKET_NOT_FOUND, -1);
      if (entry.type !== 'tcp') return answer('secure', callback, SECURE_TYPE, -1);
      // Chrome refuses while a read is pending or the socket is not a connected client.
      if (!entry.connected || entry.hostId === 0 || entry.read !== undefined) return answer('secure', callback, undefined, ERR_FAILED);
      client.call('tcpStartTls', [entry.hostId], (error) => {
        if (error === undefined) return answer('secure', callback, undefined, OK);
        answer('secure', callback, undefined, error.resultCode);
      });
    },
  };

  function membership(name: string, join: boolean, socketId: number, address: string, callback: Callback | undefined): void {
    const entry = sockets.get(socketId);
    if (entry === undefined) return answer(name, callback, SOCKET_NOT_FOUND, -1);
    if (entry.type !== 'udp') return answer(name, callback, MULTICAST_TYPE, -1);
    if (entry.hostId === 0) return answer(name, callback, 'net::ERR_SOCKET_NOT_CONNECTED', ERR_SOCKET_NOT_CONNECTED);
    const group = String(address);
    client.call('udpMembership', [entry.hostId, join, group], (error) => {
      if (error !== undefined) {
        if (error.resultCode === ACCESS_DENIED) return answer(name, callback, PERMISSION, -1);
        return answer(name, callback, error.message, error.resultCode);
      }
      if (join) entry.groups.push(group);
      else entry.groups = entry.groups.filter((g) => g !== group);
      answer(name, callback, undefined, OK);
    });
  }

  return api;
}
