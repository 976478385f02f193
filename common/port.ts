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
}

/** The page's end of the port. */
export interface PagePort {
  postMessage(message: UpMessage, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (message: DownMessage) => void): void;
}
