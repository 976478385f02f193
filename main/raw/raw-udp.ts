/**
 * A UDP socket for the other socket APIs: bound, or connected to a default peer (Direct
 * Sockets' connected mode). Node's dgram cannot stop reading, so datagrams that arrive while the
 * page may not take them (pull credit spent, suspend, flow control) wait in a bounded queue and
 * the oldest are dropped past it: UDP may lose datagrams, the host may not grow.
 */
import * as dgram from 'node:dgram';
import { NET_ERRORS } from '../../common/net-errors';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import { netErrorFrom } from '../net-error-map';
import type { PageContext } from '../page-context';
import { RawOwner } from './raw-owner';
import type { RawError } from './raw-tcp';

/** Datagrams held per socket while the page may not take them (README: bounds). */
export const MAX_QUEUED_DATAGRAMS = 1024;

interface Datagram {
  data: Buffer;
  address: string;
  port: number;
}

export interface UdpOpenOptions {
  localAddress: string;
  localPort: number;
  remote?: { address: string; port: number };
  reuseAddr: boolean;
  ipv6Only: boolean;
  loopback?: boolean;
  multicastTtl?: number;
  broadcast?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

function rawError(error: unknown, op: 'bind' | 'send' | 'general'): RawError {
  const code = (error as { code?: unknown })?.code;
  return { resultCode: netErrorFrom(error, op), code: typeof code === 'string' ? code : undefined };
}

export class RawUdp extends RawOwner implements ManagedSocket {
  readonly kind = 'raw' as const;
  readonly persistent = false;
  readonly name = '';
  /** Pull mode: datagrams the reader asked for. */
  credit = 0;
  paused = false;
  dropped = 0;
  private socket?: dgram.Socket;
  private queue: Datagram[] = [];
  private connected = false;
  private destroyed = false;
  private localAddress?: string;
  private localPort?: number;
  private remoteAddress?: string;
  private remotePort?: number;
  private received = 0;
  private sent = 0;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
    ctx: PageContext,
    readonly pull: boolean,
  ) {
    super(ctx);
  }

