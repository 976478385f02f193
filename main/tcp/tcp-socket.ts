/**
 * One chrome.sockets.tcp socket: Chrome's state machine (tcp_socket.cc, tcp_socket_event_dispatcher.cc)
 * over a Node net.Socket or tls.TLSSocket.
 */
import type * as dns from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { domainToASCII } from 'node:url';
import type * as api from '../../common/api-types';
import { NET_ERRORS } from '../../common/net-errors';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import { netErrorFrom } from '../net-error-map';

export type TcpState = 'idle' | 'connecting' | 'connected';

/** Chrome's default read size when bufferSize is unset or ≤ 0. */
export const DEFAULT_BUFFER_SIZE = 4096;

const TLS_MIN: Readonly<Record<string, tls.SecureVersion>> = {
  // tls1 and tls1.1 as a minimum are raised to TLS 1.2 (spec §4.4).
  tls1: 'TLSv1.2',
  'tls1.1': 'TLSv1.2',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};
const TLS_MAX: Readonly<Record<string, tls.SecureVersion>> = { 'tls1.2': 'TLSv1.2', 'tls1.3': 'TLSv1.3' };

/** A Node Buffer whose ArrayBuffer holds exactly its bytes can be moved to the page. */
function ownsWholeBuffer(chunk: Buffer): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

export class TcpSocket implements ManagedSocket {
  readonly kind = 'tcp' as const;
  persistent = false;
  name = '';
  bufferSize = 0;
  /** Chrome's single paused flag, with the reason it was set (the app, or an error/disconnect). */
  pausedBy: 'app' | 'error' | undefined;
  state: TcpState = 'idle';
  /** Once secure() succeeded the socket can never connect again (spec §4.4). */
  secured = false;
  /** Chrome keeps one read outstanding from the moment reading starts; secure() needs none. */
  readPending = false;
  writesInFlight = 0;
  /**
   * secure() is under way: from its first step (dropping buffered plaintext) until the handshake
   * ends. Sends are refused meanwhile, so no byte reaches the wire in clear, and a second
   * secure() fails instead of wrapping the raw socket again.
   */
  upgrading = false;
  /** The peerAddress string given to connect: TLS verifies against it. */
  hostname?: string;

