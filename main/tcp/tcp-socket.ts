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
import type { InspectTls } from '../../common/inspect-types';
import { netErrorFrom } from '../net-error-map';
import { tlsSessionOf } from './tls-details';
import type { CreditMessage } from '../../common/protocol';

/**
 * Send credit a connected socket gets unless `limits.sendCredit` says otherwise: none. The
 * credit is opt-in until the problems README "How faithful" lists under it are solved.
 */
export const DEFAULT_SEND_CREDIT = 0;

/**
 * The page context that holds a socket's send credit: it gets the grant and revocation in order
 * with its results and events, and the written count with whatever it is sent next.
 */
export interface CreditPage {
  readonly isEnded: boolean;
  /** Queues `item` in order; with `flush`, makes sure a batch goes down soon. */
  queueCredit(item: CreditMessage, flush: boolean): void;
  /** The socket has a new written count for the page (`source.creditItem()` at the next flush). */
  creditChanged(source: { creditItem(): CreditMessage | undefined }, flush: boolean): void;
}

interface CreditGrant {
  readonly page: CreditPage;
  readonly g: number;
  readonly limit: number;
  /** Bytes the page sent under this grant. */
  received: number;
  /** Bytes of those written to the kernel. */
  written: number;
  /** The written count last put in a batch for the page. */
  told: number;
  /** Credited writes not completed yet. */
  inFlight: number;
}

export type TcpState = 'idle' | 'connecting' | 'connected';

