/**
 * Entry of the prebuilt preload (`require.resolve('electron-chrome-sockets/preload')`), bundled
 * by scripts/build-preload.mjs into one file that requires nothing but `electron`, so it works
 * with `sandbox: true`. Loading it installs chrome.sockets; apps with their own preload call
 * (or just load) `exposeChromeSockets()` — it is idempotent.
 */
import { exposeWith, type InjectionMethod, type MainWorldInstaller, type PreloadEnvironment } from './expose';

// Provided by the bundler: the main-world bundle wrapped in one self-contained function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const installInMainWorld = require('electron-chrome-sockets:main-world-installer') as MainWorldInstaller;

let exposed: InjectionMethod | undefined;

function randomId(): string {
  const bytes = new Uint8Array(16);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Gives this page `chrome.sockets.tcp`, `tcpServer`, `udp` and `chrome.runtime.lastError`, in
 * its main world, connected to the `SocketsHost` that attached this webContents. Call it from a
 * preload script; calling it again does nothing. Returns how the facade was injected.
 */
export function exposeChromeSockets(): InjectionMethod {
  if (exposed !== undefined) return exposed;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const electron = require('electron') as Omit<PreloadEnvironment, 'contextIsolated' | 'window' | 'randomId'>;
  const proc = process as unknown as { contextIsolated?: boolean };
  exposed = exposeWith(
    {
      ipcRenderer: electron.ipcRenderer,
      contextBridge: electron.contextBridge,
      webFrame: electron.webFrame,
      contextIsolated: proc.contextIsolated !== false,
      window: globalThis as unknown as PreloadEnvironment['window'],
      randomId,
    },
    installInMainWorld,
  );
  return exposed;
}

exposeChromeSockets();
