/**
 * The slices of Electron's main-process API the glue uses, as narrow structural types. The glue
 * is written against these so tests can pass EventEmitter fakes; the assignments at the bottom
 * make the build fail if Electron's own types (node_modules/electron/electron.d.ts) drift away
 * from them. Only `import type` here: nothing in this folder loads 'electron' at module load.
 */
import type * as Electron from 'electron';

/** Electron's `MessagePortMain`, as far as the host adapter uses it. */
export interface MessagePortMainLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  removeListener(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** `new MessageChannelMain()`. */
export type MessageChannelMainCtor = new () => { port1: MessagePortMainLike; port2: MessagePortMainLike };

/** The frame a request came from (`event.senderFrame`, a `WebFrameMain`). */
export interface FrameLike {
  /** null for a top-level (main) frame. */
  readonly parent: unknown;
  readonly url: string;
  postMessage(channel: string, message: unknown, transfer?: MessagePortMainLike[]): void;
}

/** What the glue reads of an `IpcMainEvent`. */
export interface IpcMainEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
  /** The answer to an `ipcRenderer.sendSync`. */
  returnValue?: unknown;
}

export type IpcListener = (event: IpcMainEventLike, ...args: unknown[]) => void;

/** `ipcMain`, as far as the glue uses it. */
export interface IpcMainLike {
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/** The parts of `did-start-navigation`'s details the glue reads. */
export interface NavigationStartLike {
  readonly isMainFrame: boolean;
  readonly isSameDocument: boolean;
}

/** Every webContents event the glue listens to, with the listener it uses. */
export interface WebContentsEvents {
  destroyed: () => void;
  'render-process-gone': (event: unknown, details: { readonly reason: string }) => void;
  'did-start-navigation': (details: NavigationStartLike) => void;
  'did-navigate': (event: unknown, url: string) => void;
}

/** `webContents`, as far as the glue uses it. */
export interface WebContentsLike {
  readonly id: number;
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
  on<E extends keyof WebContentsEvents>(event: E, listener: WebContentsEvents[E]): unknown;
  removeListener<E extends keyof WebContentsEvents>(event: E, listener: WebContentsEvents[E]): unknown;
}

/** The Electron modules the glue needs; injected in tests, `require('electron')` otherwise. */
export interface ElectronMain {
  MessageChannelMain: MessageChannelMainCtor;
  ipcMain: IpcMainLike;
}

// ---- drift checks: Electron's real types must still fit the slices above ---------------------

/* eslint-disable @typescript-eslint/no-unused-vars */
function checkElectronTypes(
  port: Electron.MessagePortMain,
  frame: Electron.WebFrameMain,
  event: Electron.IpcMainEvent,
  wc: Electron.WebContents,
  ipcMain: Electron.IpcMain,
  channel: typeof Electron.MessageChannelMain,
): void {
  const p: MessagePortMainLike = port;
  const f: FrameLike = frame;
  const e: IpcMainEventLike = event;
  const c: MessageChannelMainCtor = channel;
  const i: IpcMainLike = ipcMain;
  // Each event by name, so a renamed event or a changed listener shape fails here, not at
  // run time (WebContents also has EventEmitter's catch-all `on(string, ...)`).
  wc.on('destroyed', () => undefined);
  wc.on('render-process-gone', (_event, details) => {
    const d: Parameters<WebContentsEvents['render-process-gone']>[1] = details;
  });
  wc.on('did-start-navigation', (details) => {
    const d: NavigationStartLike = details;
  });
  wc.on('did-navigate', (_event, url) => {
    const u: string = url;
  });
  const w: WebContentsLike = wc;
}
void checkElectronTypes;
