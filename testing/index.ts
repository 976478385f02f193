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
import { PageChannel } from '../preload/channel';
import { createDirectSockets, type DirectSockets } from '../preload/direct/direct-sockets';
import { createChromeSockets, type ChromeSockets, type FacadeOptions } from '../preload/facade';
import { createMozTCPSocket, type LegacyMozTCPSocket } from '../preload/moz/moz-tcp-socket';
import { pagePortFromMessagePort } from '../preload/page-port';
import { createW3cSockets, type W3CSockets } from '../preload/w3c/w3c-sockets';
import { createChromeSocket, type ChromeSocketLegacy } from '../preload/legacy/chrome-socket';

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
  readonly chrome: ChromeSockets & {
    /** Legacy `chrome.socket` (Chrome Apps before Chrome 33), with its own socket ids. */
    readonly socket: ChromeSocketLegacy;
  };
  readonly host: SocketsHost;
  /** Direct Sockets' TCPSocket, TCPServerSocket, UDPSocket and MulticastController on the same context. */
  readonly direct: DirectSockets;
  /** `navigator.mozTCPSocket` (open, listen) as Gecko has it. */
  readonly mozTCPSocket: LegacyMozTCPSocket;
  /** The W3C 2013 draft's TCPSocket, TCPServerSocket and UDPSocket (a page's `navigator.w3cSockets`). */
  readonly w3c: W3CSockets;
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
    apis: ['mozTCPSocket', 'direct', 'w3c', 'chrome.socket'],
    appId: id,
  });
  // The id is known here, so chrome.runtime.id is set before any app code runs.
  const channel = new PageChannel(pagePortFromMessagePort(port2 as never));
  const chrome = Object.assign(createChromeSockets(channel, { console, appId: id }), {
    socket: undefined as unknown as ChromeSocketLegacy,
  });
  chrome.socket = createChromeSocket(channel, chrome);
  const direct = createDirectSockets(channel);
  const { mozTCPSocket } = createMozTCPSocket(channel);
  const w3c = createW3cSockets(channel);
  let closed = false;
  return {
    chrome,
    host,
    direct,
    mozTCPSocket,
    w3c,
    async close() {
      if (closed) return;
      closed = true;
      await host.dispose();
      port2.close();
    },
  };
}

export type { ChromeSockets } from '../preload/facade';
