/**
 * The page's end of the browser host's WebSocket: a PagePort whose messages are binary frames.
 * Plain DOM code, no Node.
 */
import { decodeFrame, encodeFrame } from '../common/binary-frame';
import type { PagePort } from '../common/port';
import type { DownMessage, UpMessage } from '../common/protocol';

export class WebSocketPagePort implements PagePort {
  private handler: ((message: DownMessage) => void) | undefined;
  private early: DownMessage[] = [];
  private readonly closeHandlers: Array<(event: CloseEvent) => void> = [];

  /** @param ws an open WebSocket to the browser host's `/ws` endpoint */
  constructor(private readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', this.onWsMessage);
    ws.addEventListener('close', this.onWsClose);
  }

  postMessage(message: UpMessage, _transfer?: ArrayBuffer[]): void {
    // A closed socket drops silently, like a MessagePort whose other end is gone.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame(message));
  }

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
    let message: DownMessage;
    try {
      message = decodeFrame(new Uint8Array(event.data)) as DownMessage;
    } catch (err) {
      return this.fail(String(err));
    }
    if (this.handler) this.handler(message);
    else this.early.push(message);
  };

  private fail(reason: string): void {
    console.error(`electron-chrome-sockets: closing the browser host connection: ${reason}`);
    this.ws.close(1007);
  }

  private readonly onWsClose = (event: CloseEvent): void => {
    this.ws.removeEventListener('message', this.onWsMessage);
    for (const handler of this.closeHandlers) handler(event);
  };
}