/** What secure() needs of the host: the app's trust, and where to report a rejected certificate. */
export type TlsHost = Pick<SocketEnv, 'secureContext' | 'certificateRejected'>;

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
  /** After secure(): the negotiated session, for the inspector (never shown to the app). */
  tlsSession?: InspectTls;

  private socket?: net.Socket;
  private localAddress?: string;
  private localPort?: number;
  private peerAddress?: string;
  private peerPort?: number;
  /**
   * Whether the four addresses above were read for the current connection. A client socket
   * reads them when it connects; an accepted one before it first reads, writes or is asked
   * (readAddresses): most servers unpause or answer at once, and a server that only closes
   * what it accepts then pays no getsockname/getpeername for it.
   */
  private addressesRead = false;
  private abortConnect?: () => void;
  /** Connects waiting on DNS, answered undefined by destroy(); made on first use. */
  private abortResolves?: Set<() => void>;
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
  /** The page's send credit, while one context holds it. Reserved against the app's write quota. */
  private credit?: CreditGrant;
  /** Grant numbers, per socket, never reused. */
  private creditSerial = 0;
  /** A write the page had answered itself failed: the next send the host answers gets -2. */
  private creditFailure = false;
  /** Called once no credited write is in flight (secure() waits for them). */
  private creditDrained?: Array<() => void>;

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
      this.readAddresses();
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
    this.creditFailure = false;
    this.readPending = false;
    this.addressesRead = false;
    if (!this.accepted) this.readAddresses();
    socket.on('data', this.onData);
    socket.on('end', this.onTerminated);
    socket.on('close', this.onTerminated);
    // Errors are reported through 'close'; the listener only keeps Node from throwing.
    socket.on('error', ignoreError);
  }

  /**
   * Reads the connection's addresses once (Node's getters make a getsockname and a getpeername
   * call). An accepted socket does so before anything can make Node drop its handle: it reads
   * nothing and writes nothing before this, so only a peer that resets it while the app has not
   * yet unpaused, written to or asked about it leaves getInfo without its peer address.
   */
  private readAddresses(): void {
    const socket = this.socket;
    if (this.addressesRead || socket === undefined || this.state !== 'connected') return;
    this.addressesRead = true;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.peerAddress = socket.remoteAddress;
    this.peerPort = socket.remotePort;
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onTerminated);
    socket.off('close', this.onTerminated);
    socket.off('error', ignoreError);
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
    this.revokeSendCredit(true);
    const hadRead = this.readPending;
    const socket = this.socket;
    this.socket = undefined;
    this.state = 'idle';
    this.readPending = false;
    this.addressesRead = false;
    this.localAddress = this.localPort = this.peerAddress = this.peerPort = undefined;
    if (socket !== undefined) {
      this.detach(socket);
      socket.on('error', ignoreError);
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
      const aborts = (this.abortResolves ??= new Set());
      aborts.add(abort);
      lookup.then(resolve, reject).finally(() => aborts.delete(abort));
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const aborts = this.abortResolves;
    this.abortResolves = undefined;
    for (const abort of aborts ?? []) abort();
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
    this.readAddresses();
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

  // ---- send credit (README "How faithful") --------------------------------------------------

  /**
   * Grants `page` up to `limit` bytes of sends it may answer by itself, reserved against the
   * app's write quota. Only a connected socket, only one context at a time, and only when the
   * quota has room: otherwise every send keeps going to the host.
   */
  grantSendCredit(page: CreditPage, limit: number): void {
    if (this.credit !== undefined || this.state !== 'connected' || this.upgrading || limit <= 0 || page.isEnded) return;
    if (!this.env.reserveWrite(this.app, limit)) return;
    const g = ++this.creditSerial;
    this.credit = { page, g, limit, received: 0, written: 0, told: 0, inFlight: 0 };
    page.queueCredit({ t: 'c', s: this.id, g, n: limit }, false);
  }

  /** Takes the credit away (telling the page when `notify`) and gives its quota back. */
  revokeSendCredit(notify: boolean): void {
    const credit = this.credit;
    if (credit === undefined) return;
    this.credit = undefined;
    this.env.releaseWrite(this.app, credit.limit);
    if (notify && !credit.page.isEnded) credit.page.queueCredit({ t: 'c', s: this.id, g: ++this.creditSerial, n: 0 }, true);
    if (credit.inFlight === 0) this.settleCreditDrained();
  }

  /** A context went away or was reloaded: the credit it held goes with it. */
  dropSendCreditOf(page: unknown): void {
    if (this.credit?.page === page) this.revokeSendCredit(false);
  }

  /**
   * Writes bytes `page` answered itself. Bytes that come after the credit was taken away (the
   * page answered before it learned the socket was disconnected or closed) are dropped, as bytes
   * still in Chrome's pipe are when its connection goes. False for bytes beyond the credit: a
   * page that does not keep to it.
   */
  creditedWrite(page: CreditPage, data: Buffer): boolean {
    const credit = this.credit;
    if (credit === undefined || credit.page !== page) return true;
    const bytes = data.byteLength;
    if (credit.received + bytes - credit.told > credit.limit) return false;
    credit.received += bytes;
    credit.inFlight++;
    this.write(data, (code) => {
      credit.inFlight--;
      if (this.credit !== credit) {
        if (credit.inFlight === 0) this.settleCreditDrained();
        return;
      }
      // A failure of bytes the page was already told were sent shows at the next send (-2) and,
      // as the connection goes down with it, as onReceiveError -100 on a reading socket.
      if (code !== 0) this.creditFailure = true;
      credit.written += bytes;
      // Tell the page soon only once it holds less than half its credit; otherwise the count
      // rides along with the next batch (an echo's reply), and costs the page no extra wake-up.
      credit.page.creditChanged(this, credit.received - credit.told >= credit.limit / 2);
      if (credit.inFlight === 0) this.settleCreditDrained();
    });
    return true;
  }

  /** The written count to tell the page, once per change. */
  creditItem(): CreditMessage | undefined {
    const credit = this.credit;
    if (credit === undefined || credit.written === credit.told) return undefined;
    credit.told = credit.written;
    return { t: 'c', s: this.id, g: credit.g, r: credit.written };
  }

  /** The failure of a write the page had answered itself, reported once (then the state speaks). */
  takeCreditFailure(): boolean {
    const failed = this.creditFailure;
    this.creditFailure = false;
    return failed;
  }

  /** Resolves once no write the page answered itself is in flight; takes the credit away first. */
  creditedWritesDone(): Promise<void> {
    const inFlight = this.credit?.inFlight ?? 0;
    this.revokeSendCredit(true);
    if (inFlight === 0 && this.creditDrained === undefined) return Promise.resolve();
    return new Promise((resolve) => (this.creditDrained ??= []).push(resolve));
  }

  private settleCreditDrained(): void {
    const drained = this.creditDrained;
    this.creditDrained = undefined;
    for (const resolve of drained ?? []) resolve();
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
  upgradeToTls(options: api.tcp.SecureOptions | undefined, host: TlsHost): Promise<number> {
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
    host: TlsHost,
  ): Promise<number> {
    // The peer went away, or the app disconnected or closed the socket, while we waited.
    if (raw.destroyed || this.socket !== raw) return Promise.resolve(NET_ERRORS.CONNECTION_CLOSED);
    return new Promise<number>((resolve) => {
      let secure: tls.TLSSocket;
      try {
        const secureContext = host.secureContext(minVersion, maxVersion, this.app.name);
        // Verified below, as Node would with rejectUnauthorized (same point, same checks), so that
        // the certificate of a rejected peer can still be read for the debugging window.
        secure = tls.connect({ socket: raw, host: hostname, servername, secureContext, rejectUnauthorized: false });
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
        if (!secure.authorized) {
          const reason = String(secure.authorizationError);
          const code = netErrorFrom({ code: reason }, 'tls');
          host.certificateRejected(this.app, this.id, code, reason, secure.getPeerCertificate(true));
          secure.destroy();
          return resolve(code);
        }
        this.tlsSession = tlsSessionOf(secure);
        this.secured = true;
        this.name = '';
        this.bufferSize = 0;
        const { localAddress, localPort, peerAddress, peerPort } = this;
        this.attach(secure);
        Object.assign(this, { localAddress, localPort, peerAddress, peerPort, addressesRead: true });
        resolve(0);
      });
    });
  }

  // ---- info ----------------------------------------------------------------------------------

  /** Chrome's SocketInfo, keys in Chrome's (sorted) order; optional fields only when known. */
  info(): api.tcp.SocketInfo {
    this.readAddresses();
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
    this.readAddresses();
    return {
      ...snapshotBase(this, this.state, this.state === 'connected'),
      localAddress: this.localAddress,
      localPort: this.localPort,
      peerAddress: this.peerAddress,
      peerPort: this.peerPort,
      secure: this.secured,
      tls: this.tlsSession,
      acceptedBy: this.acceptedBy,
      bytesInFlight: this.bytesInFlight,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      messagesReceived: this.messagesReceived,
      messagesSent: this.messagesSent,
    };
  }
}

function ignoreError(): void {}
