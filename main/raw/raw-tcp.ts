/**
 * A TCP connection for the other socket APIs' facades (mozTCPSocket, W3C 2013, Direct Sockets,
 * legacy chrome.socket): half-open capable, reading either pushed (gated by the app's pause and
 * the context's flow credit, as chrome.sockets) or pulled (only the bytes a reader granted),
 * with writes answered once the OS took the bytes and STARTTLS on the same id.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { NET_ERRORS } from '../../common/net-errors';
import { snapshotBase, type AppState, type ManagedSocket, type SocketSnapshot } from '../app-state';
import type { SocketEnv } from '../socket-env';
import { netErrorFrom } from '../net-error-map';
import type { PageContext } from '../page-context';
import { RawOwner } from './raw-owner';

export type RawTcpState = 'connecting' | 'open' | 'closed';

/** A failure as the facades get it: the net error and Node's own code for the message. */
export interface RawError {
  resultCode: number;
  code?: string;
}

function errorOf(error: unknown, op: 'connect' | 'tls' | 'general'): RawError {
  const code = (error as { code?: unknown })?.code;
  return { resultCode: netErrorFrom(error, op), code: typeof code === 'string' ? code : undefined };
}

/**
 * Bytes one read of a plain TCP connection of these APIs takes from the kernel. Node reads 64 KiB
 * at a time; these connections read into one buffer the host shares (each read is copied out
 * of it before the next one, all on the host's thread), four times as much per read, so a
 * flooded socket costs a quarter of the reads, callbacks and batched events per MiB.
 * `node dist/bench/recv-one-side.js moz 6` and `… direct 6`: mozTCPSocket 2334–2610 MiB/s at
 * 0.26–0.31 host CPU ms per MiB, against 1545–1781 at 0.44–0.56 with 64 KiB reads into the same
 * shared buffer, and 1274–1954 at 0.40–0.66 with Node's own reads; Direct Sockets 1503–1633
 * against 950–1384. In pull mode a read can go up to this much past the reader's credit; the
 * host keeps that surplus until the reader asks again.
 */
export const RAW_READ_BYTES = 256 * 1024;

/** The one read buffer of every plain TCP connection of these APIs (RAW_READ_BYTES). */
let sharedReadBuffer: Buffer | undefined;

interface QueuedWrite {
  data: Buffer;
  done: (error?: RawError) => void;
}

export class RawTcp extends RawOwner implements ManagedSocket {
  readonly kind = 'raw' as const;
  readonly persistent = false;
  readonly name = '';
  state: RawTcpState = 'connecting';
  /** Pull mode: bytes the reader granted and has not been sent yet. */
  credit = 0;
  /** Push mode: the page's suspend (counted in the facade, one flag here). */
  paused = false;
  secure = false;
  hostname = '';

  private socket?: net.Socket;
  /** Pull mode: bytes Node read beyond the credit (at most one Node chunk), sent first. */
  private surplus?: Buffer;
  /** Peer FIN seen while surplus bytes still wait for credit. */
  private endPending = false;
  private peerEnded = false;
  /** Writes made while STARTTLS waits for the plaintext to drain; they go out encrypted. */
  private tlsQueue?: QueuedWrite[];
  private shutdownAfterTls = false;
  private lastError?: RawError;
  private destroyed = false;
  private bytesReceived = 0;
  private bytesSent = 0;
  private localAddress?: string;
  private localPort?: number;
  private peerAddress?: string;
  private peerPort?: number;

  constructor(
    private readonly env: SocketEnv,
    readonly id: number,
    readonly app: AppState,
    ctx: PageContext,
    readonly pull: boolean,
  ) {
    super(ctx);
  }

  get addresses(): { localAddress?: string; localPort?: number; peerAddress?: string; peerPort?: number } {
    return { localAddress: this.localAddress, localPort: this.localPort, peerAddress: this.peerAddress, peerPort: this.peerPort };
  }

  // ---- connect -------------------------------------------------------------------------------

