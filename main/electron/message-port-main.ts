/**
 * Adapts Electron's `MessagePortMain` to the host's {@link HostPort}.
 */
import type { HostPort } from '../../common/port';
import type { DownMessage } from '../../common/protocol';
import type { MessagePortMainLike } from './electron-types';

/**
 * Wraps the main-process end of a page context's MessageChannelMain.
 *
 * `MessagePortMain.postMessage` can transfer only other ports, so the `transfer` list is ignored
 * and payload buffers are copied by the structured clone; the host already sends exact
 * ArrayBuffers, so nothing beyond the payload is copied. The port is started when the host
 * registers its message handler: MessagePortMain queues until `start()`, so nothing the page
 * sent first is lost. `onClose` fires once, when the page's end goes away (the renderer
 * closed it, navigated, crashed or was destroyed), never for our own `close()`.
 */
export function hostPortFromMessagePortMain(port: MessagePortMainLike): HostPort {
  let closed = false;
  let closeHandler: (() => void) | undefined;
  let messageHandler: ((message: unknown) => void) | undefined;

  function onPortMessage(messageEvent: { data: unknown }): void {
    if (!closed) messageHandler?.(messageEvent.data);
  }
  function onPortClose(): void {
    if (closed) return;
    closed = true;
    release();
    closeHandler?.();
  }
  function release(): void {
    port.removeListener('message', onPortMessage);
    port.removeListener('close', onPortClose);
  }
  port.on('close', onPortClose);

  return {
    postMessage(message: DownMessage): void {
      if (!closed) port.postMessage(message);
    },
    onMessage(handler): void {
      const first = messageHandler === undefined;
      messageHandler = handler;
      if (first && !closed) {
        port.on('message', onPortMessage);
        port.start();
      }
    },
    onClose(handler): void {
      closeHandler = handler;
    },
    close(): void {
      if (closed) return;
      closed = true;
      release();
      port.close();
    },
  };
}
