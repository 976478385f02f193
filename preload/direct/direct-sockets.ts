/**
 * Direct Sockets (WICG, as Chrome ships it for Isolated Web Apps): TCPSocket, TCPServerSocket,
 * UDPSocket and MulticastController over the host's raw namespace (other-socket-apis.md §3).
 * Reads are pulled: a readable asks the host for at most what it can hold (its desired size,
 * or the BYOB view's length), so a reader that stops reading stops the host reading the socket.
 * A write resolves when the OS has accepted the bytes.
 */
import type { PageChannel } from '../channel';
import { copyBytes, isArrayBuffer, isIpLiteral, rawClientFor, type RawCallError } from '../raw-client';

/**
 * Bytes a TCP readable asks the host for ahead of its reader (its high-water mark). The credit
 * is topped up once half of it has arrived, so the host keeps reading while the page takes a
 * chunk and one `read` call covers several socket reads. 8 MiB, the page's flow window: the host
 * reads up to 2 MiB of a flooded socket per wake-up (32 reads), and bytes it has read count as
 * owed until the page has them, so with a 1 MiB window the host ran dry on every wake-up, paused
 * the Node socket, and the page sent a `read` and got a batch twice as often (bench
 * direct_recv_ratio: 0.36 → 0.57 on the same loaded machine); at 4 MiB it still ran dry at 161–325
 * of its about 500 top-ups per GiB (8 MiB: 38–105 of 250), and direct_recv_ratio went from 0.269
 * and 0.283 to 0.360 and 0.328 at 8 MiB (two runs of each, alternating).
 */
export const DIRECT_READ_HIGH_WATER_MARK = 8 * 1024 * 1024;
/** Datagrams a UDP readable holds ahead of its reader. */
export const DIRECT_UDP_HIGH_WATER_MARK = 16;

/** WebIDL BufferSource (declared here: the Node build has no DOM lib). */
export type DirectBufferSource = ArrayBuffer | ArrayBufferView;

function networkError(error?: RawCallError | string): DOMException {
  const message = typeof error === 'string' ? error : error === undefined ? 'Network error.' : error.message;
  return new DOMException(message, 'NetworkError');
}

function invalidState(message: string): DOMException {
  return new DOMException(message, 'InvalidStateError');
}

/** WebIDL `unsigned short` without [EnforceRange]: ToNumber, truncate, modulo 2^16. */
function toUnsignedShort(value: unknown): number {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) return 0;
  return ((n % 65536) + 65536) % 65536;
}

function toUnsignedLong(value: unknown): number {
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n)) return 0;
  return ((n % 2 ** 32) + 2 ** 32) % 2 ** 32;
}

function checkDnsQueryType(value: unknown): 'ipv4' | 'ipv6' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'ipv4' && value !== 'ipv6') {
    throw new TypeError(`Failed to read the 'dnsQueryType' property: The provided value '${String(value)}' is not a valid enum value.`);
  }
  return value;
}

function bufferSource(chunk: unknown): ArrayBuffer {
  if (isArrayBuffer(chunk) || ArrayBuffer.isView(chunk)) return copyBytes(chunk as ArrayBuffer | ArrayBufferView);
  throw new TypeError("The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.");
}

function isMulticast(address: string): boolean {
  if (address.includes(':')) return /^ff/i.test(address);
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** Promises the app may never look at must not become unhandled-rejection noise. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  const d = { settled: false } as Deferred<T>;
  d.promise = new Promise<T>((resolve, reject) => {
    d.resolve = (v) => {
      if (d.settled) return;
      d.settled = true;
      resolve(v);
    };
    d.reject = (e) => {
      if (d.settled) return;
      d.settled = true;
      reject(e);
    };
  });
  return d;
}

export interface TCPSocketOptions {
  sendBufferSize?: number;
  receiveBufferSize?: number;
  noDelay?: boolean;
  keepAliveDelay?: number;
  dnsQueryType?: 'ipv4' | 'ipv6';
}

