/**
 * One chrome.sockets.udp socket: Chrome's state machine (extensions/browser/api/socket/
 * udp_socket.cc, udp_socket_event_dispatcher.cc, services/network/udp_socket.cc) over a Node
 * dgram socket.
 */
import * as dgram from 'node:dgram';
import type * as api from '../../common/api-types';
import { NET_ERRORS } from '../../common/net-errors';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import type { IpLiteral } from '../ip-literal';
import { netErrorFrom } from '../net-error-map';

/** Chrome's read size when bufferSize is unset or ≤ 0. */
export const DEFAULT_BUFFER_SIZE = 4096;
/** The network service never reads more than this (kMaxReadSize). */
export const MAX_READ_SIZE = 64 * 1024;
/** Largest datagram send accepts (kMaxPacketSize). */
export const MAX_PACKET_SIZE = MAX_READ_SIZE - 1;
/** Sends the network service queues behind the one in progress (kMaxPendingSendRequests). */
export const MAX_PENDING_SENDS = 32;

/**
 * Datagrams held in the host while the socket does not deliver (paused by the app, by an
 * error, or by flow control). Node's dgram reads whatever arrives, so this queue plays the part
 * of the kernel receive buffer a paused Chrome socket leaves its datagrams in. Like that buffer,
 * once full it drops the newest arrivals (tail drop) and keeps the order of what it holds;
 * drops are counted in the inspector snapshot.
 */
export const MAX_QUEUED_DATAGRAMS = 4096;
/**
 * The kernel receive buffer the host asks for (Linux caps it at net.core.rmem_max). Chrome
 * keeps the OS default, but it reads on a thread of its own; the host reads on the Electron main
 * process's event loop, shared with everything else main does, so it gives the kernel room to
 * ride out a busy moment instead of dropping datagrams.
 */
export const RECEIVE_BUFFER_BYTES = 1024 * 1024;
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export type UdpState = 'idle' | 'binding' | 'bound';

interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

/** Multicast options set before bind; Chrome hands them to the network service at bind. */
interface PendingOptions {
  ttl?: number;
  loopback?: boolean;
}

/**
 * A datagram this large that owns its buffer moves to the page as it is; smaller ones are packed
 * (see packed()), since many small transferables cost more than one copy.
 */
const TRANSFER_MIN = 16 * 1024;
/** Largest buffer small datagrams are packed into for one batch. */
const ARENA_BYTES = 256 * 1024;

/** A Node Buffer whose ArrayBuffer holds exactly its bytes can be moved to the page. */
function ownsWholeBuffer(chunk: Buffer): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

export class UdpSocket implements ManagedSocket {
  readonly kind = 'udp' as const;
  persistent = false;
  name = '';
  bufferSize = 0;
  /** Chrome's paused flag, with its reason (the app, or a receive error). */
  pausedBy: 'app' | 'error' | undefined;
  state: UdpState = 'idle';
  /** Groups joined, as Chrome prints them (IPAddress::ToString), in join order. */
  readonly groups: string[] = [];
  /** Sends handed to Node whose callback has not run yet. */
  sendsInFlight = 0;
  /** Their completions, so close() can answer any Node would drop. */
  private readonly pendingSends = new Set<(error: Error | null | undefined) => void>();

  /** Undefined once a bind consumed them (even a failed one): then setting them gives -23. */
  private options: PendingOptions | undefined = {};
  private socket?: dgram.Socket;
  private family: 4 | 6 = 4;
  private localAddress?: string;
  private localPort?: number;
  private abortBind?: () => void;
  private queue: Datagram[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private draining = false;
  private drainScheduled?: NodeJS.Immediate;
  private arena?: Uint8Array;
  private arenaUsed = 0;
  private lastArg?: { remoteAddress: string; remotePort: number; socketId: number };
  private destroyed = false;
  private droppedCount = 0;
  private bytesReceived = 0;
  private bytesSent = 0;
  private messagesReceived = 0;
  private messagesSent = 0;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
  ) {}

  /**
   * Delivers what waits while nothing holds the socket (app pause, error pause, flow control),
   * on a later turn: Chrome answers setPaused(false) first and only then starts reading, and
   * apps (Chromium's own testPauseAndThenResume) depend on that order.
   */
  updateReading(): void {
    if (this.drainScheduled === undefined && this.queuedDatagrams > 0 && this.canDeliver()) {
      this.drainScheduled = setImmediate(this.drainNow);
    }
  }

