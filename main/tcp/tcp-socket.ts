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
import type { CreditHolder } from '../page-context';

/**
 * Send credit a connected socket gets unless `limits.sendCredit` says otherwise (0 turns it
 * off): bytes of sends its page may answer by itself (README "How faithful").
 */
export const DEFAULT_SEND_CREDIT = 256 * 1024;
/** Credited writes one page context may have in flight, all its sockets together. */
export const DEFAULT_MAX_CREDITED_WRITES = 4096;
/** How long (ms) a disconnected or closed connection may take to write its last bytes. */
export const DEFAULT_LINGER_TIMEOUT = 30_000;

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
  /** Sockets holding or finishing a grant of this page, by id (its credited sends find them there). */
  readonly creditHolders: Map<number, CreditHolder>;
  /** Credited writes in flight under the page's live grants, all sockets together. */
  creditedWrites: number;
}

interface CreditGrant {
  readonly page: CreditPage;
  readonly g: number;
  readonly limit: number;
  /** The connection the grant's bytes go to (a reconnect makes a new one). */
  readonly wire: Wire;
  /** Bytes the page sent under this grant. */
  received: number;
  /** Bytes of those written to the kernel (or failed). */
  written: number;
  /** The written count last put in a batch for the page. */
  told: number;
  /** Credited writes not completed yet. */
  inFlight: number;
  /** Credited writes completed, and the count last put in a batch for the page. */
  completed: number;
  toldCompleted: number;
  /** Write quota this grant still holds: all of `limit` until it is finalized, then its unwritten bytes. */
  reserved: number;
  /** No more bytes can come under it (revoked, and the page let go or is gone). */
  finalized: boolean;
}

/**
 * One Node connection of a TcpSocket. disconnect() and close() retire it instead of destroying
 * it, since the app was told its sends went out: it stops delivering reads (what still arrives
 * is dropped, so no unread byte turns the close into a reset), writes what it holds, waits for
 * pages still sending bytes they answered before they learned of the revocation, then ends
 * (FIN) and is destroyed once the kernel has everything. At most `lingerTimeout` after it
 * retired it is destroyed whatever is left.
 */
class Wire {
  /** Writes of sends the host answers, not completed (secure() must find none). */
  hostWrites = 0;
  /** Writes of sends the page answered, not completed. */
  creditedWrites = 0;
  /** A write on this connection failed: the ones behind it report -15. */
  failed = false;
  /** Revoked grants whose page may still send bytes for this connection. */
  holds = 0;
  private retired = false;
  private ending = false;
  private timer?: NodeJS.Timeout;
  /** This connection wrote already in the current turn of the event loop (see write()). */
  private wroteThisTurn = false;
  private corked = false;

  constructor(
    readonly socket: net.Socket,
    private readonly env: Pick<SocketEnv, 'lingering' | 'lingerTimeout'>,
  ) {}

  /**
   * Writes `data`, in order. The first write of a turn of the event loop goes to the kernel at
   * once, so an echo's reply waits for nothing; the writes after it in the same turn (sends that
   * queued up in the port while the host was busy, as a page's loop of small sends does) are
   * corked and go to the kernel together, one writev at the end of the turn. end() uncorks too.
   */
  write(data: Buffer, cb: (error?: Error | null) => void): void {
    if (!this.wroteThisTurn) {
      this.wroteThisTurn = true;
      setImmediate(endTurn, this);
    } else if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    this.socket.write(data, cb);
  }

