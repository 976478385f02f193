/**
 * Adapts a DOM-style MessagePort (a page's MessagePort, or Node's worker_threads MessagePort,
 * which has the same EventTarget surface) to the facade's PagePort.
 */
import type { PagePort } from '../common/port';
import type { DownMessage, UpMessage } from '../common/protocol';

export interface DomMessagePortLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** Node's MessagePort and recent Chromium fire 'close' when the other end closes. */
  addEventListener(type: 'close', listener: () => void): void;
  start?(): void;
}

export function pagePortFromMessagePort(port: DomMessagePortLike): PagePort {
  return {
    postMessage(message: UpMessage, transfer?: ArrayBuffer[]) {
      port.postMessage(message, transfer ?? []);
    },
    onMessage(handler: (message: DownMessage) => void) {
      port.addEventListener('message', (event) => handler(event.data as DownMessage));
      port.start?.();
    },
    onClose(handler: () => void) {
      port.addEventListener('close', handler);
    },
  };
}
