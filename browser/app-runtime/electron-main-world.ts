/**
 * The Electron mode's main-world part of an app page: the app runtime (start.ts) on the
 * MessagePort the app preload posts in. Bundled alone into one self-contained function (as the
 * plain preload's main-world.ts is, scripts/build-preload.mjs) that the app preload runs with
 * `contextBridge.executeInMainWorld` before the page's first script.
 */
import { connectWhenPosted, type MainWorldConfig, type MainWorldGlobal } from '../../preload/electron/main-world';
import { createQueuedPagePort } from '../../preload/electron/queued-port';
import type { AppConfig } from '../../preload/app-runtime/app-config';
import { startAppRuntime, type RunnerWindow } from './start';

const INSTALLED = Symbol.for('electron-chrome-sockets.app-runtime-installed');

/** Installs chrome.* for this app page; false when already installed or not an app page. */
export function installAppRuntime(config: MainWorldConfig, global = globalThis as unknown as MainWorldGlobal & RunnerWindow): boolean {
  const marks = global as unknown as Record<symbol, boolean>;
  if (marks[INSTALLED] || config.app === undefined || config.app === null) return false;
  marks[INSTALLED] = true;
  const app = config.app as AppConfig;
  global.__ecsAppConfig = app;
  const port = createQueuedPagePort();
  connectWhenPosted(port, config.token, global);
  // The port is main's: its attach already knows whether this page is the background page.
  startAppRuntime(global, app, port, { needsToken: false, connect: () => undefined });
  return true;
}
