/**
 * One chrome.sockets.tcpServer socket: Chrome's listening socket and accept loop
 * (tcp_socket.cc in SERVER mode, tcp_server_socket_event_dispatcher.cc) over a Node net.Server.
 */
import * as net from 'node:net';
import type * as api from '../../common/api-types';
import { NET_ERRORS } from '../../common/net-errors';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import type { IpLiteral } from '../ip-literal';
import { netErrorFrom } from '../net-error-map';
import type { Registry } from '../registry';
import { TcpSocket } from '../tcp/tcp-socket';

/** Chrome's default listen backlog: the platform SOMAXCONN (4096 on Linux ≥ 5.4 and glibc). */
export const DEFAULT_BACKLOG = 4096;

/**
 * Connections the host holds for a server that does not deliver onAccept right now (paused by
 * the app, by an accept error, or by flow control). Node accepts whenever the listening socket
 * is readable and has no way to stop short of closing it, so this queue stands in for the
 * kernel's accept backlog of a paused Chrome server (SOMAXCONN by default). Past it further
 * connections are reset and counted, as a full kernel backlog would turn them away.
 */
export const MAX_QUEUED_ACCEPTS = 4096;

export type TcpServerState = 'idle' | 'listening';

export class TcpServerSocket implements ManagedSocket {
  readonly kind = 'tcpServer' as const;
  persistent = false;
  name = '';
  /** Chrome's paused flag, with its reason (the app, or an accept error). */
  pausedBy: 'app' | 'error' | undefined;
  state: TcpServerState = 'idle';