  private socket?: net.Socket;
  private localAddress?: string;
  private localPort?: number;
  private peerAddress?: string;
  private peerPort?: number;
  private abortConnect?: () => void;
  private readonly abortResolves = new Set<() => void>();
  /** Bumped on every new connection so late callbacks of an old one are recognised. */
  private connection = 0;
  private writeFailed = false;
  private destroyed = false;
  private bytesReceived = 0;
  private bytesSent = 0;
  private messagesReceived = 0;
  private messagesSent = 0;
  /** Send bytes handed to Node and not yet written (the inspector's bytesInFlight). */
  private bytesInFlight = 0;
  /** The tcpServer that accepted this socket (the inspector's acceptedBy). */
  acceptedBy?: number;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
    /** Sockets accepted by a tcpServer: no local address, no secure(), no reconnect (spec §3.5). */
    readonly accepted = false,
  ) {}

  /** Takes over a connection accepted by a tcpServer; it starts paused (spec §3.4). */
  adoptAccepted(socket: net.Socket): void {
    this.pausedBy = 'app';
    this.attach(socket);
  }

  /** Reads only while connected and held by none of: the app's pause, an error pause, flow control. */
  updateReading(): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'connected') return;
    if (this.pausedBy === undefined && !this.app.flowBlocked) {
      this.readPending = true;
      if (socket.isPaused()) socket.resume();
    } else if (!socket.isPaused()) {
      socket.pause();
    }
  }

  // ---- connect -------------------------------------------------------------------------------

  /**
   * Tries each resolved address in turn (TCPClientSocket does). Resolves with 0 or a negative
   * net error; with ERR_ABORTED when disconnect() or close() interrupts it (Chrome never answers
   * then, a bug this emulation does not copy).
   */
  connect(hostname: string, addresses: readonly dns.LookupAddress[], port: number): Promise<number> {
    this.state = 'connecting';
    this.hostname = hostname;
    return new Promise<number>((resolve) => {
      let index = 0;
      let last: number = NET_ERRORS.CONNECTION_FAILED;
      let current: net.Socket | undefined;
      const finish = (code: number): void => {
        this.abortConnect = undefined;
        if (code !== 0) this.state = 'idle';
        resolve(code);
      };
      this.abortConnect = () => {
        current?.destroy();
        current = undefined;
        finish(NET_ERRORS.ABORTED);
      };
      const next = (): void => {
        if (index >= addresses.length) return finish(last);
        const address = addresses[index++];
        let socket: net.Socket;
        try {
          socket = net.connect({ host: address.address, port, family: address.family });
        } catch (error) {
          last = netErrorFrom(error, 'connect');
          return next();
        }
        current = socket;
        const onError = (error: Error): void => {
          socket.destroy();
          if (current !== socket) return;
          last = netErrorFrom(error, 'connect');
          next();
        };
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          if (current !== socket) return void socket.destroy();
          // Chrome's network service turns NoDelay on for client sockets.
          socket.setNoDelay(true);
          this.attach(socket);
          finish(0);
        });
      };
      next();
    });
  }

  private attach(socket: net.Socket): void {
    // Paused before a 'data' listener exists, so nothing flows until updateReading() says so.
    socket.pause();
    this.socket = socket;
    this.state = 'connected';
    this.connection++;
    this.writeFailed = false;
    this.readPending = false;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.peerAddress = socket.remoteAddress;
    this.peerPort = socket.remotePort;
    socket.on('data', this.onData);
    socket.on('end', this.onTerminated);
    socket.on('close', this.onTerminated);
    socket.on('error', this.onError);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onTerminated);
    socket.off('close', this.onTerminated);
    socket.off('error', this.onError);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.bytesReceived += chunk.byteLength;
    const size = this.bufferSize > 0 ? this.bufferSize : DEFAULT_BUFFER_SIZE;
    this.messagesReceived += Math.ceil(chunk.byteLength / size);
    this.env.emit(this.app, 'tcp', 'onReceive', { socketId: this.id }, chunk, {
      transferable: ownsWholeBuffer(chunk),
      sliceSize: size,
    });
  };

  /** Errors are reported through 'close'; the listener only keeps Node from throwing. */
  private readonly onError = (): void => {};

  /**
   * The peer closed (FIN or RST) or the connection failed: Chrome's read completes with 0 bytes
   * and the dispatcher reports ERR_CONNECTION_CLOSED (-100) whatever the cause (spec §3.2),
   * then leaves the socket paused and disconnected.
   */
  private readonly onTerminated = (): void => {
    if (this.state !== 'connected') return;
    this.endConnection(true);
  };

  /** Drops the connection; with `report`, fires Chrome's -100 when a read was outstanding. */
  private endConnection(report: boolean): void {
    const hadRead = this.readPending;
    const socket = this.socket;
    this.socket = undefined;
    this.state = 'idle';
    this.readPending = false;
    this.localAddress = this.localPort = this.peerAddress = this.peerPort = undefined;
    if (socket !== undefined) {
      this.detach(socket);
      socket.on('error', () => {});
      socket.destroy();
    }
    if (report && hadRead) {
      this.pausedBy ??= 'error';
      this.env.emit(this.app, 'tcp', 'onReceiveError', { socketId: this.id, resultCode: NET_ERRORS.CONNECTION_CLOSED });
    }
  }

  /**
   * disconnect() and close(): a pending connect is answered with ERR_ABORTED; an outstanding read
   * fires onReceiveError -100 and pauses the socket, as in Chrome (spec §3.2, §4.3).
   */
  disconnect(): void {
    this.abortConnect?.();
    if (this.state === 'connected') this.endConnection(true);
  }

  /**
   * `lookup`, or undefined as soon as the socket is closed: a connect waiting on DNS is then
   * answered at once (Chrome answers it `Socket not found` when DNS completes, which may be
   * never), so closing is always a way out of a hanging call.
   */
  resolving<T>(lookup: Promise<T>): Promise<T | undefined> {
    if (this.destroyed) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const abort = (): void => resolve(undefined);
      this.abortResolves.add(abort);
      lookup.then(resolve, reject).finally(() => this.abortResolves.delete(abort));
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const abort of [...this.abortResolves]) abort();
    this.abortResolves.clear();
    this.abortConnect?.();
    this.endConnection(false);
  }

  // ---- send ----------------------------------------------------------------------------------

  /**
   * Writes all of `data`; `done` gets 0 once Node has handed it to the kernel, -15 when not
   * connected, -2 for the write that failed and -15 for those queued behind it (spec §4.2).
   */
  write(data: Buffer, done: (code: number) => void): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'connected') return done(NET_ERRORS.SOCKET_NOT_CONNECTED);
    // During secure() Chrome's socket has handed its pipes to the upgrade (no data pump), and a
    // write finds none: -15. Writing to the raw socket here would put plaintext on the wire.
    if (this.upgrading) return done(NET_ERRORS.SOCKET_NOT_CONNECTED);
    const connection = this.connection;
    this.writesInFlight++;
    this.bytesInFlight += data.byteLength;
    socket.write(data, (error) => {
      this.writesInFlight--;
      this.bytesInFlight -= data.byteLength;
      if (error == null) {
        this.bytesSent += data.byteLength;
        this.messagesSent++;
        return done(0);
      }
      const first = connection === this.connection && !this.writeFailed && this.state === 'connected';
      if (connection === this.connection) this.writeFailed = true;
      done(first ? NET_ERRORS.FAILED : NET_ERRORS.SOCKET_NOT_CONNECTED);
    });
  }

  // ---- options -------------------------------------------------------------------------------

  /** -2 unless connected over plain TCP; `delaySeconds` is Chrome's unit, Node wants ms. */
  setKeepAlive(enable: boolean, delaySeconds: number): number {
    if (this.socket === undefined || this.state !== 'connected' || this.secured) return NET_ERRORS.FAILED;
    this.socket.setKeepAlive(enable, Math.max(0, delaySeconds) * 1000);
    return 0;
  }

  setNoDelay(noDelay: boolean): number {
    if (this.socket === undefined || this.state !== 'connected' || this.secured) return NET_ERRORS.FAILED;
    this.socket.setNoDelay(noDelay);
    return 0;
  }

  // ---- secure --------------------------------------------------------------------------------

  /**
   * Upgrades the connection to TLS, verifying the certificate against the peerAddress string
   * given to connect. Resolves 0 or a negative net error; the caller destroys the socket on
   * failure, as Chrome does. On success only `persistent` and `paused` survive (spec §4.4).
   */
  upgradeToTls(options: api.tcp.SecureOptions | undefined, host: Pick<SocketEnv, 'secureContext'>): Promise<number> {
    const raw = this.socket;
    const hostname = this.hostname;
    if (raw === undefined || hostname === undefined) return Promise.resolve(NET_ERRORS.FAILED);
    const minVersion = TLS_MIN[options?.tlsVersion?.min ?? ''] ?? 'TLSv1.2';
    const maxVersion = TLS_MAX[options?.tlsVersion?.max ?? ''] ?? 'TLSv1.3';
    let servername: string | undefined;
    if (net.isIP(hostname) === 0) {
      // Chrome canonicalises the name (IDN to punycode); one that cannot be is ERR_FAILED.
      servername = domainToASCII(hostname);
      if (servername === '') return Promise.resolve(NET_ERRORS.FAILED);
    }
    this.detach(raw);
    this.upgrading = true;
    return this.discardPlaintext(raw)
      .then(() => this.handshake(raw, hostname, servername, minVersion, maxVersion, host))
      .finally(() => {
        this.upgrading = false;
      });
  }

  /**
   * Chrome's network service reads eagerly into its receive pipe and secure() discards what
   * sits there. A paused Node socket leaves it in the kernel, and TLS would parse it as a
   * handshake record; so read once (nothing TLS can arrive before our ClientHello) and drop it.
   */
  private async discardPlaintext(raw: net.Socket): Promise<void> {
    // Our listeners are off while we wait; a peer reset must not become an unhandled 'error'.
    const ignore = (): void => {};
    raw.on('error', ignore);
    raw.read(0);
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    while (raw.read() !== null) {
      // dropped
    }
    raw.off('error', ignore);
  }

  private handshake(
    raw: net.Socket,
    hostname: string,
    servername: string | undefined,
    minVersion: tls.SecureVersion,
    maxVersion: tls.SecureVersion,
    host: Pick<SocketEnv, 'secureContext'>,
  ): Promise<number> {
    // The peer went away, or the app disconnected or closed the socket, while we waited.
    if (raw.destroyed || this.socket !== raw) return Promise.resolve(NET_ERRORS.CONNECTION_CLOSED);
    return new Promise<number>((resolve) => {
      let secure: tls.TLSSocket;
      try {
        const secureContext = host.secureContext(minVersion, maxVersion);
        secure = tls.connect({ socket: raw, host: hostname, servername, secureContext, rejectUnauthorized: true });
      } catch (error) {
        raw.destroy();
        return resolve(
          (error as { code?: string }).code === 'ERR_TLS_INVALID_PROTOCOL_VERSION' ? NET_ERRORS.NO_SSL_VERSIONS_ENABLED : NET_ERRORS.FAILED,
        );
      }
      const onError = (error: Error): void => {
        secure.destroy();
        resolve(netErrorFrom(error, 'tls'));
      };
      secure.once('error', onError);
      // Closed or disconnected during the handshake: a destroyed TLS socket only says 'close'.
      secure.once('close', () => resolve(NET_ERRORS.CONNECTION_CLOSED));
      secure.once('secureConnect', () => {
        secure.off('error', onError);
        this.secured = true;
        this.name = '';
        this.bufferSize = 0;
        const { localAddress, localPort, peerAddress, peerPort } = this;
        this.attach(secure);
        Object.assign(this, { localAddress, localPort, peerAddress, peerPort });
        resolve(0);
      });
    });
  }

  // ---- info ----------------------------------------------------------------------------------

  /** Chrome's SocketInfo, keys in Chrome's (sorted) order; optional fields only when known. */
  info(): api.tcp.SocketInfo {
    const connected = this.state === 'connected';
    const info: Record<string, unknown> = {};
    if (this.bufferSize > 0) info.bufferSize = this.bufferSize;
    info.connected = connected;
    if (connected && !this.accepted && this.localAddress !== undefined) {
      info.localAddress = this.localAddress;
      info.localPort = this.localPort;
    }
    if (this.name !== '') info.name = this.name;
    info.paused = this.pausedBy !== undefined;
    if (connected && this.peerAddress !== undefined) {
      info.peerAddress = this.peerAddress;
      info.peerPort = this.peerPort;
    }
    info.persistent = this.persistent;
    info.socketId = this.id;
    return info as unknown as api.tcp.SocketInfo;
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase(this, this.state, this.state === 'connected'),
      localAddress: this.localAddress,
      localPort: this.localPort,
      peerAddress: this.peerAddress,
      peerPort: this.peerPort,
      secure: this.secured,
      acceptedBy: this.acceptedBy,
      bytesInFlight: this.bytesInFlight,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      messagesReceived: this.messagesReceived,
      messagesSent: this.messagesSent,
    };
  }
}