  /** Connects to the first address that answers; rejects with the last failure. */
  connect(
    addresses: readonly { address: string; family: number }[],
    port: number,
    options: { tls?: boolean; servername?: string; noDelay?: boolean; keepAliveDelay?: number; localAddress?: string; localPort?: number },
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let index = 0;
      let last: RawError = { resultCode: NET_ERRORS.CONNECTION_FAILED };
      const next = (): void => {
        if (this.destroyed) return reject({ resultCode: NET_ERRORS.ABORTED });
        if (index >= addresses.length) return reject(last);
        const { address, family } = addresses[index++];
        let socket: net.Socket;
        try {
          const base = {
            host: address,
            port,
            family,
            allowHalfOpen: true,
            localAddress: options.localAddress,
            localPort: options.localPort,
          };
          socket = options.tls
            ? tls.connect({
                ...base,
                servername: options.servername,
                secureContext: this.env.secureContext('TLSv1.2', 'TLSv1.3'),
                rejectUnauthorized: true,
              })
            : net.connect({
                ...base,
                onread: { buffer: (sharedReadBuffer ??= Buffer.allocUnsafeSlow(RAW_READ_BYTES)), callback: this.onRead },
              });
        } catch (error) {
          last = errorOf(error, 'connect');
          return next();
        }
        this.socket = socket;
        const onError = (error: Error): void => {
          socket.destroy();
          if (this.socket !== socket) return;
          this.socket = undefined;
          last = errorOf(error, options.tls ? 'tls' : 'connect');
          next();
        };
        socket.once('error', onError);
        socket.once(options.tls ? 'secureConnect' : 'connect', () => {
          socket.off('error', onError);
          if (this.destroyed) return reject({ resultCode: NET_ERRORS.ABORTED });
          socket.setNoDelay(options.noDelay === true);
          if (options.keepAliveDelay !== undefined) socket.setKeepAlive(true, options.keepAliveDelay);
          this.secure = options.tls === true;
          this.attach(socket);
          resolve();
        });
      };
      next();
    });
  }

  /** A connection a raw server accepted: open from birth. */
  adopt(socket: net.Socket): void {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    // Paused until updateReading() decides; no byte is read before the page has the socket.
    socket.pause();
    this.socket = socket;
    this.state = 'open';
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.peerAddress = socket.remoteAddress;
    this.peerPort = socket.remotePort;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Reads only while nothing holds it: in pull mode the reader's credit, in push mode the
   * page's suspend; in both the context's flow credit (one mechanism for push and pull).
   */
  updateReading(): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'open' || this.tlsQueue !== undefined) return;
    if (this.pull && this.credit > 0 && this.surplus !== undefined) {
      const rest = this.surplus;
      this.surplus = undefined;
      this.deliver(rest);
      if (this.surplus === undefined && this.endPending) {
        this.endPending = false;
        this.emit('onEnd', {});
      }
    }
    const want = !this.app.flowBlocked && (this.pull ? this.credit > 0 && this.surplus === undefined : !this.paused);
    if (want && !this.peerEnded) {
      if (socket.isPaused()) socket.resume();
    } else if (!socket.isPaused()) {
      socket.pause();
    }
  }

  /** Pull mode: the reader asks for `bytes` more. */
  grant(bytes: number): void {
    this.credit += bytes;
    this.updateReading();
  }

  /**
   * A read into the shared buffer: copied out at once into a buffer of its own, which then moves
   * whole. True: reading goes on unless onData paused the socket.
   */
  private readonly onRead = (nread: number, buffer: Uint8Array): boolean => {
    const chunk = Buffer.allocUnsafeSlow(nread);
    chunk.set(buffer.subarray(0, nread));
    this.onData(chunk);
    return true;
  };

  private readonly onData = (chunk: Buffer): void => {
    this.bytesReceived += chunk.byteLength;
    this.deliver(chunk);
    if (this.pull && this.credit === 0) this.socket?.pause();
  };

  /**
   * Sends `chunk` down, in pull mode only what the credit covers; the rest waits as surplus.
   * The context sends everything one wake-up read as one batch at the end of the poll phase
   * (libuv reads a flooded socket up to 32 times per wake-up, each a task of its own).
   */
  private deliver(chunk: Buffer): void {
    let out = chunk;
    if (this.pull) {
      if (chunk.byteLength > this.credit) {
        this.surplus = chunk.subarray(this.credit);
        out = chunk.subarray(0, this.credit);
      }
      this.credit -= out.byteLength;
    }
    if (out.byteLength === 0 || this.destroyed) return;
    // A chunk that owns its buffer moves whole.
    const transferable = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength;
    this.ctx.enqueueEvent('raw', 'onData', { socketId: this.id }, out, transferable);
    this.ctx.flushIfFull();
  }

  /** Peer FIN: the socket stays writable (allowHalfOpen); the facade decides what it means. */
  private readonly onEnd = (): void => {
    this.peerEnded = true;
    if (this.surplus !== undefined) this.endPending = true;
    else this.emit('onEnd', {});
  };

  private readonly onError = (error: Error): void => {
    this.lastError ??= errorOf(error, this.secure ? 'tls' : 'general');
  };

  private readonly onClose = (): void => {
    this.finish();
  };

  /** The one end of a connection: error (if any), then close, then the id is gone. */
  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) this.detach(socket);
    this.failQueue({ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED });
    if (this.lastError !== undefined) this.emit('onError', { ...this.lastError });
    this.emit('onClose', { hadError: this.lastError !== undefined });
    this.env.removeSocket(this);
  }

  private emit(ev: string, arg: Record<string, unknown>): void {
    if (this.destroyed) return;
    this.ctx.enqueueEvent('raw', ev, { socketId: this.id, ...arg });
  }

  // ---- writing -------------------------------------------------------------------------------

  /** Resolves when Node handed every byte to the OS; a failure rejects with the error. */
  write(data: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: RawError): void => (error === undefined ? resolve() : reject(error));
      if (this.tlsQueue !== undefined) {
        this.tlsQueue.push({ data, done });
        return;
      }
      this.writeNow(data, done);
    });
  }

  private writeNow(data: Buffer, done: (error?: RawError) => void): void {
    const socket = this.socket;
    if (socket === undefined || this.state !== 'open' || socket.writableEnded) {
      return done({ resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED });
    }
    socket.write(data, (error) => {
      if (error == null) {
        this.bytesSent += data.byteLength;
        return done();
      }
      done(errorOf(error, 'general'));
    });
  }

  private failQueue(error: RawError): void {
    const queue = this.tlsQueue;
    this.tlsQueue = undefined;
    for (const entry of queue ?? []) entry.done(error);
  }

  /** Half-close: FIN once every queued write went out; reading goes on. */
  shutdown(): void {
    if (this.tlsQueue !== undefined) {
      this.shutdownAfterTls = true;
      return;
    }
    this.socket?.end();
  }

  /** Graceful: flush, FIN, then close; abortive: drop whatever Node still holds. */
  close(graceful: boolean): void {
    const socket = this.socket;
    if (socket === undefined || this.state === 'closed') {
      if (this.state === 'connecting') this.destroy();
      return;
    }
    if (!graceful || this.tlsQueue !== undefined) {
      socket.destroy();
      return;
    }
    socket.end(() => socket.destroy());
  }

  // ---- TLS -----------------------------------------------------------------------------------

  /**
   * STARTTLS on the same id. Plaintext already written goes out first; writes made meanwhile
   * wait and are encrypted. Resolves once the handshake succeeded; a failure also ends the
   * socket (error, then close).
   */
  async startTls(servername: string | undefined): Promise<void> {
    const raw = this.socket;
    if (raw === undefined || this.state !== 'open') throw { resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED } satisfies RawError;
    if (this.secure) return;
    this.secure = true;
    this.tlsQueue = [];
    raw.pause();
    // Written plaintext first: a zero-byte write's callback comes after every earlier one.
    await new Promise<void>((resolve) => raw.write(Buffer.alloc(0), () => resolve()));
    if (this.socket !== raw || this.state !== 'open') throw { resultCode: NET_ERRORS.CONNECTION_CLOSED } satisfies RawError;
    this.detach(raw);
    let secure: tls.TLSSocket;
    try {
      const name = servername ?? (net.isIP(this.hostname) === 0 ? this.hostname : undefined);
      secure = tls.connect({
        socket: raw,
        host: this.hostname,
        servername: name,
        secureContext: this.env.secureContext('TLSv1.2', 'TLSv1.3'),
        rejectUnauthorized: true,
      });
    } catch (error) {
      this.lastError = errorOf(error, 'tls');
      raw.destroy();
      this.finish();
      throw this.lastError;
    }
    // Not attach() yet: pausing a TLS socket before its handshake would stall the handshake.
    this.socket = secure;
    secure.on('error', this.onError);
    secure.on('close', this.onClose);
    const queue = this.tlsQueue;
    this.tlsQueue = undefined;
    // Node's TLSSocket holds writes made before the handshake and encrypts them after it.
    for (const entry of queue) this.writeNow(entry.data, entry.done);
    if (this.shutdownAfterTls) secure.end();
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => {
        const { localAddress, localPort, peerAddress, peerPort } = this;
        secure.off('error', this.onError);
        secure.off('close', this.onClose);
        this.attach(secure);
        Object.assign(this, { localAddress, localPort, peerAddress, peerPort });
        this.updateReading();
        resolve();
      });
      secure.once('close', () => reject(this.lastError ?? { resultCode: NET_ERRORS.CONNECTION_CLOSED }));
    });
  }

  // ---- options and info ----------------------------------------------------------------------

  setOptions(options: { noDelay?: boolean; keepAlive?: boolean; keepAliveDelay?: number }): void {
    const socket = this.socket;
    if (socket === undefined) throw { resultCode: NET_ERRORS.SOCKET_NOT_CONNECTED } satisfies RawError;
    if (options.noDelay !== undefined) socket.setNoDelay(options.noDelay);
    if (options.keepAlive !== undefined) socket.setKeepAlive(options.keepAlive, options.keepAliveDelay ?? 0);
  }

  /** Bytes the host holds for this socket: Node's read and write buffers and the surplus. */
  get heldBytes(): number {
    const s = this.socket;
    return (s?.readableLength ?? 0) + (s?.writableLength ?? 0) + (this.surplus?.byteLength ?? 0);
  }

  info(): Record<string, unknown> {
    return {
      socketId: this.id,
      socketType: 'tcp',
      connected: this.state === 'open',
      ...this.addresses,
    };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.failQueue({ resultCode: NET_ERRORS.ABORTED });
    const socket = this.socket;
    this.socket = undefined;
    this.state = 'closed';
    if (socket !== undefined) {
      this.detach(socket);
      socket.on('error', () => {});
      socket.destroy();
    }
  }

  snapshot(): SocketSnapshot {
    return {
      ...snapshotBase({ ...this, pausedBy: this.paused ? 'app' : undefined }, this.state, this.state === 'open'),
      localAddress: this.localAddress,
      localPort: this.localPort,
      peerAddress: this.peerAddress,
      peerPort: this.peerPort,
      secure: this.secure,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      messagesReceived: 0,
      messagesSent: 0,
    };
  }
}
