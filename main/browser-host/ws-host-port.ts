/**
 * The host's end of one page context over a `ws` WebSocket: each protocol message is one binary
 * WebSocket message in the binary-frame format. WebSocket delivery is ordered, so results and
 * events keep the order the host gave them.
 */
import type { WebSocket } from 'ws';
import { decodeFrame, encodeDownParts, FrameError } from '../../common/binary-frame';
import type { HostPort } from '../../common/port';
import type { DownMessage } from '../../common/protocol';

/** The connection's TCP socket, corked while one message's fragments are written. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** The TCP socket's 'drain': its write buffer emptied. */
  on?(event: 'drain', listener: () => void): unknown;
}

/** Close codes (RFC 6455 §7.4.1). */
const UNSUPPORTED_DATA = 1003;
const INVALID_PAYLOAD = 1007;
const MESSAGE_TOO_BIG = 1009;

/** Largest JSON header of one message from a page, unless the server says otherwise. */
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;

export class WebSocketHostPort implements HostPort {
  private messageHandler: ((message: unknown) => void) | undefined;
  private closeHandler: (() => void) | undefined;
  /** Messages that arrived before the host registered its handler. */
  private early: unknown[] = [];
  private closed = false;
  private corked = false;

  /**
   * @param ws an open server-side WebSocket (binaryType `nodebuffer`)
   * @param log where protocol violations are reported
   * @param label names the peer in log lines
   * @param socket the upgraded TCP socket under `ws`: corking it makes one message's fragments
   *   one write
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly log: (line: string) => void,
    private readonly label: string,
    private readonly socket?: Corkable,
    /** Largest JSON header accepted from the page; past it the connection closes with 1009. */
    private readonly maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES,
  ) {
    ws.on('message', this.onWsMessage);
    ws.on('close', this.onWsClose);
    // Without a listener an 'error' (e.g. maxPayload exceeded) would be thrown; ws closes next.
    ws.on('error', this.onWsError);
  }

  postMessage(message: DownMessage, _transfer: ArrayBuffer[]): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const { frame: parts, payloads } = encodeDownParts(message);
    if (this.socket === undefined) {
      this.ws.send(parts.length === 1 ? parts[0] : Buffer.concat(parts), { binary: true });
      for (const payload of payloads) this.ws.send(payload, { binary: true });
      return;
    }
    // Every message of this event-loop turn goes out in one write: on loopback each write
    // wakes the browser's network thread, and one wake per read from the network costs the
    // browser more than the bytes do. The socket is uncorked before the loop polls again.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    // Header and inline payloads as fragments of one WebSocket message: the payload bytes go
    // from the host's buffers to the kernel without another copy. Large payloads follow as
    // messages of their own (binary-frame.ts encodeDownParts), which the page keeps as they come.
    const last = parts.length - 1;
    for (let i = 0; i <= last; i++) this.ws.send(parts[i], { binary: true, fin: i === last });
    for (const payload of payloads) this.ws.send(payload, { binary: true });
  }

  onMessage(handler: (message: unknown) => void): void {
    this.messageHandler = handler;
    const early = this.early;
    this.early = [];
    for (const message of early) handler(message);
  }

  /** The socket's write buffer emptied: the backlog fell. */
  onDrain(handler: () => void): void {
    this.socket?.on?.('drain', handler);
  }

  /** Stops reading the page's frames (TCP back-pressure on the page) or resumes. */
  pauseIncoming(paused: boolean): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (paused) this.ws.pause();
    else this.ws.resume();
  }

  onClose(handler: () => void): void {
    this.closeHandler = handler;
    if (this.closed) queueMicrotask(handler);
  }

  close(): void {
    if (this.ws.readyState === this.ws.CONNECTING || this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }

  /** Bytes queued in the WebSocket but not yet written to the TCP socket. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** What this process holds for the page: the WebSocket's buffered amount. */
  get backlog(): number {
    return this.ws.bufferedAmount;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket?.uncork();
  };

  private readonly onWsMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
    if (this.closed) return;
    if (!isBinary) return this.reject(UNSUPPORTED_DATA, 'text frame');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (bytes.byteLength >= 4) {
      const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
      if (headerBytes > this.maxHeaderBytes) {
        return this.reject(MESSAGE_TOO_BIG, `message header of ${headerBytes} bytes is over the limit of ${this.maxHeaderBytes}`);
      }
    }
    let message: unknown;
    try {
      message = decodeFrame(bytes, { maxHeaderBytes: this.maxHeaderBytes });
    } catch (err) {
      return this.reject(INVALID_PAYLOAD, err instanceof FrameError ? err.message : String(err));
    }
    if (this.messageHandler) this.messageHandler(message);
    else this.early.push(message);
  };

  /** A peer that breaks the framing is not talking to us: drop it, never the host. */
  private reject(code: number, reason: string): void {
    // Nothing more from this page is taken, whatever else it had already sent.
    this.ws.off('message', this.onWsMessage);
    this.log(`browser-host: closing ${this.label}: ${reason}`);
    this.ws.close(code, code === MESSAGE_TOO_BIG ? 'message too big' : 'malformed frame');
  }

  private readonly onWsError = (err: Error): void => {
    this.log(`browser-host: connection ${this.label}: ${err.message}`);
  };

  private readonly onWsClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.ws.off('message', this.onWsMessage);
    this.closeHandler?.();
  };
}