export interface TCPSocketOpenInfo {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<DirectBufferSource>;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export interface TCPServerSocketOptions {
  localPort?: number;
  backlog?: number;
  ipv6Only?: boolean;
}

export interface UDPSocketOptions {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  sendBufferSize?: number;
  receiveBufferSize?: number;
  dnsQueryType?: 'ipv4' | 'ipv6';
  ipv6Only?: boolean;
  multicastTimeToLive?: number;
  multicastLoopback?: boolean;
  multicastAllowAddressSharing?: boolean;
}

export interface UDPMessage {
  data: DirectBufferSource;
  remoteAddress?: string;
  remotePort?: number;
  dnsQueryType?: 'ipv4' | 'ipv6';
}

export interface DirectSockets {
  TCPSocket: new (remoteAddress: string, remotePort: number, options?: TCPSocketOptions) => DirectTCPSocket;
  TCPServerSocket: new (localAddress: string, options?: TCPServerSocketOptions) => DirectTCPServerSocket;
  UDPSocket: new (options: UDPSocketOptions) => DirectUDPSocket;
  MulticastController: abstract new () => DirectMulticastController;
}

export interface DirectTCPSocket {
  readonly opened: Promise<TCPSocketOpenInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface DirectTCPServerSocket {
  readonly opened: Promise<{ readable: ReadableStream<DirectTCPSocket>; localAddress: string; localPort: number }>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface DirectUDPSocket {
  readonly opened: Promise<{
    readable: ReadableStream<UDPMessage>;
    writable: WritableStream<UDPMessage>;
    remoteAddress?: string;
    remotePort?: number;
    localAddress: string;
    localPort: number;
    multicastController?: DirectMulticastController;
  }>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface DirectMulticastController {
  readonly joinedGroups: ReadonlyArray<string | { groupAddress: string; sourceAddress: string }>;
  joinGroup(groupAddress: string, options?: { sourceAddress?: string }): Promise<void>;
  leaveGroup(groupAddress: string, options?: { sourceAddress?: string }): Promise<void>;
}

/**
 * The streams, close rules and `closed` promise one socket shares (spec §3.2 "closing rules"):
 * the OS socket is released once both streams are done; `closed` rejects with the stored error
 * of a stream that errored, and resolves otherwise.
 */
class StreamPair {
  readableDone = false;
  writableDone = false;
  error?: unknown;
  released = false;
  constructor(
    private readonly release: (graceful: boolean) => void,
    private readonly closed: Deferred<void>,
    /** UDP has one stream pair but no half-close: either side done closes both. */
    hasWritable = true,
  ) {
    if (!hasWritable) this.writableDone = true;
  }

  done(side: 'readable' | 'writable', error?: unknown, graceful = true): void {
    if (side === 'readable') this.readableDone = true;
    else this.writableDone = true;
    if (error !== undefined) this.error = error;
    if (this.readableDone && this.writableDone) this.finish(graceful);
  }

  finish(graceful: boolean): void {
    if (this.released) return;
    this.released = true;
    this.release(graceful && this.error === undefined);
    if (this.error !== undefined) this.closed.reject(this.error);
    else this.closed.resolve();
  }
}

/** Installs the four Direct Sockets classes over one page channel. */
export function createDirectSockets(channel: PageChannel): DirectSockets {
  const client = rawClientFor(channel);

  class MulticastController implements DirectMulticastController {
    #groups: Array<{ group: string; source?: string }> = [];
    #pending = new Set<string>();
    #socket: { id: number; isClosed(): boolean } | undefined;

    constructor(token?: unknown, socket?: { id: number; isClosed(): boolean }) {
      if (token !== CONTROLLER_TOKEN) throw new TypeError('Illegal constructor');
      this.#socket = socket;
    }

    get joinedGroups(): ReadonlyArray<string | { groupAddress: string; sourceAddress: string }> {
      return Object.freeze(
        this.#groups.map((g) => (g.source === undefined ? g.group : Object.freeze({ groupAddress: g.group, sourceAddress: g.source }))),
      );
    }

    joinGroup(groupAddress: string, options: { sourceAddress?: string } = {}): Promise<void> {
      return this.#change(true, groupAddress, options);
    }

    leaveGroup(groupAddress: string, options: { sourceAddress?: string } = {}): Promise<void> {
      return this.#change(false, groupAddress, options);
    }

    #change(join: boolean, groupAddress: string, options: { sourceAddress?: string }): Promise<void> {
      const group = String(groupAddress);
      const source = options?.sourceAddress === undefined ? undefined : String(options.sourceAddress);
      if (!isIpLiteral(group) || !isMulticast(group)) return Promise.reject(new TypeError(`'${group}' is not a multicast IP address.`));
      if (source !== undefined) {
        const v6 = group.includes(':');
        if (!isIpLiteral(source) || isMulticast(source) || source.includes(':') !== v6 || /^(127\.|0\.0\.0\.0$|::1?$)/.test(source)) {
          return Promise.reject(new TypeError(`'${source}' is not a valid source address for '${group}'.`));
        }
      }
      const socket = this.#socket!;
      if (socket.isClosed()) return Promise.reject(invalidState('The socket is closed.'));
      const key = `${group}/${source ?? ''}`;
      const index = this.#groups.findIndex((g) => g.group === group && g.source === source);
      if (this.#pending.has(key)) return Promise.reject(invalidState('A membership change for this group is in progress.'));
      if (join && index >= 0) return Promise.reject(invalidState('Already joined this group.'));
      if (!join && index < 0) return Promise.reject(invalidState('Not a member of this group.'));
      this.#pending.add(key);
      return client.request('udpMembership', [socket.id, join, group, source]).then(
        () => {
          this.#pending.delete(key);
          if (join) this.#groups.push({ group, source });
          else
            this.#groups.splice(
              this.#groups.findIndex((g) => g.group === group && g.source === source),
              1,
            );
        },
        (error: RawCallError) => {
          this.#pending.delete(key);
          throw networkError(error);
        },
      );
    }
  }

  class TCPSocket implements DirectTCPSocket {
    readonly opened: Promise<TCPSocketOpenInfo>;
    readonly closed: Promise<void>;
    #opened = deferred<TCPSocketOpenInfo>();
    #closed = deferred<void>();
    #id = 0;
    #info?: TCPSocketOpenInfo;
    #pair?: StreamPair;

    constructor(remoteAddress: string, remotePort: number, options: TCPSocketOptions = {}, ...rest: unknown[]) {
      if (arguments.length < 2)
        throw new TypeError(`Failed to construct 'TCPSocket': 2 arguments required, but only ${arguments.length} present.`);
      this.opened = this.#opened.promise;
      this.closed = handled(this.#closed.promise);
      if (rest[0] === ACCEPTED_TOKEN) {
        this.#adopt(rest[1] as AcceptedInfo);
        return;
      }
      const o = options ?? {};
      if (o.keepAliveDelay !== undefined && toUnsignedLong(o.keepAliveDelay) < 1000) {
        throw new TypeError("Failed to construct 'TCPSocket': keepAliveDelay must be no less than 1,000 milliseconds.");
      }
      if (o.sendBufferSize !== undefined && toUnsignedLong(o.sendBufferSize) === 0) {
        throw new TypeError("Failed to construct 'TCPSocket': sendBufferSize must be greater than zero.");
      }
      if (o.receiveBufferSize !== undefined && toUnsignedLong(o.receiveBufferSize) === 0) {
        throw new TypeError("Failed to construct 'TCPSocket': receiveBufferSize must be greater than zero.");
      }
      const dnsQueryType = checkDnsQueryType(o.dnsQueryType);
      const options2: Record<string, unknown> = {
        host: String(remoteAddress),
        port: toUnsignedShort(remotePort),
        pull: true,
        noDelay: o.noDelay === true,
      };
      if (o.keepAliveDelay !== undefined) options2.keepAliveDelay = toUnsignedLong(o.keepAliveDelay);
      if (dnsQueryType !== undefined) options2.dnsQueryType = dnsQueryType;
      client.call('tcpConnect', [options2], (error, value) => {
        if (error !== undefined) {
          const e = networkError(error);
          this.#opened.reject(e);
          this.#closed.reject(e);
          return;
        }
        this.#adopt(value as AcceptedInfo);
      });
    }

    /** Builds the streams for a connection the host holds (connected, or accepted). */
    #adopt(info: AcceptedInfo): void {
      const id = info.socketId;
      this.#id = id;
      let controller!: ReadableByteStreamController;
      let asked = 0;
      /** What the last pull found the readable could take; the pull waits until half of `asked` came. */
      let lastWant = 0;
      let pullDone: (() => void) | undefined;
      let readableOpen = true;
      const wake = (): void => {
        const resolve = pullDone;
        pullDone = undefined;
        resolve?.();
      };
      const pair = new StreamPair((graceful) => client.call('close', [id, graceful]), this.#closed);
      this.#pair = pair;
      const endReadable = (error?: unknown): void => {
        if (!readableOpen) return;
        readableOpen = false;
        try {
          if (error === undefined) {
            controller.close();
            controller.byobRequest?.respond(0);
          } else controller.error(error);
        } catch {
          // Already closed by the reader.
        }
        wake();
        pair.done('readable', error);
      };
      let writableController: WritableStreamDefaultController | undefined;
      let writableOpen = true;
      const endWritable = (error?: unknown): void => {
        if (!writableOpen) return;
        writableOpen = false;
        if (error !== undefined) writableController?.error(error);
        pair.done('writable', error);
      };
      client.listen(id, {
        onData(data) {
          asked -= data.byteLength;
          // The stream fills a waiting BYOB read's view from what is enqueued (one copy) and keeps
          // only what does not fit; a default reader gets the chunk itself.
          if (readableOpen) controller.enqueue(new Uint8Array(data));
          // The pull runs again (to top the credit up) only once half of what it asked has come,
          // not on every chunk.
          if (asked * 2 <= lastWant) wake();
        },
        onEnd() {
          endReadable();
        },
        onError(error) {
          const e = networkError(error);
          endReadable(e);
          endWritable(e);
        },
        onClose() {
          endReadable();
          endWritable();
          pair.finish(true);
        },
      });
      const readable = new ReadableStream(
        {
          type: 'bytes',
          start(c) {
            controller = c;
          },
          pull(c) {
            // Credit for what the readable can hold (or a larger BYOB view), asked for again only
            // once half of it arrived: bytes already granted are on their way and wake this pull.
            // It waits only while bytes are owed (asked > 0), so a later chunk always wakes it.
            const view = c.byobRequest?.view;
            const want = Math.max(c.desiredSize ?? 0, view?.byteLength ?? 0, 1);
            lastWant = want;
            if (asked * 2 <= want) {
              client.call('read', [id, want - asked]);
              asked = want;
            }
            return new Promise<void>((resolve) => (pullDone = resolve));
          },
          cancel() {
            readableOpen = false;
            wake();
            pair.done('readable');
          },
        },
        { highWaterMark: DIRECT_READ_HIGH_WATER_MARK },
      );
      const writable = new WritableStream<DirectBufferSource>(
        {
          start(c) {
            writableController = c;
          },
          write(chunk) {
            const bytes = bufferSource(chunk);
            return client.request('tcpWrite', [id, bytes], [bytes]).then(
              () => undefined,
              (error: RawCallError) => {
                const e = networkError(error);
                endWritable(e);
                throw e;
              },
            );
          },
          close() {
            // writer.close(): a FIN once every write is out; the readable goes on.
            client.call('tcpShutdown', [id]);
            endWritable();
          },
          abort() {
            client.call('tcpShutdown', [id]);
            endWritable();
          },
        },
        { highWaterMark: 1 },
      );
      this.#info = {
        readable: readable as ReadableStream<Uint8Array>,
        writable,
        remoteAddress: info.peerAddress ?? '',
        remotePort: info.peerPort ?? 0,
        localAddress: info.localAddress ?? '',
        localPort: info.localPort ?? 0,
      };
      this.#opened.resolve(this.#info);
    }

    close(): Promise<void> {
      const info = this.#info;
      if (this.#closed.settled) return this.closed;
      if (info === undefined) return Promise.reject(invalidState('Socket is not open.'));
      if (info.readable.locked || info.writable.locked) return Promise.reject(invalidState('Close called on locked streams.'));
      // Discards unsent data: a graceful close is writer.close() first (spec §3.2).
      info.readable.cancel().catch(() => {});
      info.writable.abort().catch(() => {});
      this.#pair?.finish(false);
      return this.closed;
    }
  }

  class TCPServerSocket implements DirectTCPServerSocket {
    readonly opened: DirectTCPServerSocket['opened'];
    readonly closed: Promise<void>;
    #opened = deferred<{ readable: ReadableStream<DirectTCPSocket>; localAddress: string; localPort: number }>();
    #closed = deferred<void>();
    #readable?: ReadableStream<DirectTCPSocket>;
    #id = 0;

    constructor(localAddress: string, options: TCPServerSocketOptions = {}) {
      if (arguments.length < 1) throw new TypeError("Failed to construct 'TCPServerSocket': 1 argument required, but only 0 present.");
      const address = String(localAddress);
      const o = options ?? {};
      if (!isIpLiteral(address)) throw new TypeError("Failed to construct 'TCPServerSocket': localAddress must be a valid IP address.");
      if (o.localPort !== undefined && toUnsignedShort(o.localPort) === 0) {
        throw new TypeError(
          "Failed to construct 'TCPServerSocket': localPort must be greater than zero. Leave this field unassigned to allow the OS to pick a port on its own.",
        );
      }
      if (o.backlog !== undefined && toUnsignedLong(o.backlog) === 0)
        throw new TypeError("Failed to construct 'TCPServerSocket': backlog must be greater than zero.");
      if (o.ipv6Only === true && address !== '::')
        throw new TypeError(
          "Failed to construct 'TCPServerSocket': ipv6Only can only be specified when localAddress is [::] or equivalent.",
        );
      this.opened = this.#opened.promise;
      this.closed = handled(this.#closed.promise);
      const listenOptions: Record<string, unknown> = {
        host: address,
        port: o.localPort === undefined ? 0 : toUnsignedShort(o.localPort),
        pull: true,
      };
      if (o.backlog !== undefined) listenOptions.backlog = Math.min(toUnsignedLong(o.backlog), 65535);
      if (o.ipv6Only !== undefined) listenOptions.ipv6Only = o.ipv6Only === true;
      client.call('listen', [listenOptions], (error, value) => {
        if (error !== undefined) {
          const e = networkError(error);
          this.#opened.reject(e);
          this.#closed.reject(e);
          return;
        }
        this.#start(value as { socketId: number; localAddress: string; localPort: number });
      });
    }

    #start(info: { socketId: number; localAddress: string; localPort: number }): void {
      const id = info.socketId;
      this.#id = id;
      let controller!: ReadableStreamDefaultController<DirectTCPSocket>;
      let paused = false;
      let open = true;
      const setPaused = (p: boolean): void => {
        if (paused === p || !open) return;
        paused = p;
        client.call('setPaused', [id, p]);
      };
      client.listen(id, {
        onAccept: (accepted) => {
          if (!open) return;
          const info2: AcceptedInfo = { ...accepted, socketId: accepted.clientId };
          controller.enqueue(new TCPSocket('', 0, {}, ACCEPTED_TOKEN, info2));
          // Accepting is pulled: past the readable's high-water mark the host holds connections.
          if ((controller.desiredSize ?? 0) <= 0) setPaused(true);
        },
        onError: (error) => {
          if (!open) return;
          open = false;
          const e = networkError(error);
          controller.error(e);
          this.#closed.reject(e);
          client.call('close', [id]);
        },
      });
      this.#readable = new ReadableStream<DirectTCPSocket>(
        {
          start(c) {
            controller = c;
          },
          pull() {
            setPaused(false);
          },
          cancel: () => {
            open = false;
            client.forget(id);
            client.call('close', [id]);
            this.#closed.resolve();
          },
        },
        { highWaterMark: 4 },
      );
      this.#opened.resolve({ readable: this.#readable, localAddress: info.localAddress, localPort: info.localPort });
    }

    close(): Promise<void> {
      if (this.#closed.settled) return this.closed;
      if (this.#readable === undefined) return Promise.reject(invalidState('Socket is not open.'));
      if (this.#readable.locked) return Promise.reject(invalidState('Close called on a locked stream.'));
      this.#readable.cancel().catch(() => {});
      return this.closed;
    }
  }

  class UDPSocket implements DirectUDPSocket {
    readonly opened: DirectUDPSocket['opened'];
    readonly closed: Promise<void>;
    #opened = deferred<Awaited<DirectUDPSocket['opened']>>();
    #closed = deferred<void>();
    #info?: Awaited<DirectUDPSocket['opened']>;
    #pair?: StreamPair;

    constructor(options: UDPSocketOptions) {
      if (arguments.length < 1) throw new TypeError("Failed to construct 'UDPSocket': 1 argument required, but only 0 present.");
      const o = options ?? {};
      const fail = (message: string): never => {
        throw new TypeError(`Failed to construct 'UDPSocket': ${message}`);
      };
      const hasRemote = o.remoteAddress !== undefined || o.remotePort !== undefined;
      const hasLocal = o.localAddress !== undefined || o.localPort !== undefined;
      if (hasRemote && hasLocal) fail('remoteAddress/remotePort and localAddress/localPort cannot be specified together.');
      if (!hasRemote && !hasLocal) fail('One of remoteAddress/remotePort or localAddress must be specified.');
      if (hasRemote && (o.remoteAddress === undefined || o.remotePort === undefined))
        fail('remoteAddress and remotePort should be specified together.');
      if (hasLocal && o.localAddress === undefined) fail('localPort cannot be specified without localAddress.');
      if (o.localPort !== undefined && toUnsignedShort(o.localPort) === 0)
        fail('localPort must be greater than zero. Leave this field unassigned to allow the OS to pick a port on its own.');
      if (o.dnsQueryType !== undefined && !hasRemote) fail('dnsQueryType is only relevant when remoteAddress is specified.');
      checkDnsQueryType(o.dnsQueryType);
      if (o.ipv6Only !== undefined && (!hasLocal || o.localAddress !== '::'))
        fail('ipv6Only can only be specified when localAddress is [::] or equivalent.');
      if (o.sendBufferSize !== undefined && toUnsignedLong(o.sendBufferSize) === 0) fail('sendBufferSize must be greater than zero.');
      if (o.receiveBufferSize !== undefined && toUnsignedLong(o.receiveBufferSize) === 0)
        fail('receiveBufferSize must be greater than zero.');
      if (o.multicastTimeToLive !== undefined) {
        const ttl = Number(o.multicastTimeToLive);
        if (!Number.isInteger(ttl) || ttl < 0 || ttl > 255)
          fail(`Value ${String(o.multicastTimeToLive)} is outside the 'octet' value range.`);
      }
      if (hasLocal && !isIpLiteral(String(o.localAddress))) fail('localAddress must be a valid IP address.');
      this.opened = this.#opened.promise;
      this.closed = handled(this.#closed.promise);
      const bound = hasLocal;
      if (bound && o.localPort !== undefined && toUnsignedShort(o.localPort) < 1024) {
        const e = new DOMException('Binding to ports below 1024 is not allowed.', 'NotAllowedError');
        this.#opened.reject(e);
        this.#closed.reject(e);
        return;
      }
      const open: Record<string, unknown> = { pull: true };
      if (bound) {
        open.localAddress = String(o.localAddress);
        if (o.localPort !== undefined) open.localPort = toUnsignedShort(o.localPort);
        if (o.ipv6Only !== undefined) open.ipv6Only = o.ipv6Only === true;
        if (o.multicastAllowAddressSharing === true) open.reuseAddr = true;
      } else {
        open.remoteAddress = String(o.remoteAddress);
        open.remotePort = toUnsignedShort(o.remotePort);
        if (o.dnsQueryType !== undefined) open.dnsQueryType = o.dnsQueryType;
      }
      if (o.multicastTimeToLive !== undefined) open.multicastTtl = Number(o.multicastTimeToLive);
      open.loopback = o.multicastLoopback !== false;
      if (o.sendBufferSize !== undefined) open.sendBufferSize = toUnsignedLong(o.sendBufferSize);
      if (o.receiveBufferSize !== undefined) open.recvBufferSize = toUnsignedLong(o.receiveBufferSize);
      client.call('udpOpen', [open], (error, value) => {
        if (error !== undefined) {
          const e = networkError(error);
          this.#opened.reject(e);
          this.#closed.reject(e);
          return;
        }
        this.#start(value as Record<string, any>, bound);
      });
    }

    #start(info: Record<string, any>, bound: boolean): void {
      const id = info.socketId as number;
      let controller!: ReadableStreamDefaultController<UDPMessage>;
      let asked = 0;
      let readableOpen = true;
      let writableOpen = true;
      let writableController: WritableStreamDefaultController | undefined;
      const pair = new StreamPair(() => client.call('close', [id]), this.#closed);
      this.#pair = pair;
      // UDP has no half-close: closing either stream ends the socket.
      const endAll = (error?: unknown): void => {
        if (readableOpen) {
          readableOpen = false;
          try {
            if (error === undefined) controller.close();
            else controller.error(error);
          } catch {
            // Cancelled already.
          }
        }
        if (writableOpen) {
          writableOpen = false;
          if (error !== undefined) writableController?.error(error);
        }
        pair.done('readable', error);
        pair.done('writable', error);
      };
      client.listen(id, {
        onMessage(data, remoteAddress, remotePort) {
          asked--;
          if (!readableOpen) return;
          const message: UDPMessage = { data: new Uint8Array(data) };
          if (bound) Object.assign(message, { remoteAddress, remotePort });
          controller.enqueue(message);
        },
        onError(error) {
          endAll(networkError(error));
        },
        onClose() {
          endAll();
        },
      });
      const readable = new ReadableStream<UDPMessage>(
        {
          start(c) {
            controller = c;
          },
          pull(c) {
            const want = Math.max(c.desiredSize ?? 0, 1);
            if (want > asked) {
              client.call('read', [id, want - asked]);
              asked = want;
            }
          },
          cancel() {
            readableOpen = false;
            endAll();
          },
        },
        { highWaterMark: DIRECT_UDP_HIGH_WATER_MARK },
      );
      const writable = new WritableStream<UDPMessage>(
        {
          start(c) {
            writableController = c;
          },
          write(message) {
            if (typeof message !== 'object' || message === null || !('data' in message)) {
              throw new TypeError("Failed to execute 'write': UDPMessage: required member data is undefined.");
            }
            const bytes = bufferSource(message.data);
            const args: unknown[] = [id, bytes];
            if (bound) {
              if (message.remoteAddress === undefined || message.remotePort === undefined) {
                throw new TypeError('UDPMessage: remoteAddress and remotePort must be specified in bound mode.');
              }
              args.push(String(message.remoteAddress), toUnsignedShort(message.remotePort));
            } else if (message.remoteAddress !== undefined || message.remotePort !== undefined || message.dnsQueryType !== undefined) {
              throw new TypeError('UDPMessage: remoteAddress, remotePort and dnsQueryType must not be specified in connected mode.');
            }
            return client.request('udpSend', args, [bytes]).then(
              () => undefined,
              (error: RawCallError) => {
                throw networkError(error);
              },
            );
          },
          close() {
            endAll();
          },
          abort() {
            endAll();
          },
        },
        { highWaterMark: 1 },
      );
      const result: Awaited<DirectUDPSocket['opened']> = {
        readable,
        writable,
        localAddress: info.localAddress,
        localPort: info.localPort,
      };
      if (!bound) Object.assign(result, { remoteAddress: info.remoteAddress, remotePort: info.remotePort });
      else result.multicastController = new MulticastController(CONTROLLER_TOKEN, { id, isClosed: () => pair.released });
      this.#info = result;
      this.#opened.resolve(result);
    }

    close(): Promise<void> {
      const info = this.#info;
      if (this.#closed.settled) return this.closed;
      if (info === undefined) return Promise.reject(invalidState('Socket is not open.'));
      if (info.readable.locked || info.writable.locked) return Promise.reject(invalidState('Close called on locked streams.'));
      info.readable.cancel().catch(() => {});
      this.#pair?.finish(true);
      return this.closed;
    }
  }

  return {
    TCPSocket: TCPSocket as unknown as DirectSockets['TCPSocket'],
    TCPServerSocket: TCPServerSocket as unknown as DirectSockets['TCPServerSocket'],
    UDPSocket: UDPSocket as unknown as DirectSockets['UDPSocket'],
    MulticastController: MulticastController as unknown as DirectSockets['MulticastController'],
  };
}

interface AcceptedInfo {
  socketId: number;
  localAddress?: string;
  localPort?: number;
  peerAddress?: string;
  peerPort?: number;
}

const ACCEPTED_TOKEN = Symbol('accepted');
const CONTROLLER_TOKEN = Symbol('controller');
