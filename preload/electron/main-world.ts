/**
 * What runs in the page's MAIN world: the facade, wired to the port the preload posts in.
 *
 * The facade must live in the main world, not behind contextBridge: Chrome's
 * `chrome.runtime.lastError` is read synchronously inside callbacks, `removeListener` must find
 * the very function given to `addListener`, and ArrayBuffers must be the page's own. A
 * contextBridge proxy would wrap every function and copy every value across the boundary.
 *
 * This module is bundled on its own (scripts/build-preload.mjs) into one self-contained
 * function that the preload runs with `contextBridge.executeInMainWorld`, so it must not
 * capture anything from the preload's world; everything it needs comes in `config`.
 */
import { MAIN_WORLD_PORT_TAG, type MainWorldPortMessage } from '../../common/electron-channels';
import { PageChannel } from '../channel';
import { createDirectSockets } from '../direct/direct-sockets';
import { createChromeSockets, type ChromeSockets } from '../facade';
import { createMozTCPSocket } from '../moz/moz-tcp-socket';
import { createChromeSocket } from '../legacy/chrome-socket';
import { createW3cSockets } from '../w3c/w3c-sockets';
import { pagePortFromMessagePort } from '../page-port';
import { createQueuedPagePort, type QueuedPagePort } from './queued-port';

export interface MainWorldConfig {
  /** A per-page secret: only the preload knows it, so page scripts cannot pass off a port. */
  readonly token: string;
  /** Socket APIs besides chrome.sockets to install (`'mozTCPSocket'`, `'direct'`), from the attach. */
  readonly apis?: readonly string[];
  /** The Chrome App runner's page configuration (its app preload only). */
  readonly app?: unknown;
}

/** The DOM this module touches, typed structurally (the project compiles without lib.dom). */
interface MessageEventLike {
  readonly source: unknown;
  readonly data: unknown;
  readonly ports: readonly unknown[];
  stopImmediatePropagation(): void;
}

export interface MainWorldGlobal {
  chrome?: unknown;
  console: { error(...args: unknown[]): void };
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void, capture: boolean): void;
  removeEventListener(type: 'message', listener: (event: MessageEventLike) => void, capture: boolean): void;
}

type DomPort = Parameters<typeof pagePortFromMessagePort>[0];

const INSTALLED = Symbol.for('electron-chrome-sockets.installed');

function isOurPortMessage(data: unknown, token: string): data is MainWorldPortMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { tag, token: t } = data as Record<string, unknown>;
  return tag === MAIN_WORLD_PORT_TAG && t === token;
}

/**
 * Puts chrome.sockets.tcp / tcpServer / udp and chrome.runtime.lastError on an existing
 * `window.chrome` (creating only what is missing, never replacing `chrome` or `chrome.runtime`).
 */
export function augmentChrome(global: MainWorldGlobal, api: ChromeSockets): void {
  if (typeof global.chrome !== 'object' || global.chrome === null) global.chrome = {};
  const chrome = global.chrome as Record<string, unknown>;
  if (typeof chrome.sockets !== 'object' || chrome.sockets === null) chrome.sockets = {};
  Object.assign(chrome.sockets as object, api.sockets);
  const lastError = {
    get: () => api.runtime.lastError,
    configurable: true,
    enumerable: true,
  };
  if (typeof chrome.runtime === 'object' && chrome.runtime !== null) {
    Object.defineProperty(chrome.runtime, 'lastError', lastError);
  } else {
    chrome.runtime = Object.defineProperty({}, 'lastError', lastError);
  }
}

/**
 * Connects `port` to the MessagePort the preload posts to this window with this page's token.
 * Must run before any page script (it listens in the capture phase, so page listeners never
 * see the hand-off).
 */
export function connectWhenPosted(port: QueuedPagePort, token: string, global: MainWorldGlobal): void {
  const onMessage = (event: MessageEventLike): void => {
    // Only a message the preload posted to this very window, carrying this page's token.
    if (event.source !== global || !isOurPortMessage(event.data, token) || event.ports.length !== 1) return;
    event.stopImmediatePropagation();
    global.removeEventListener('message', onMessage, true);
    port.connect(pagePortFromMessagePort(event.ports[0] as DomPort));
  };
  global.addEventListener('message', onMessage, true);
}

/**
 * Installs chrome.sockets in this world and waits for the preload's port. Returns false when it
 * was already installed in this world (a second preload call, or no context isolation).
 */
export function installChromeSockets(config: MainWorldConfig, global = globalThis as unknown as MainWorldGlobal): boolean {
  const marks = global as unknown as Record<symbol, boolean>;
  if (marks[INSTALLED]) return false;
  marks[INSTALLED] = true;

  const port = createQueuedPagePort();
  connectWhenPosted(port, config.token, global);
  const channel = new PageChannel(port);
  const chrome = createChromeSockets(channel, { console: global.console });
  augmentChrome(global, chrome);
  if (config.apis?.includes('chrome.socket')) {
    // Legacy chrome.socket (before Chrome 33), beside chrome.sockets on the same chrome object.
    (global.chrome as Record<string, unknown>).socket = createChromeSocket(channel, chrome);
  }
  installOtherApis(global, channel, config.apis ?? []);
  return true;
}

/** navigator.mozTCPSocket, navigator.w3cSockets and the Direct Sockets globals, as the attach chose (one channel for all). */
function installOtherApis(global: MainWorldGlobal, channel: PageChannel, apis: readonly string[]): void {
  const g = global as unknown as Record<string, unknown>;
  if (apis.includes('mozTCPSocket')) {
    if (typeof g.navigator !== 'object' || g.navigator === null) g.navigator = {};
    Object.defineProperty(g.navigator, 'mozTCPSocket', {
      value: createMozTCPSocket(channel).mozTCPSocket,
      configurable: true,
      enumerable: true,
    });
  }
  if (apis.includes('w3c')) {
    if (typeof g.navigator !== 'object' || g.navigator === null) g.navigator = {};
    // The 2013 draft's constructor names clash with Direct Sockets': they get a namespace.
    Object.defineProperty(g.navigator, 'w3cSockets', { value: createW3cSockets(channel), configurable: true, enumerable: true });
  }
  if (apis.includes('direct')) {
    for (const [name, value] of Object.entries(createDirectSockets(channel))) {
      Object.defineProperty(g, name, { value, configurable: true, writable: true, enumerable: false });
    }
  }
}
