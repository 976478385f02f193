/**
 * The preload's part (isolated world): install the facade in the main world, ask main for a
 * port, and pass the port into the main world with `window.postMessage` — Electron's documented
 * "main process ↔ main world of a context-isolated page" pattern (docs/tutorial/message-ports.md).
 *
 * Written against injected slices of `electron` so it can be tested in Node with fakes; the
 * prebuilt bundle passes the real modules.
 */
import {
  ELECTRON_CHANNELS,
  ELECTRON_GLUE_VERSION,
  MAIN_WORLD_PORT_TAG,
  type MainWorldPortMessage,
  type PortRequest,
} from '../../common/electron-channels';
import type { MainWorldConfig } from './main-world';

/** A self-contained function that installs the facade in the world it runs in. */
export type MainWorldInstaller = (config: MainWorldConfig) => unknown;

/** The parts of `electron` (renderer side) and of the preload's `window` used here. */
export interface PreloadEnvironment {
  ipcRenderer: {
    send(channel: string, ...args: unknown[]): void;
    /** Absent in old fakes: then the page gets chrome.sockets only. */
    sendSync?(channel: string, ...args: unknown[]): unknown;
    on(channel: string, listener: (event: { readonly ports: readonly unknown[] }, ...args: unknown[]) => void): unknown;
  };
  contextBridge?: { executeInMainWorld?(script: { func: (...args: never[]) => unknown; args?: unknown[] }): unknown };
  webFrame?: { executeJavaScript(code: string): Promise<unknown> };
  /** `process.contextIsolated`: false means the preload already runs in the main world. */
  contextIsolated: boolean;
  window: { postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void };
  /** Random ids; `crypto.getRandomValues` is in every renderer, sandboxed or not. */
  randomId(): string;
}

/** The socket APIs besides chrome.sockets that main's attach gave this page; only known names. */
function askForApis(env: PreloadEnvironment): string[] {
  let answer: unknown;
  try {
    answer = env.ipcRenderer.sendSync?.(ELECTRON_CHANNELS.apis);
  } catch {
    return [];
  }
  return Array.isArray(answer)
    ? answer.filter((a): a is string => a === 'mozTCPSocket' || a === 'direct' || a === 'w3c' || a === 'chrome.socket')
    : [];
}

/** How the facade got into the main world, for diagnostics and tests. */
export type InjectionMethod = 'same-world' | 'executeInMainWorld' | 'executeJavaScript';

/**
 * Installs chrome.sockets for this page and connects it to main. Calls made by page scripts
 * before the port arrives are queued by the facade's port and sent once it does.
 */
export function exposeWith(
  env: PreloadEnvironment,
  installer: MainWorldInstaller,
  extra: Pick<MainWorldConfig, 'app'> = {},
): InjectionMethod {
  const config: MainWorldConfig = { token: env.randomId(), apis: askForApis(env), ...extra };
  const request: PortRequest = { v: ELECTRON_GLUE_VERSION, page: env.randomId() };
  let havePort = false;

  const askForPort = (): void => env.ipcRenderer.send(ELECTRON_CHANNELS.requestPort, request);

  env.ipcRenderer.on(ELECTRON_CHANNELS.port, (event) => {
    const [port] = event.ports;
    if (havePort || port === undefined) return;
    havePort = true;
    const message: MainWorldPortMessage = { tag: MAIN_WORLD_PORT_TAG, token: config.token };
    env.window.postMessage(message, '*', [port]);
  });
  // Main was attached after this page asked (and was ignored): ask again.
  env.ipcRenderer.on(ELECTRON_CHANNELS.attached, () => {
    if (!havePort) askForPort();
  });

  if (!env.contextIsolated) {
    installer(config);
    askForPort();
    return 'same-world';
  }
  const executeInMainWorld = env.contextBridge?.executeInMainWorld;
  if (typeof executeInMainWorld === 'function') {
    // Synchronous, before any page script: chrome.sockets is there for the page's first line.
    executeInMainWorld.call(env.contextBridge, { func: installer as (...args: never[]) => unknown, args: [config] });
    askForPort();
    return 'executeInMainWorld';
  }
  if (env.webFrame === undefined)
    throw new Error('electron-chrome-sockets: neither contextBridge.executeInMainWorld nor webFrame is available');
  // Electron before 35: no executeInMainWorld. executeJavaScript is asynchronous, so the port is
  // requested only once the facade's listener is in place.
  void env.webFrame.executeJavaScript(`(${installer.toString()})(${JSON.stringify(config)})`).then(askForPort);
  return 'executeJavaScript';
}

// ---- drift checks: Electron's renderer types must still fit the slices above ------------------

/* eslint-disable @typescript-eslint/no-unused-vars */
function checkElectronTypes(
  ipcRenderer: import('electron').IpcRenderer,
  contextBridge: import('electron').ContextBridge,
  webFrame: import('electron').WebFrame,
): void {
  const i: PreloadEnvironment['ipcRenderer'] = ipcRenderer;
  const c: NonNullable<PreloadEnvironment['contextBridge']> = contextBridge;
  const w: NonNullable<PreloadEnvironment['webFrame']> = webFrame;
  // The port arrives on the event's `ports`, as Electron types it.
  ipcRenderer.on('x', (event) => {
    const ports: readonly unknown[] = event.ports;
  });
}
void checkElectronTypes;
