/**
 * What each side needs of a carrier. Adapters turn a worker_threads MessagePort, a DOM
 * MessagePort, Electron's MessagePortMain or a WebSocket into one of these.
 */
import type { DownMessage, UpMessage } from './protocol';

/** The host's end of one page context's port. */
export interface HostPort {
  /** Sends a batch; `transfer` lists buffers the carrier may move instead of copy. */
  postMessage(message: DownMessage, transfer: ArrayBuffer[]): void;
  /** Registers the one handler for incoming (untrusted) messages. */
  onMessage(handler: (message: unknown) => void): void;
  /** Registers the one handler for the port's end (peer gone, channel closed). */
  onClose(handler: () => void): void;
  close(): void;
  /**
   * Bytes the carrier holds for the page in this process and has not handed on yet (a
   * WebSocket's `bufferedAmount`). Absent where the carrier queues on the page's side.
   */
  readonly backlog?: number;
  /** Registers the one handler called when the backlog may have fallen (the carrier drained). */
  onDrain?(handler: () => void): void;
  /** Stops (true) or resumes (false) reading the page's messages: back-pressure on the page. */
  pauseIncoming?(paused: boolean): void;
}

/** The page's end of the port. */
export interface PagePort {
  postMessage(message: UpMessage, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: DownMessage) => void): void;
  /** Registers a handler for the carrier's end (host gone, channel closed), where it can tell. */
  onClose?(handler: () => void): void;
}
