/**
 * Every Electron IPC channel and window-message tag the package uses, in one place. The glue in
 * main/electron and preload/electron imports these; no other file spells a channel name.
 *
 * The IPC channels only set up a page context: one request up, one port down. Everything after
 * that (calls, results, events) travels over the MessagePort in order (ARCHITECTURE.md).
 */
export const ELECTRON_CHANNELS = {
  /** preload → main: "this page wants a port". Payload: {@link PortRequest}. */
  requestPort: 'electron-chrome-sockets:request-port',
  /** main → preload (via WebFrameMain.postMessage): the page's end of a fresh MessageChannelMain. */
  port: 'electron-chrome-sockets:port',
  /**
   * main → preload: the webContents was attached after its page loaded; a preload that has no
   * port yet asks again (its first request was ignored because nothing was attached then).
   */
  attached: 'electron-chrome-sockets:attached',
  /**
   * preload → main (ipcRenderer.sendSync, once per page load, before page scripts run): which
   * socket APIs besides chrome.sockets the attach gave this page (`AttachOptions.apis`).
   */
  apis: 'electron-chrome-sockets:apis',
  /**
   * app preload → main (sendSync, once per page load): the Chrome App runner's AppConfig for a
   * page of an app it launched, or null (main/runner/electron-runner.ts).
   */
  appConfig: 'electron-chrome-sockets:app-config',
  /**
   * debugging window → main (ipcRenderer.invoke): a read-only `SocketsHost.inspect()` snapshot.
   * Answered only for the webContents the debugging app registered.
   */
  inspect: 'electron-chrome-sockets:inspect',
  /** debugging window → main (invoke): the tap (main/tap.ts), for the same webContents only. */
  tap: 'electron-chrome-sockets:tap',
  /** debugging window → main (invoke): its remembered targets, messages and macros (a file in userData). */
  recallLoad: 'electron-chrome-sockets:recall-load',
  recallSave: 'electron-chrome-sockets:recall-save',
} as const;

/** The `window.postMessage` tag with which the preload hands the port to the main world. */
export const MAIN_WORLD_PORT_TAG = 'electron-chrome-sockets:main-world-port';

/** Bumped when the shape of the IPC set-up messages changes. */
export const ELECTRON_GLUE_VERSION = 1;

/**
 * The preload's request for a port. `page` is a random id drawn once per page load: main uses
 * it to tell a repeated request of the same page (ignored) from a new page in the same
 * webContents (which replaces the old context, like a fresh hello).
 */
export interface PortRequest {
  readonly v: number;
  readonly page: string;
}

/** What the preload posts into the main world along with the port. */
export interface MainWorldPortMessage {
  readonly tag: typeof MAIN_WORLD_PORT_TAG;
  /** The per-page token the installer was given; messages without it are not ours. */
  readonly token: string;
}