  get isBound(): boolean {
    return this.state === 'bound';
  }

  get queuedDatagrams(): number {
    return this.queue.length - this.queueHead;
  }

  // ---- options set before bind ---------------------------------------------------------------

  /** 0, -23 once bound (or after any bind attempt), -4 outside 0..255 (UDPSocket::SetMulticastTimeToLive). */
  setMulticastTimeToLive(ttl: number): number {
    if (this.options === undefined) return NET_ERRORS.SOCKET_IS_CONNECTED;
    if (ttl < 0 || ttl > 255) return NET_ERRORS.INVALID_ARGUMENT;
    this.options.ttl = ttl;
    return 0;
  }

  setMulticastLoopbackMode(enabled: boolean): number {
    if (this.options === undefined) return NET_ERRORS.SOCKET_IS_CONNECTED;
    this.options.loopback = enabled;
    return 0;
  }

  // ---- bind ----------------------------------------------------------------------------------

  /**
   * Binds a udp4 or udp6 socket (by the literal's family) and applies the stored multicast
   * options. Resolves 0 or a negative net error; ERR_ABORTED when close() interrupts it.
   */
  bind(address: IpLiteral, port: number): Promise<number> {
    this.state = 'binding';
    // Chrome moves its options into the bind request whether or not the bind succeeds.
    const options = this.options ?? {};
    this.options = undefined;
    return new Promise<number>((resolve) => {
      const socket = dgram.createSocket({ type: address.family === 6 ? 'udp6' : 'udp4', reuseAddr: false });
      let settled = false;
      const finish = (code: number): void => {
        if (settled) return;
        settled = true;
        this.abortBind = undefined;
        if (code !== 0) {
          this.state = 'idle';
          socket.removeAllListeners();
          socket.on('error', () => {});
          try {
            socket.close();
          } catch {
            // Already closed by Node after the failed bind.
          }
        }
        resolve(code);
      };
      this.abortBind = () => finish(NET_ERRORS.ABORTED);
      socket.once('error', (error) => finish(netErrorFrom(error, 'bind')));
      socket.once('listening', () => {
        try {
          if (options.ttl !== undefined) socket.setMulticastTTL(options.ttl);
          if (options.loopback !== undefined) socket.setMulticastLoopback(options.loopback);
        } catch (error) {
          return finish(netErrorFrom(error, 'bind'));
        }
        try {
          socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
        } catch {
          // The OS refused the size (e.g. above its maximum); its default stays.
        }
        socket.removeAllListeners('error');
        const local = socket.address();
        this.socket = socket;
        this.family = address.family;
        this.localAddress = local.address;
        this.localPort = local.port;
        this.state = 'bound';
        socket.on('message', this.onMessage);
        socket.on('error', this.onError);
        finish(0);
      });
      try {
        socket.bind({ address: address.address, port, exclusive: true });
      } catch (error) {
        finish(netErrorFrom(error, 'bind'));
      }
    });
  }

  // ---- receive -------------------------------------------------------------------------------