  private server?: net.Server;
  private localAddress?: string;
  private localPort?: number;
  /** Accepted connections not yet handed to the app, oldest first. */
  private queue: net.Socket[] = [];
  private abortListen?: () => void;
  private delivering = false;
  private deliverScheduled?: NodeJS.Immediate;
  private destroyed = false;
  private acceptedCount = 0;
  private droppedCount = 0;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
    /** Where accepted connections are registered as tcp sockets. */
    private readonly clients: Registry<TcpSocket>,
  ) {}

  /**
   * Unlike Chrome, resuming restarts delivery (Chromium never restarts its accept loop after
   * setPaused(false), spec §8 item 7); connections that arrived meanwhile come in arrival order.
   */
  updateReading(): void {
    this.deliver();
  }

  // ---- listen --------------------------------------------------------------------------------

  /**
   * Listens on a literal address. Resolves 0 or a negative net error; ERR_ABORTED when
   * disconnect() or close() interrupts it (Chrome never answers then). Listening again while
   * listening replaces the old listener, as a release build of Chrome does (it drops the old
   * server socket and binds a new one).
   */
  listen(address: IpLiteral, port: number, backlog: number): Promise<number> {
    this.abortListen?.();
    this.stopListening();
    return new Promise<number>((resolve) => {
      const server = net.createServer({ pauseOnConnect: true });
      let settled = false;
      const finish = (code: number): void => {
        if (settled) return;
        settled = true;
        this.abortListen = undefined;
        resolve(code);
      };
      const onError = (error: Error): void => {
        server.close();
        finish(netErrorFrom(error, 'listen'));
      };
      this.abortListen = () => {
        server.off('error', onError);
        server.off('listening', onListening);
        server.on('error', () => {});
        server.close();
        finish(NET_ERRORS.ABORTED);
      };
      const onListening = (): void => {
        server.off('error', onError);
        const bound = server.address() as net.AddressInfo;
        this.server = server;
        this.state = 'listening';
        this.localAddress = bound.address;
        this.localPort = bound.port;
        server.on('connection', (socket) => this.onConnection(server, socket));
        server.on('error', (error) => this.onAcceptError(server, error));
        finish(0);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      try {
        server.listen({ host: address.address, port, backlog, exclusive: true });
      } catch (error) {
        server.off('error', onError);
        server.off('listening', onListening);
        finish(netErrorFrom(error, 'listen'));
      }
    });
  }

  private onConnection(server: net.Server, socket: net.Socket): void {
    // A connection has no 'error' listener until a TcpSocket adopts it; one here keeps an RST on
    // a queued connection from throwing.
    socket.on('error', ignore);
    if (server !== this.server) return void socket.destroy();
    if (this.queue.length >= MAX_QUEUED_ACCEPTS) {
      this.droppedCount++;
      if (this.droppedCount <= 10 || this.droppedCount % 1000 === 0) {
        this.env.log(
          `tcpServer ${this.id} (app ${this.app.name}): ${this.queue.length} connections wait for delivery; reset connection #${this.droppedCount}`,
        );
      }
      return void socket.resetAndDestroy();
    }
    this.queue.push(socket);
    // Connections accepted in one poll go to the page together, in one batch.
    if (this.deliverScheduled === undefined) this.deliverScheduled = setImmediate(this.deliverNow);
  }

  private readonly deliverNow = (): void => {
    this.deliverScheduled = undefined;
    this.deliver();
  };

  /**
   * Chrome dispatches onAcceptError and pauses the server so a persistent error cannot spin
   * (tcp_server_socket_event_dispatcher.cc).
   */
  private onAcceptError(server: net.Server, error: Error): void {
    if (server !== this.server) return;
    this.pausedBy ??= 'error';
    this.env.emit(this.app, 'tcpServer', 'onAcceptError', { resultCode: netErrorFrom(error), socketId: this.id });
  }

  /**
   * Hands queued connections to the app in arrival order while nothing holds the server. Each
   * becomes a paused sockets.tcp socket with Chrome's accepted-socket quirks (spec §3.5).
   */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.queue.length > 0 && this.state === 'listening' && this.pausedBy === undefined && !this.app.flowBlocked) {
        const connection = this.queue.shift()!;
        connection.off('error', ignore);
        // A connection Node has already torn down has no addresses left to report.
        if (connection.destroyed) continue;
        if (this.app.atSocketLimit) {
          // The app may hold no more sockets: refuse the peer at once rather than keep it waiting.
          this.droppedCount++;
          if (this.droppedCount <= 10 || this.droppedCount % 1000 === 0) {
            this.env.log(`tcpServer ${this.id} (app ${this.app.name}): app at its socket limit; reset connection #${this.droppedCount}`);
          }
          connection.resetAndDestroy();
          continue;
        }
        const client = this.clients.add((id) => new TcpSocket(this.env, id, this.app, true));
        client.acceptedBy = this.id;
        client.adoptAccepted(connection);
        this.acceptedCount++;
        this.env.emit(this.app, 'tcpServer', 'onAccept', { clientSocketId: client.id, socketId: this.id });
      }
    } finally {
      this.delivering = false;
    }
  }

  // ---- disconnect / close --------------------------------------------------------------------

  /** Stops listening and frees the port; the id stays valid (spec §4.3). Undelivered connections are reset, as closing a listening socket resets its backlog. */
  disconnect(): void {
    this.abortListen?.();
    this.stopListening();
  }

  private stopListening(): void {
    const server = this.server;
    this.server = undefined;
    this.state = 'idle';
    this.localAddress = this.localPort = undefined;
    for (const connection of this.queue.splice(0)) connection.resetAndDestroy();
    if (this.deliverScheduled !== undefined) clearImmediate(this.deliverScheduled);
    this.deliverScheduled = undefined;
    if (server !== undefined) {
      server.removeAllListeners('connection');
      server.close();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.disconnect();
  }

  // ---- info ----------------------------------------------------------------------------------

  /** Chrome's SocketInfo, keys in Chrome's (sorted) order; the address only while listening. */
  info(): api.tcpServer.SocketInfo {
    const info: Record<string, unknown> = {};
    if (this.state === 'listening' && this.localAddress !== undefined) {
      info.localAddress = this.localAddress;
      info.localPort = this.localPort;
    }
    if (this.name !== '') info.name = this.name;
    info.paused = this.pausedBy !== undefined;
    info.persistent = this.persistent;
    info.socketId = this.id;
    return info as unknown as api.tcpServer.SocketInfo;
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase(this, this.state, this.state === 'listening'),
      localAddress: this.localAddress,
      localPort: this.localPort,
      bytesReceived: 0,
      bytesSent: 0,
      messagesReceived: this.acceptedCount,
      messagesSent: 0,
      queued: this.queue.length,
      dropped: this.droppedCount,
    };
  }
}

function ignore(): void {}
