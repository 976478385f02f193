/**
 * `electron-chrome-sockets/testing`: a real SocketsHost and the page facade joined by a real
 * worker_threads MessageChannel, so app test suites drive chrome.sockets.* from plain Node.
 */
import { MessageChannel } from 'node:worker_threads';
import type { SocketsManifest } from '../common/api-types';
import { chromeAppId } from '../main/app-id';
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
  /** `chrome.runtime.id` (32 letters a–p). Default: Chrome's id derived from `app`. */
  appId?: string;
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
  const { sockets, app, console, appId, ...hostOptions } = options;
  const host = new SocketsHost(hostOptions);
  const { port1, port2 } = new MessageChannel();
  const name = app ?? 'test-app';
  const id = appId ?? chromeAppId(name);
  host.attachPort(hostPortFromNodePort(port1), {
    app: name,
    sockets: sockets ?? ALLOW_ALL_SOCKETS,
    background: true,
    label: 'test host',
    appId: id,
  });
  // The id is known here, so chrome.runtime.id is set before any app code runs.
  const chrome = createChromeSockets(pagePortFromMessagePort(port2 as never), { console, appId: id });
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
