/**
 * Entry of the Chrome App runner's preload in Electron (dist/preload/app-preload.js, bundled by
 * scripts/build-preload.mjs to require nothing but `electron`, so it works with `sandbox: true`).
 * Asks main for the page's AppConfig (null for a page the runner did not launch), installs the
 * app runtime in the main world (chrome.* per the manifest's permissions, chrome.app.window on
 * window.open) and connects it to the host through the same port hand-off as the plain preload.
 */
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { exposeWith, type MainWorldInstaller, type PreloadEnvironment } from '../electron/expose';

// Provided by the bundler: browser/app-runtime/electron-main-world.ts as one self-contained function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const installInMainWorld = require('electron-chrome-sockets:main-world-installer') as MainWorldInstaller;

function randomId(): string {
  const bytes = new Uint8Array(16);
  (globalThis as unknown as { crypto: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Installs the app runtime; does nothing for a page the runner does not know. */
export function exposeAppRuntime(env: PreloadEnvironment, installer: MainWorldInstaller): boolean {
  let app: unknown;
  try {
    app = env.ipcRenderer.sendSync?.(ELECTRON_CHANNELS.appConfig);
  } catch {
    app = undefined;
  }
  if (typeof app !== 'object' || app === null) return false;
  exposeWith(env, installer, { app });
  return true;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const electron = require('electron') as Omit<PreloadEnvironment, 'contextIsolated' | 'window' | 'randomId'>;
exposeAppRuntime(
  {
    ipcRenderer: electron.ipcRenderer,
    contextBridge: electron.contextBridge,
    webFrame: electron.webFrame,
    contextIsolated: (process as unknown as { contextIsolated?: boolean }).contextIsolated !== false,
    window: globalThis as unknown as PreloadEnvironment['window'],
    randomId,
  },
  installInMainWorld,
);
