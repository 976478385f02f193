/**
 * A listening socket for the other socket APIs. Accepted connections become raw TCP sockets of
 * the same context: pushed ones read at once (mozTCPSocket, W3C 2013: the page attaches its
 * handlers while it handles the accept event, which precedes their data on the one port),
 * pulled ones only once their reader asks (Direct Sockets, chrome.socket).
 */
import * as net from 'node:net';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import { netErrorFrom } from '../net-error-map';
import type { Registry } from '../registry';
import type { PageContext } from '../page-context';
import { MAX_QUEUED_ACCEPTS } from '../tcp-server/tcp-server-socket';
import { RawOwner } from './raw-owner';
import { RawTcp, type RawError } from './raw-tcp';
import type { RawUdp } from './raw-udp';

export class RawServer extends RawOwner implements ManagedSocket {
  readonly kind = 'raw' as const;
  readonly persistent = false;
  readonly name = '';
  /** W3C 2013 suspend(): accepted connections wait (bounded) until resume(). */
  paused = false;
  private server?: net.Server;
  private queue: net.Socket[] = [];
  private localAddress?: string;
  private localPort?: number;
  private destroyed = false;
  private accepted = 0;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
    ctx: PageContext,
    readonly pull: boolean,
    /** Where accepted connections are registered (the raw namespace's registry). */
    private readonly clients: Registry<RawTcp | RawServer | RawUdp>,
  ) {
    super(ctx);
  }

  listen(host: string, port: number, backlog: number | undefined, ipv6Only: boolean): Promise<{ localAddress: string; localPort: number }> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
      this.server = server;
      server.once('error', (error) => {
        server.close();
        reject({ resultCode: netErrorFrom(error, 'listen'), code: (error as { code?: string }).code } satisfies RawError);
      });
      server.once('listening', () => {
        server.removeAllListeners('error');
        server.on('error', this.onServerError);
        const address = server.address() as net.AddressInfo;
        this.localAddress = address.address;
        this.localPort = address.port;
        server.on('connection', this.onConnection);
        resolve({ localAddress: address.address, localPort: address.port });
      });
      try {
        server.listen({ host, port, backlog: backlog !== undefined && backlog > 0 ? backlog : undefined, ipv6Only, exclusive: true });
      } catch (error) {
        reject({ resultCode: netErrorFrom(error, 'listen') } satisfies RawError);
      }
    });
  }

  private readonly onServerError = (error: Error): void => {
    this.ctx.enqueueEvent('raw', 'onError', { socketId: this.id, resultCode: netErrorFrom(error, 'listen') });
  };

  private readonly onConnection = (socket: net.Socket): void => {
    // An RST before a RawTcp adopts it must not become an uncaught 'error'.
    socket.on('error', () => {});
    if (this.queue.length >= MAX_QUEUED_ACCEPTS) {
      socket.destroy();
      return;
    }
    this.queue.push(socket);
    this.updateReading();
  };

  /** Hands queued connections to the page while neither suspend nor flow control holds it. */
  updateReading(): void {
    while (this.queue.length > 0 && !this.paused && !this.app.flowBlocked && !this.destroyed) {
      const socket = this.queue.shift()!;
      if (socket.destroyed) continue;
      if (this.app.atSocketLimit) {
        // The app may hold no more sockets (limits.maxSocketsPerApp): refuse the peer at once.
        socket.resetAndDestroy();
        continue;
      }
      socket.removeAllListeners('error');
      const client = this.clients.add((id) => new RawTcp(this.env, id, this.app, this.ctx, this.pull));
      client.adopt(socket);
      this.accepted++;
      this.ctx.enqueueEvent('raw', 'onAccept', { socketId: this.id, clientId: client.id, ...client.addresses });
      // After the accept event, so the page has the socket before its first byte.
      client.updateReading();
    }
  }

  info(): Record<string, unknown> {
    return { socketId: this.id, socketType: 'tcpServer', connected: false, localAddress: this.localAddress, localPort: this.localPort };
  }

  /** Stops listening; accepted connections stay open. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const socket of this.queue) socket.destroy();
    this.queue = [];
    this.server?.close();
    this.server = undefined;
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase({ ...this, pausedBy: this.paused ? 'app' : undefined }, this.destroyed ? 'closed' : 'listening', true),
      localAddress: this.localAddress,
      localPort: this.localPort,
      bytesReceived: 0,
      bytesSent: 0,
      messagesReceived: this.accepted,
      messagesSent: 0,
      queued: this.queue.length,
    };
  }
}
