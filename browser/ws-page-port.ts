/**
 * The page's end of the browser host's WebSocket: a PagePort whose messages are binary frames.
 * Plain DOM code, no Node.
 */
import { DownFrameAssembler, encodeFrame } from '../common/binary-frame';
import type { PagePort } from '../common/port';
import type { DownMessage, UpMessage } from '../common/protocol';

/**
 * Flow-control credit is sent up in bulk: once this much is owed, or after ACK_DELAY_MS. Each ack
 * is a WebSocket message through the browser's network process, and one per batch cost the page
 * and the host more than the data itself. Credit is only ever late, never early or lost: memory
 * stays bounded by the host's high-water mark. Keep ACK_BYTES well under its low-water mark.
 */
const ACK_BYTES = 256 * 1024;
const ACK_DELAY_MS = 2;

export class WebSocketPagePort implements PagePort {
  private owedAck = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private handler: ((message: DownMessage) => void) | undefined;
  private early: DownMessage[] = [];
  private readonly closeHandlers: Array<(event: CloseEvent) => void> = [];
  /** Joins a batch's frame with the payloads that follow it as messages of their own. */
  private readonly assembler = new DownFrameAssembler();

  /** @param ws an open WebSocket to the browser host's `/ws` endpoint */
  constructor(private readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', this.onWsMessage);
    ws.addEventListener('close', this.onWsClose);
  }

  postMessage(message: UpMessage, _transfer?: ArrayBuffer[]): void {
    if (message.t === 'ack') {
      this.owedAck += message.n;
      if (this.owedAck >= ACK_BYTES) this.flushAck();
      else this.ackTimer ??= setTimeout(this.flushAck, ACK_DELAY_MS);
      return;
    }
    // Credit is not flushed ahead of calls: it only bounds memory, and a message of its own in
    // front of every call would double the messages on a request/response path.
    this.send(message);
  }

  private send(message: UpMessage): void {
    // A closed socket drops silently, like a MessagePort whose other end is gone.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(message));
  }

  private readonly flushAck = (): void => {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.owedAck === 0) return;
    const n = this.owedAck;
    this.owedAck = 0;
    this.send({ t: 'ack', n });
  };

  onMessage(handler: (message: DownMessage) => void): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const message of early) handler(message);
  }

  /** Called once when the connection to the host ends (host stopped, network, refusal). */
  onClose(handler: (event: CloseEvent) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Ends this page context; the host closes its non-persistent sockets as on a page unload. */
  close(): void {
    this.ws.close(1000);
  }

  /** Bytes the page has queued for sending but the browser has not yet written. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  private readonly onWsMessage = (event: MessageEvent): void => {
    if (!(event.data instanceof ArrayBuffer)) return this.fail('text frame from the host');
    let message: DownMessage | undefined;
    try {
      message = this.assembler.push(event.data) as DownMessage | undefined;
    } catch (err) {
      return this.fail(String(err));
    }
    if (message === undefined) return;
    if (this.handler) this.handler(message);
    else this.early.push(message);
  };

  private fail(reason: string): void {
    console.error(`electron-chrome-sockets: closing the browser host connection: ${reason}`);
    this.ws.close(1007);
  }

  private readonly onWsClose = (event: CloseEvent): void => {
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.ws.removeEventListener('message', this.onWsMessage);
    for (const handler of this.closeHandlers) handler(event);
  };
}
