/**
 * chrome.runtime.connect / onConnect in a page: Chrome's Port (extensions/renderer/gin_port.cc)
 * over the host's runtime channels (main/app-services/runtime/ports.ts). The page listens to the
 * port events on the wire from its start and decides when one arrives, as Chrome's renderer
 * does: an onConnect with no listener here closes this page's end at once.
 */
import { encodeMessage, NO_RECEIVER } from '../../common/runtime-messages';
import { ChromeEventImpl } from '../chrome-event';
import type { PortClient } from '../facade';

type AnyFunction = (...args: any[]) => any;

const DISCONNECTED = 'Attempting to use a disconnected port object';
const CONNECT_SIGNATURE = 'runtime.connect(optional string extensionId, optional object connectInfo)';

/** Port.postMessage's message as UTF-8 JSON bytes; Chrome's errors when JSON cannot carry it or it is too long. */
function serialize(message: unknown): ArrayBuffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(message === undefined ? null : message);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw new Error('Could not serialize message.');
  return encodeMessage(text);
}

/** What chrome.runtime gets: connect and onConnect. */
export interface RuntimePorts {
  connect(...args: unknown[]): Record<string, unknown>;
  readonly onConnect: ChromeEventImpl<AnyFunction>;
}

export function createRuntimePorts(client: PortClient, appId: string, url: string): RuntimePorts {
  const ports = new Map<number, Port>();
  let nextPortId = 1;

  class Port {
    readonly api: Record<string, unknown>;
    private readonly onMessage = new ChromeEventImpl<AnyFunction>('Port.onMessage', () => undefined, client.console);
    private readonly onDisconnect = new ChromeEventImpl<AnyFunction>('Port.onDisconnect', () => undefined, client.console);
    private open = true;

    constructor(
      private readonly id: number,
      name: string,
      sender: Record<string, unknown> | undefined,
    ) {
      const post = (message: unknown): void => {
        if (!this.open) throw new Error(DISCONNECTED);
        void client.call('runtime', 'postPortMessage', [this.id, serialize(message)], () => undefined);
      };
      const disconnect = (): void => {
        // Chrome does not throw for a second disconnect(), and this end hears nothing.
        if (!this.open) return;
        this.close();
        void client.call('runtime', 'disconnectPort', [this.id], () => undefined);
      };
      this.api = { name, onMessage: this.onMessage, onDisconnect: this.onDisconnect, postMessage: post, disconnect };
      if (sender !== undefined) this.api.sender = sender;
      ports.set(id, this);
    }

    private close(): void {
      this.open = false;
      ports.delete(this.id);
    }

    message(payload: string): void {
      if (this.open) this.onMessage.dispatch(JSON.parse(payload), this.api);
    }

    /** The other end went away (or never came: `error`); onDisconnect runs with lastError set. */
    disconnected(error?: string): void {
      if (!this.open) return;
      this.close();
      client.callWithLastError('Port.onDisconnect', error, () => this.onDisconnect.dispatch(this.api), []);
    }
  }

  const onConnect = new ChromeEventImpl<AnyFunction>('runtime.onConnect', () => undefined, client.console);

  // Listened to from the start, so the host offers this page every channel (see the header).
  client.event('runtime', 'onConnect').addListener((arg: { portId: number; name: string; url: string }) => {
    if (!onConnect.hasListeners()) {
      void client.call('runtime', 'portOpened', [arg.portId, false], () => undefined);
      return;
    }
    const port = new Port(arg.portId, arg.name, { id: appId, url: arg.url });
    // Before the listeners run: a disconnect() inside one must reach the host after this.
    void client.call('runtime', 'portOpened', [arg.portId, true], () => undefined);
    onConnect.dispatch(port.api);
  });
  client
    .event('runtime', 'onPortMessage')
    .addListener((arg: { portId: number; payload: string }) => ports.get(arg.portId)?.message(arg.payload));
  client.event('runtime', 'onPortDisconnect').addListener((arg: { portId: number }) => ports.get(arg.portId)?.disconnected());

  return {
    onConnect,
    connect(...args: unknown[]) {
      let [extensionId, connectInfo] = args;
      if (args.length > 2) throw new TypeError(`Error in invocation of ${CONNECT_SIGNATURE}: No matching signature.`);
      if (typeof extensionId !== 'string' && extensionId !== undefined && extensionId !== null) {
        if (args.length === 2) throw new TypeError(`Error in invocation of ${CONNECT_SIGNATURE}: No matching signature.`);
        [extensionId, connectInfo] = [undefined, extensionId];
      }
      if (connectInfo !== undefined && connectInfo !== null && (typeof connectInfo !== 'object' || Array.isArray(connectInfo))) {
        throw new TypeError(`Error in invocation of ${CONNECT_SIGNATURE}: No matching signature.`);
      }
      const name = (connectInfo as { name?: unknown } | null | undefined)?.name;
      if (name !== undefined && typeof name !== 'string') {
        throw new TypeError(
          `Error in invocation of ${CONNECT_SIGNATURE}: Error at parameter 'connectInfo': Error at property 'name': Invalid type: expected string, found ${name === null ? 'null' : typeof name}.`,
        );
      }
      const port = new Port(nextPortId++, name ?? '', undefined);
      const id = nextPortId - 1;
      if (typeof extensionId === 'string' && extensionId !== appId) {
        // Other extensions and apps have nowhere to be reached; Chrome says so asynchronously.
        queueMicrotask(() => port.disconnected(NO_RECEIVER));
      } else {
        (client.call('runtime', 'connect', [id, name ?? '', url]) as Promise<unknown>).then(undefined, (error: Error) =>
          port.disconnected(error.message),
        );
      }
      return port.api;
    },
  };
}
