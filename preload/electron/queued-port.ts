/**
 * A PagePort that exists before its carrier does. The facade is installed (and page scripts may
 * call chrome.sockets) before the MessagePort has come back from main, so calls are queued here
 * in order and flushed the moment the port is connected; none is lost or reordered.
 */
import type { PagePort } from '../../common/port';
import type { DownMessage, UpMessage } from '../../common/protocol';

export interface QueuedPagePort extends PagePort {
  /** Plugs in the real port and flushes everything posted so far. Only the first call counts. */
  connect(port: PagePort): boolean;
  readonly connected: boolean;
}

export function createQueuedPagePort(): QueuedPagePort {
  let target: PagePort | undefined;
  let handler: ((message: DownMessage) => void) | undefined;
  let closeHandler: (() => void) | undefined;
  const queue: Array<[UpMessage, ArrayBuffer[] | undefined]> = [];

  return {
    get connected() {
      return target !== undefined;
    },
    postMessage(message, transfer) {
      if (target !== undefined) target.postMessage(message, transfer);
      else queue.push([message, transfer]);
    },
    onMessage(h) {
      handler = h;
      target?.onMessage(h);
    },
    onClose(h) {
      closeHandler = h;
      target?.onClose?.(h);
    },
    connect(port) {
      if (target !== undefined) return false;
      target = port;
      if (handler !== undefined) port.onMessage(handler);
      if (closeHandler !== undefined) port.onClose?.(closeHandler);
      for (const [message, transfer] of queue.splice(0)) port.postMessage(message, transfer);
      return true;
    },
  };
}