  private readonly onMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    this.bytesReceived += data.byteLength;
    // Chrome prints the source without a scope id (IPEndPoint::ToStringWithoutPort).
    const percent = rinfo.address.indexOf('%');
    const datagram = { data, address: percent < 0 ? rinfo.address : rinfo.address.slice(0, percent), port: rinfo.port };
    if (this.queuedDatagrams >= MAX_QUEUED_DATAGRAMS || this.queuedBytes + data.byteLength > MAX_QUEUED_BYTES) {
      this.droppedCount++;
      if (this.droppedCount <= 10 || this.droppedCount % 1000 === 0) {
        this.env.log(
          `udp ${this.id} (app ${this.app.name}): receive queue full (${this.queuedDatagrams} datagrams); dropped datagram #${this.droppedCount}`,
        );
      }
      return;
    }
    this.queue.push(datagram);
    this.queuedBytes += data.byteLength;
    // Node reads up to 32 datagrams per poll and calls back for each; delivering them together
    // after the poll puts them in one batch to the page instead of one message (and one ack)
    // per datagram, which cost more than everything else on the way.
    if (this.drainScheduled === undefined && this.canDeliver()) this.drainScheduled = setImmediate(this.drainNow);
  };

  private readonly drainNow = (): void => {
    this.drainScheduled = undefined;
    this.drain();
  };

  /** A receive error other than close: Chrome reports it and pauses the socket. */
  private readonly onError = (error: Error): void => {
    this.pausedBy ??= 'error';
    this.env.emit(this.app, 'udp', 'onReceiveError', { resultCode: netErrorFrom(error, 'receive'), socketId: this.id });
  };

  private canDeliver(): boolean {
    return this.state === 'bound' && this.pausedBy === undefined && !this.app.flowBlocked;
  }

  private drain(): void {
    // emit() can cross the flow high-water mark, which calls back into updateReading().
    if (this.draining) return;
    this.draining = true;
    this.arena = undefined;
    this.lastArg = undefined;
    try {
      while (this.queuedDatagrams > 0 && this.canDeliver()) {
        const datagram = this.queue[this.queueHead];
        this.queue[this.queueHead++] = undefined as unknown as Datagram;
        this.queuedBytes -= datagram.data.byteLength;
        if (this.queueHead === this.queue.length) {
          this.queue = [];
          this.queueHead = 0;
        } else if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queue.length) {
          this.queue = this.queue.slice(this.queueHead);
          this.queueHead = 0;
        }
        this.deliver(datagram);
      }
    } finally {
      this.draining = false;
      // An arena is never reused by a later drain: by then the page has it, or another source
      // came between, and a batch must not list one buffer twice for transfer.
      this.arena = undefined;
      this.lastArg = undefined;
    }
  }

  /**
   * Small datagrams of one drain are copied side by side into one buffer that moves to the page
   * whole: one buffer per batch instead of one per datagram, which structured clone handles far
   * faster. A flush in the middle (the batch got large) detaches it; then a new one starts.
   */
  private packed(data: Buffer): Uint8Array {
    const size = data.byteLength;
    let arena = this.arena;
    if (arena === undefined || arena.byteLength === 0 || this.arenaUsed + size > arena.byteLength) {
      arena = this.arena = new Uint8Array(Math.max(size, Math.min(this.queuedBytes + size, ARENA_BYTES)));
      this.arenaUsed = 0;
    }
    const view = arena.subarray(this.arenaUsed, this.arenaUsed + size);
    view.set(data);
    this.arenaUsed += size;
    return view;
  }

  /**
   * One datagram, one onReceive (empty ones too). A datagram larger than the read buffer is not
   * truncated: the read fails with ERR_MSG_TOO_BIG, the datagram is gone and the socket pauses
   * (MSG_TRUNC in udp_socket_posix.cc, spec §3.6).
   */
  private deliver(datagram: Datagram): void {
    const readSize = this.bufferSize > 0 ? Math.min(this.bufferSize, MAX_READ_SIZE) : DEFAULT_BUFFER_SIZE;
    if (datagram.data.byteLength > readSize) {
      this.pausedBy ??= 'error';
      this.env.emit(this.app, 'udp', 'onReceiveError', { resultCode: NET_ERRORS.MSG_TOO_BIG, socketId: this.id });
      return;
    }
    this.messagesReceived++;
    const size = datagram.data.byteLength;
    // Consecutive datagrams from one source share their (never mutated) argument object, which
    // structured clone then writes once per batch.
    let arg = this.lastArg;
    if (arg === undefined || arg.remoteAddress !== datagram.address || arg.remotePort !== datagram.port) {
      arg = this.lastArg = { remoteAddress: datagram.address, remotePort: datagram.port, socketId: this.id };
    }
    if (size >= TRANSFER_MIN || size === 0) {
      // Another buffer now comes between: the arena must not be listed again in this batch.
      this.arena = undefined;
      this.env.emit(this.app, 'udp', 'onReceive', arg, datagram.data, { transferable: size > 0 && ownsWholeBuffer(datagram.data) });
    } else {
      this.env.emit(this.app, 'udp', 'onReceive', arg, this.packed(datagram.data), { transferable: true });
    }
  }

  // ---- send ----------------------------------------------------------------------------------

  /**
   * Sends one datagram to a resolved address; `done` gets 0 or a negative net error. The checks
   * follow the network service (UDPSocket::DoSendToOrWrite): the pending-send limit, then the
   * size limit, then the OS.
   */
  send(data: Buffer, address: string, port: number, done: (code: number) => void): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'bound') return done(NET_ERRORS.SOCKET_NOT_CONNECTED);
    // One send in progress plus MAX_PENDING_SENDS queued behind it.
    if (this.sendsInFlight > MAX_PENDING_SENDS) return done(NET_ERRORS.INSUFFICIENT_RESOURCES);
    if (data.byteLength > MAX_PACKET_SIZE) return done(NET_ERRORS.MSG_TOO_BIG);
    this.sendsInFlight++;
    let finished = false;
    const complete = (error: Error | null | undefined): void => {
      if (finished) return;
      finished = true;
      this.pendingSends.delete(complete);
      this.sendsInFlight--;
      if (error != null) return done(netErrorFrom(error, 'send'));
      this.bytesSent += data.byteLength;
      this.messagesSent++;
      done(0);
    };
    this.pendingSends.add(complete);
    try {
      socket.send(data, port, address, complete);
    } catch (error) {
      complete(error as Error);
    }
  }

  // ---- options on a bound socket -------------------------------------------------------------

  /** -15 unless bound (UDPSocket::SetBroadcast), else the OS result. */
  setBroadcast(enabled: boolean): number {
    if (this.socket === undefined || this.state !== 'bound') return NET_ERRORS.SOCKET_NOT_CONNECTED;
    try {
      this.socket.setBroadcast(enabled);
      return 0;
    } catch (error) {
      return netErrorFrom(error);
    }
  }

  /**
   * Joins `group` (already a normalised literal) on the interface the kernel picks, as Chrome
   * does (multicast_interface_ is 0). -108 for a duplicate or a group of the other family,
   * -9 when not bound (the network service's ERR_UNEXPECTED).
   */
  joinGroup(group: IpLiteral): number {
    if (this.groups.includes(group.address)) return NET_ERRORS.ADDRESS_INVALID;
    if (this.socket === undefined || this.state !== 'bound') return NET_ERRORS.UNEXPECTED;
    if (group.family !== this.family) return NET_ERRORS.ADDRESS_INVALID;
    try {
      this.socket.addMembership(group.address);
    } catch (error) {
      return netErrorFrom(error);
    }
    this.groups.push(group.address);
    return 0;
  }

  leaveGroup(group: IpLiteral): number {
    if (!this.groups.includes(group.address)) return NET_ERRORS.ADDRESS_INVALID;
    if (this.socket === undefined || this.state !== 'bound') return NET_ERRORS.UNEXPECTED;
    try {
      this.socket.dropMembership(group.address);
    } catch (error) {
      return netErrorFrom(error);
    }
    this.groups.splice(this.groups.indexOf(group.address), 1);
    return 0;
  }

  // ---- close ---------------------------------------------------------------------------------

  /** Closes the OS socket; no event (Chrome swallows the ERR_CONNECTION_CLOSED of its read). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.abortBind?.();
    const socket = this.socket;
    this.socket = undefined;
    this.state = 'idle';
    this.groups.length = 0;
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    if (this.drainScheduled !== undefined) clearImmediate(this.drainScheduled);
    this.drainScheduled = undefined;
    // Node drops the callback of a send still resolving its address when the socket closes.
    for (const complete of [...this.pendingSends]) complete(Object.assign(new Error('socket closed'), { code: 'ENOTCONN' }));
    if (socket !== undefined) {
      socket.off('message', this.onMessage);
      socket.off('error', this.onError);
      socket.on('error', () => {});
      socket.close();
    }
  }

  // ---- info ----------------------------------------------------------------------------------

  /** Chrome's SocketInfo, keys in Chrome's (sorted) order; the address only once bound. */
  info(): api.udp.SocketInfo {
    const info: Record<string, unknown> = {};
    if (this.bufferSize > 0) info.bufferSize = this.bufferSize;
    if (this.state === 'bound' && this.localAddress !== undefined) {
      info.localAddress = this.localAddress;
      info.localPort = this.localPort;
    }
    if (this.name !== '') info.name = this.name;
    info.paused = this.pausedBy !== undefined;
    info.persistent = this.persistent;
    info.socketId = this.id;
    return info as unknown as api.udp.SocketInfo;
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase(this, this.state, this.state === 'bound'),
      localAddress: this.localAddress,
      localPort: this.localPort,
      groups: [...this.groups],
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      messagesReceived: this.messagesReceived,
      messagesSent: this.messagesSent,
      queued: this.queuedDatagrams,
      dropped: this.droppedCount,
    };
  }
}