  /** The turn's end (setImmediate): what was corked goes out. */
  turnEnded(): void {
    this.wroteThisTurn = false;
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  retire(): void {
    if (this.retired) return;
    this.retired = true;
    const socket = this.socket;
    socket.on('error', ignoreError);
    if (socket.destroyed) return this.kill();
    socket.once('close', () => this.kill());
    this.env.lingering.add(this);
    this.timer = setTimeout(() => this.kill(), this.env.lingerTimeout);
    socket.resume();
    this.released();
  }

  /** A grant on this connection was let go: a retired connection ends once none holds it. */
  released(): void {
    if (!this.retired || this.ending || this.holds > 0) return;
    this.ending = true;
    // end() goes after everything queued; 'finish' once the kernel has it all and the FIN.
    this.socket.once('finish', () => this.kill());
    this.socket.end();
  }

  kill(): void {
    this.retired = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.env.lingering.delete(this);
    if (this.socket.destroyed) return;
    this.socket.on('error', ignoreError);
    this.socket.destroy();
  }
}

function endTurn(wire: Wire): void {
  wire.turnEnded();
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
  /**
   * secure() is under way: from its state checks (it then waits for the bytes of sends the page
   * answered itself) until the handshake ends. Sends are refused meanwhile, so no byte reaches
   * the wire in clear, no credit is granted, reading is not armed, and a second secure() fails
   * instead of wrapping the raw socket again.
   */
  upgrading = false;
  /** The TLS handshake itself runs (the raw socket is wrapped): a disconnect then destroys it. */
  private handshaking = false;
  /** The peerAddress string given to connect: TLS verifies against it. */
  hostname?: string;
  /** After secure(): the negotiated session, for the inspector (never shown to the app). */
  tlsSession?: InspectTls;

  private socket?: net.Socket;
  /** The connection `socket` belongs to. */
  private wire?: Wire;
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
  /** Revoked grants whose page may still send bytes under them (it has not let go yet), by grant; made on first use. */
  private awaiting?: Map<number, CreditGrant>;
  /** Called once no credited write is in flight and no revoked grant awaits its page (secure() waits); made on first use. */
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
    // secure() arms reading once its callback is queued; plaintext must not be read meanwhile.
    if (socket === undefined || this.state !== 'connected' || this.upgrading) return;
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
    this.wire = new Wire(socket, this.env);
    this.state = 'connected';
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
    this.endConnection(true, false);
  };

  /**
   * Ends the connection for the app; with `report`, fires Chrome's -100 when a read was
   * outstanding. `graceful` (disconnect, close): the connection still writes what the app was
   * told was sent (Wire.retire), waiting for a page still holding the credit (another page than
   * the caller's, whose credit dropCreditOf ended at its call). Otherwise (the peer closed, the
   * connection failed, the TLS handshake runs) it is destroyed.
   */
  private endConnection(report: boolean, graceful: boolean): void {
    const wire = this.wire;
    const keep = graceful && !this.handshaking && wire !== undefined;
    this.revokeSendCredit(true, keep);
    const hadRead = this.readPending;
    const socket = this.socket;
    this.socket = undefined;
    this.wire = undefined;
    this.state = 'idle';
    this.readPending = false;
    this.addressesRead = false;
    this.localAddress = this.localPort = this.peerAddress = this.peerPort = undefined;
    if (socket !== undefined) this.detach(socket);
    if (wire !== undefined) {
      if (keep) {
        wire.retire();
      } else {
        // Nothing more can reach the peer: pages still sending for this connection are not waited for.
        for (const grant of [...(this.awaiting?.values() ?? [])]) if (grant.wire === wire) this.finalize(grant);
        wire.kill();
      }
    }
    if (report && hadRead) {
      this.pausedBy ??= 'error';
      this.env.emit(this.app, 'tcp', 'onReceiveError', { socketId: this.id, resultCode: NET_ERRORS.CONNECTION_CLOSED });
    }
    // A secure() waiting for this connection's credited bytes waits no longer: it fails now.
    this.checkCreditDrained();
  }

  /** The current connection (a new one after a reconnect), for a caller that waited to compare. */
  get connection(): object | undefined {
    return this.wire;
  }

  /**
   * disconnect() and close(): a pending connect is answered with ERR_ABORTED; an outstanding read
   * fires onReceiveError -100 and pauses the socket, as in Chrome (spec §3.2, §4.3).
   */
  disconnect(): void {
    this.abortConnect?.();
    if (this.state === 'connected') this.endConnection(true, true);
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
    this.endConnection(false, true);
  }

  // ---- send ----------------------------------------------------------------------------------

  /**
   * Writes all of `data`; `done` gets 0 once Node has handed it to the kernel, -15 when not
   * connected, -2 for the write that failed and -15 for those queued behind it (spec §4.2).
   */
  write(data: Buffer, done: (code: number) => void): void {
    const wire = this.wire;
    if (wire === undefined || this.state !== 'connected') return done(NET_ERRORS.SOCKET_NOT_CONNECTED);
    // During secure() Chrome's socket has handed its pipes to the upgrade (no data pump), and a
    // write finds none: -15. Writing to the raw socket here would put plaintext on the wire.
    if (this.upgrading) return done(NET_ERRORS.SOCKET_NOT_CONNECTED);
    this.readAddresses();
    this.writeTo(wire, data, true, done);
  }

