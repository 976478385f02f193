/**
 * The host end of a worker_threads MessagePort (the test host, benchmarks, a facade in a worker).
 */
import type { MessagePort } from 'node:worker_threads';
import type { HostPort } from '../common/port';
import type { DownMessage } from '../common/protocol';

export function hostPortFromNodePort(port: MessagePort): HostPort {
  return {
    postMessage(message: DownMessage, transfer: ArrayBuffer[]) {
      port.postMessage(message, transfer);
    },
    onMessage(handler) {
      port.on('message', handler);
    },
    onClose(handler) {
      port.once('close', handler);
    },
    close() {
      port.close();
    },
  };
}
