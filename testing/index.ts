/**
 * `electron-chrome-sockets/testing`: a real SocketsHost and the page facade joined by a real
 * worker_threads MessageChannel, so app test suites drive chrome.sockets.* from plain Node.
 */
import { MessageChannel } from 'node:worker_threads';
import type { SocketsManifest } from '../common/api-types';
import { SocketsHost } from '../main/host';
import { hostPortFromNodePort } from '../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../main/permissions';
import type { SocketsHostOptions } from '../main/types';
import { createChromeSockets, type ChromeSockets, type FacadeOptions } from '../preload/facade';
import { pagePortFromMessagePort } from '../preload/page-port';

export interface TestHostOptions extends Omit<SocketsHostOptions, 'tls'> {
  /** The app's manifest "sockets" section. Default: every permission granted. */
  sockets?: SocketsManifest;
  /** Extra trusted CAs for secure(), e.g. a test server's self-signed certificate. */
  tls?: { ca?: string | Buffer | Array<string | Buffer> };
  /** App name the context is attached as. Default `test-app`. */
  app?: string;
  /** Where the facade reports `Unchecked runtime.lastError` and listener errors. */
  console?: FacadeOptions['console'];
}

export interface TestHost {
  /** `chrome.sockets.*` and `chrome.runtime`; `globalThis.chrome = t.chrome` is enough for app code. */
  readonly chrome: ChromeSockets;
  readonly host: SocketsHost;
  /** Closes every socket and the channel; leaves no handle or timer behind. */
  close(): Promise<void>;
}

export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const { sockets, app, console, ...hostOptions } = options;
  const host = new SocketsHost(hostOptions);
  const { port1, port2 } = new MessageChannel();
  host.attachPort(hostPortFromNodePort(port1), {
    app: app ?? 'test-app',
    sockets: sockets ?? ALLOW_ALL_SOCKETS,
    background: true,
    label: 'test host',
  });
  const chrome = createChromeSockets(pagePortFromMessagePort(port2 as never), { console });
  let closed = false;
  return {
    chrome,
    host,
    async close() {
      if (closed) return;
      closed = true;
      await host.dispose();
      port2.close();
    },
  };
}

export type { ChromeSockets } from '../preload/facade';