  /** Sends the host answers still being written on the current connection (secure() needs none). */
  get writesInFlight(): number {
    return this.wire?.hostWrites ?? 0;
  }

  private writeTo(wire: Wire, data: Buffer, fromHost: boolean, done: (code: number) => void): void {
    if (fromHost) wire.hostWrites++;
    else wire.creditedWrites++;
    this.bytesInFlight += data.byteLength;
    wire.write(data, (error) => {
      if (fromHost) wire.hostWrites--;
      else wire.creditedWrites--;
      this.bytesInFlight -= data.byteLength;
      if (error == null) {
        this.bytesSent += data.byteLength;
        this.messagesSent++;
        return done(0);
      }
      const first = wire === this.wire && !wire.failed && this.state === 'connected';
      wire.failed = true;
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
    const wire = this.wire;
    if (this.credit !== undefined || wire === undefined || this.state !== 'connected' || this.upgrading || limit <= 0 || page.isEnded)
      return;
    if (!this.env.reserveCredit(this.app, limit)) return;
    const g = ++this.creditSerial;
    this.credit = {
      page,
      g,
      limit,
      wire,
      received: 0,
      written: 0,
      told: 0,
      inFlight: 0,
      completed: 0,
      toldCompleted: 0,
      reserved: limit,
      finalized: false,
    };
    page.creditHolders.set(this.id, this);
    page.queueCredit({ t: 'c', s: this.id, g, n: limit, w: this.env.maxCreditedWrites }, false);
  }

  /**
   * Takes the credit away, telling the page when `notify`. With `awaitRelease` the grant keeps
   * taking the bytes the page answered before it learns of this, until the page lets go
   * (creditReleased); otherwise it is finalized at once. Its quota goes back as its bytes are
   * written, never before.
   */
  revokeSendCredit(notify: boolean, awaitRelease = false): void {
    const grant = this.credit;
    if (grant === undefined) return;
    this.credit = undefined;
    const tell = notify && !grant.page.isEnded;
    if (tell) grant.page.queueCredit({ t: 'c', s: this.id, g: grant.g, n: 0 }, true);
    if (tell && awaitRelease) {
      (this.awaiting ??= new Map()).set(grant.g, grant);
      grant.wire.holds++;
    } else {
      this.finalize(grant);
    }
  }

  /**
   * `page` called disconnect(), close() or secure() and no longer answers this socket's sends
   * (preload/send-credit.ts revokeForCall): its credit ends now, at the same place in the port's
   * order (what it answered before the call came first). A credit another page holds is left to
   * the call itself, which waits for that page to let go.
   */
  dropCreditOf(page: CreditPage): void {
    if (this.credit?.page === page) this.revokeSendCredit(true, false);
  }

  /** No more bytes come under `grant`: its quota beyond its unwritten bytes goes back now. */
  private finalize(grant: CreditGrant): void {
    if (grant.finalized) return;
    grant.finalized = true;
    // Until now its writes counted as the page counts them (it stops at its answer to the
    // revocation, or at its end); what is still being written counts against the quota only.
    grant.page.creditedWrites -= grant.inFlight;
    if (this.awaiting?.delete(grant.g)) {
      grant.wire.holds--;
      grant.wire.released();
    }
    const unwritten = grant.received - grant.written;
    this.env.releaseWrite(this.app, grant.reserved - unwritten);
    grant.reserved = unwritten;
    const page = grant.page;
    if (
      this.credit?.page !== page &&
      ![...(this.awaiting?.values() ?? [])].some((g) => g.page === page) &&
      page.creditHolders.get(this.id) === this
    ) {
      page.creditHolders.delete(this.id);
    }
    this.checkCreditDrained();
  }

  /** The page let go of revoked grant `g`: nothing more comes under it. */
  creditReleased(page: CreditPage, g: number): void {
    const grant = this.awaiting?.get(g);
    if (grant !== undefined && grant.page === page) this.finalize(grant);
  }

  /** A context went away or was reloaded: the credit it held goes with it. */
  dropSendCreditOf(page: CreditPage): void {
    if (this.credit?.page === page) this.revokeSendCredit(false);
    for (const grant of [...(this.awaiting?.values() ?? [])]) if (grant.page === page) this.finalize(grant);
  }

  /**
   * Writes bytes `page` answered itself under grant `g`, to the grant's connection: the current
   * one, or one that disconnect() or close() retired while the page was still sending. Bytes
   * whose grant is gone (the connection failed or was destroyed) are dropped, as bytes still in
   * Chrome's pipe are when its connection goes. False for bytes beyond the credit, or beyond
   * the context's credited writes in flight: a page that does not keep to them.
   */
  creditedWrite(page: CreditPage, g: number, data: Buffer): boolean {
    const live = this.credit !== undefined && this.credit.g === g;
    const grant = live ? this.credit : this.awaiting?.get(g);
    if (grant === undefined || grant.page !== page) return true;
    const bytes = data.byteLength;
    if (grant.received + bytes - grant.told > grant.limit) return false;
    if (bytes === 0) {
      // Nothing to write: done at once (no queue entry a page could pile up for free).
      grant.completed++;
      if (live) page.creditChanged(this, false);
      return true;
    }
    // Writes under a grant revoked but not let go count too: the page still counts them.
    if (page.creditedWrites >= this.env.maxCreditedWrites) return false;
    grant.received += bytes;
    grant.inFlight++;
    page.creditedWrites++;
    this.writeTo(grant.wire, data, false, (code) => {
      grant.inFlight--;
      grant.completed++;
      grant.written += bytes;
      if (!grant.finalized) page.creditedWrites--;
      if (this.credit === grant) {
        // A failure of bytes the page was already told were sent shows at the next send (-2) and,
        // as the connection goes down with it, as onReceiveError -100 on a reading socket.
        if (code !== 0) this.creditFailure = true;
        // Tell the page soon only once it holds less than half its credit (or of its writes);
        // otherwise the count rides along with the next batch (an echo's reply), and costs the
        // page no extra wake-up.
        const soon =
          grant.received - grant.told >= grant.limit / 2 || grant.completed - grant.toldCompleted >= this.env.maxCreditedWrites / 2;
        page.creditChanged(this, soon);
      } else if (grant.finalized) {
        this.env.releaseWrite(this.app, bytes);
        grant.reserved -= bytes;
      }
      this.checkCreditDrained();
    });
    return true;
  }

  /** The written counts to tell the page, once per change. */
  creditItem(): CreditMessage | undefined {
    const credit = this.credit;
    if (credit === undefined || (credit.written === credit.told && credit.completed === credit.toldCompleted)) return undefined;
    credit.told = credit.written;
    credit.toldCompleted = credit.completed;
    return { t: 'c', s: this.id, g: credit.g, r: credit.written, k: credit.completed };
  }

  /** The failure of a write the page had answered itself, reported once (then the state speaks). */
  takeCreditFailure(): boolean {
    const failed = this.creditFailure;
    this.creditFailure = false;
    return failed;
  }

  /**
   * secure(): takes away a credit another page still holds (the caller's ended at its call),
   * waiting for that page to let go, and resolves once the bytes of every send a page answered
   * are written, at most `lingerTimeout` later (a page that never lets go loses what it sends
   * after that).
   */
  creditedWritesDone(): Promise<void> {
    this.revokeSendCredit(true, true);
    if (this.creditIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const grant of [...(this.awaiting?.values() ?? [])]) this.finalize(grant);
        done();
      }, this.env.lingerTimeout);
      const done = (): void => {
        clearTimeout(timer);
        this.creditDrained = this.creditDrained?.filter((f) => f !== done);
        resolve();
      };
      (this.creditDrained ??= []).push(done);
    });
  }

  /** No credited byte of the current connection is on its way or being written. */
  private creditIdle(): boolean {
    const wire = this.wire;
    if (wire === undefined) return true;
    return wire.creditedWrites === 0 && ![...(this.awaiting?.values() ?? [])].some((grant) => grant.wire === wire);
  }

  private checkCreditDrained(): void {
    const drained = this.creditDrained;
    if (drained === undefined || drained.length === 0 || !this.creditIdle()) return;
    this.creditDrained = undefined;
    for (const resolve of drained) resolve();
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
    this.handshaking = true;
    return this.discardPlaintext(raw)
      .then(() => this.handshake(raw, hostname, servername, minVersion, maxVersion, host))
      .finally(() => {
        this.handshaking = false;
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