  open(options: UdpOpenOptions): Promise<Record<string, unknown>> {
    const family = options.localAddress.includes(':') ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({
      type: family,
      reuseAddr: options.reuseAddr,
      ipv6Only: options.ipv6Only,
      recvBufferSize: options.recvBufferSize,
      sendBufferSize: options.sendBufferSize,
    });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const fail = (error: unknown): void => {
        socket.removeAllListeners();
        socket.on('error', () => {});
        try {
          socket.close();
        } catch {
          // Already closed by Node after a failed bind.
        }
        this.socket = undefined;
        reject(rawError(error, 'bind'));
      };
      socket.once('error', fail);
      socket.once('listening', () => {
        try {
          if (options.loopback !== undefined) socket.setMulticastLoopback(options.loopback);
          if (options.multicastTtl !== undefined) socket.setMulticastTTL(options.multicastTtl);
          if (options.broadcast !== undefined) socket.setBroadcast(options.broadcast);
        } catch (error) {
          return fail(error);
        }
        const address = socket.address();
        this.localAddress = address.address;
        this.localPort = address.port;
        if (options.remote === undefined) return this.ready(resolve);
        socket.connect(options.remote.port, options.remote.address, () => {
          const peer = socket.remoteAddress();
          this.connected = true;
          this.remoteAddress = peer.address;
          this.remotePort = peer.port;
          this.ready(resolve);
        });
      });
      socket.bind({ address: options.localAddress, port: options.localPort, exclusive: !options.reuseAddr });
    });
  }

  private ready(resolve: (info: Record<string, unknown>) => void): void {
    const socket = this.socket!;
    socket.removeAllListeners('error');
    socket.on('error', this.onError);
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    resolve(this.info());
  }

  private readonly onMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    this.received++;
    if (this.queue.length >= MAX_QUEUED_DATAGRAMS) {
      this.queue.shift();
      this.dropped++;
      if (this.dropped <= 10 || this.dropped % 1000 === 0) {
        this.env.log(
          `raw udp ${this.id} (app ${this.app.name}): ${MAX_QUEUED_DATAGRAMS} datagrams wait for the page; dropped the oldest (#${this.dropped})`,
        );
      }
    }
    this.queue.push({ data, address: rinfo.address, port: rinfo.port });
    this.updateReading();
  };

  private readonly onError = (error: Error): void => {
    this.ctx.enqueueEvent('raw', 'onError', { socketId: this.id, ...rawError(error, 'general') });
  };

  private readonly onClose = (): void => {
    if (this.destroyed) return;
    this.ctx.enqueueEvent('raw', 'onClose', { socketId: this.id, hadError: false });
    this.env.removeSocket(this);
  };

  /** Delivers queued datagrams while the page may take them. */
  updateReading(): void {
    while (this.queue.length > 0 && !this.destroyed && !this.paused && !this.app.flowBlocked && (!this.pull || this.credit > 0)) {
      const d = this.queue.shift()!;
      if (this.pull) this.credit--;
      const arg = this.connected ? { socketId: this.id } : { socketId: this.id, remoteAddress: d.address, remotePort: d.port };
      this.ctx.enqueueEvent('raw', 'onMessage', arg, d.data, false);
      this.ctx.flushIfFull();
    }
  }

  grant(datagrams: number): void {
    this.credit += datagrams;
    this.updateReading();
  }

  send(data: Buffer, address: string | undefined, port: number | undefined): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return Promise.reject({ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED } satisfies RawError);
    return new Promise((resolve, reject) => {
      const done = (error: Error | null): void => {
        if (error) return reject(rawError(error, 'send'));
        this.sent++;
        resolve();
      };
      try {
        if (address === undefined || port === undefined) socket.send(data, done);
        else socket.send(data, port, address, done);
      } catch (error) {
        reject(rawError(error, 'send'));
      }
    });
  }

  membership(join: boolean, group: string, source: string | undefined): void {
    const socket = this.socket;
    if (socket === undefined) throw { resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED } satisfies RawError;
    try {
      if (source !== undefined) {
        if (join) socket.addSourceSpecificMembership(source, group);
        else socket.dropSourceSpecificMembership(source, group);
      } else if (join) socket.addMembership(group);
      else socket.dropMembership(group);
    } catch (error) {
      throw rawError(error, 'general');
    }
  }

  setOptions(options: { loopback?: boolean; multicastTtl?: number; broadcast?: boolean }): void {
    const socket = this.socket;
    if (socket === undefined) throw { resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED } satisfies RawError;
    try {
      if (options.loopback !== undefined) socket.setMulticastLoopback(options.loopback);
      if (options.multicastTtl !== undefined) socket.setMulticastTTL(options.multicastTtl);
      if (options.broadcast !== undefined) socket.setBroadcast(options.broadcast);
    } catch (error) {
      throw rawError(error, 'general');
    }
  }

  info(): Record<string, unknown> {
    const info: Record<string, unknown> = {
      socketId: this.id,
      socketType: 'udp',
      localAddress: this.localAddress,
      localPort: this.localPort,
    };
    if (this.connected) Object.assign(info, { connected: true, remoteAddress: this.remoteAddress, remotePort: this.remotePort });
    else info.connected = false;
    return info;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue = [];
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners();
      socket.on('error', () => {});
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase({ ...this, pausedBy: this.paused ? 'app' : undefined }, this.destroyed ? 'closed' : 'bound', true),
      localAddress: this.localAddress,
      localPort: this.localPort,
      peerAddress: this.remoteAddress,
      peerPort: this.remotePort,
      bytesReceived: 0,
      bytesSent: 0,
      messagesReceived: this.received,
      messagesSent: this.sent,
      queued: this.queue.length,
      dropped: this.dropped,
    };
  }
}
