/**
 * Typed stand-ins for the Electron pieces the glue touches: ipcMain, webContents, WebFrameMain,
 * MessageChannelMain (on a real worker_threads MessageChannel), and a "renderer" that runs the
 * real preload logic (exposeWith) and the real main-world installer against a fake window.
 *
 * Each fake `satisfies` the slice type the glue is written against, and those slices are
 * checked against Electron's own electron.d.ts in main/electron/electron-types.ts, so a
 * signature drift in Electron breaks the build rather than these tests.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type {
  FrameLike,
  IpcListener,
  IpcMainEventLike,
  IpcMainLike,
  MessageChannelMainCtor,
  MessagePortMainLike,
  NavigationStartLike,
  WebContentsEvents,
  WebContentsLike,
} from '../../main/electron/electron-types';
import type { ChromeSockets } from '../../preload/facade';
import { exposeWith, type InjectionMethod, type PreloadEnvironment } from '../../preload/electron/expose';
import { installChromeSockets, type MainWorldConfig, type MainWorldGlobal } from '../../preload/electron/main-world';

// ---- MessageChannelMain -------------------------------------------------------------------------

/** MessagePortMain on a worker_threads port: Node-style events, queued until start(). */
export class FakeMessagePortMain extends EventEmitter implements MessagePortMainLike {
  started = false;
  closedLocally = false;

  constructor(readonly node: MessagePort) {
    super();
    node.once('close', () => this.emit('close'));
  }

  postMessage(message: unknown): void {
    this.node.postMessage(message);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.node.on('message', (data: unknown) => this.emit('message', { data, ports: [] }));
  }

  close(): void {
    this.closedLocally = true;
    this.node.close();
  }
}

export class FakeMessageChannelMain {
  static created: FakeMessageChannelMain[] = [];
  readonly port1: FakeMessagePortMain;
  readonly port2: FakeMessagePortMain;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port1 = new FakeMessagePortMain(port1);
    this.port2 = new FakeMessagePortMain(port2);
    FakeMessageChannelMain.created.push(this);
  }

  /** Closes every port made in a test, so no handle outlives it. */
  static closeAll(): void {
    for (const channel of FakeMessageChannelMain.created.splice(0)) {
      channel.port1.node.close();
      channel.port2.node.close();
    }
  }
}
FakeMessageChannelMain satisfies MessageChannelMainCtor;

// ---- ipcMain --------------------------------------------------------------------------------------

export class FakeIpcMain extends EventEmitter implements IpcMainLike {
  override on(channel: string, listener: IpcListener): this {
    return super.on(channel, listener);
  }
  override removeListener(channel: string, listener: IpcListener): this {
    return super.removeListener(channel, listener);
  }
}

// ---- webContents and frames ----------------------------------------------------------------------

export class FakeFrame implements FrameLike {
  /** Where postMessage goes: the renderer of the page now in this frame. */
  renderer: FakeRenderer | undefined;

  constructor(
    public url: string,
    readonly parent: FakeFrame | null = null,
  ) {}

  postMessage(channel: string, message: unknown, transfer: MessagePortMainLike[] = []): void {
    // A MessagePortMain arrives in the renderer as a DOM MessagePort: here, the Node port.
    const ports = transfer.map((p) => (p as FakeMessagePortMain).node);
    setImmediate(() => this.renderer?.deliver(channel, ports, message));
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  readonly id = nextWebContentsId++;
  mainFrame: FakeFrame;
  destroyed = false;
  readonly sent: string[] = [];

  constructor(url = 'file:///app/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  send(channel: string): void {
    this.sent.push(channel);
    const frame = this.mainFrame;
    setImmediate(() => frame.renderer?.deliver(channel, [], undefined));
  }

  override on<E extends keyof WebContentsEvents>(event: E, listener: WebContentsEvents[E]): this {
    return super.on(event, listener);
  }

  override removeListener<E extends keyof WebContentsEvents>(event: E, listener: WebContentsEvents[E]): this {
    return super.removeListener(event, listener);
  }

  // -- what Electron would emit --
  startNavigation(details: Partial<NavigationStartLike> = {}): void {
    this.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, ...details });
  }
  commitNavigation(url = this.mainFrame.url): void {
    this.emit('did-navigate', {}, url);
  }
  crash(): void {
    this.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

// ---- a renderer running the real preload + main-world code ---------------------------------------

interface Listener {
  (event: { source: unknown; data: unknown; ports: readonly unknown[]; stopImmediatePropagation(): void }): void;
}

/** The page's main world: just enough of `window` for the installer and the preload. */
export class FakeWindow implements MainWorldGlobal {
  chrome?: unknown;
  readonly console = { error: (...args: unknown[]) => this.errors.push(args.map(String).join(' ')) };
  readonly errors: string[] = [];
  /** Messages page scripts saw (to prove the port hand-off is not visible to them). */
  readonly pageSaw: unknown[] = [];
  private listeners: Array<{ listener: Listener; capture: boolean }> = [];

  addEventListener(_type: 'message', listener: Listener, capture = false): void {
    this.listeners.push({ listener, capture });
  }

  removeEventListener(_type: 'message', listener: Listener, capture = false): void {
    this.listeners = this.listeners.filter((l) => l.listener !== listener || l.capture !== capture);
  }

  /** A page script's own listener, registered after the preload ran. */
  addPageListener(): void {
    this.addEventListener('message', (event) => this.pageSaw.push(event.data));
  }

  /** window.postMessage, from any world: dispatched asynchronously, capture listeners first. */
  postMessage(data: unknown, _targetOrigin: string, ports: unknown[] = [], source: unknown = this): void {
    setImmediate(() => {
      let stopped = false;
      const event = { source, data, ports, stopImmediatePropagation: () => (stopped = true) };
      const ordered = [...this.listeners.filter((l) => l.capture), ...this.listeners.filter((l) => !l.capture)];
      for (const { listener } of ordered) {
        if (stopped) break;
        listener(event);
      }
    });
  }
}

/** One page load in a frame: its preload (isolated world) and main world. */
export class FakeRenderer {
  readonly window = new FakeWindow();
  readonly requests: unknown[] = [];
  readonly injection: InjectionMethod;
  private readonly ipcListeners = new Map<string, Array<(event: { ports: readonly unknown[] }, ...args: unknown[]) => void>>();
  private static seq = 0;

  constructor(
    readonly webContents: FakeWebContents,
    readonly frame: FakeFrame,
    readonly ipcMain: FakeIpcMain,
    options: { contextIsolated?: boolean; executeInMainWorld?: boolean; chrome?: unknown } = {},
  ) {
    frame.renderer = this;
    if (options.chrome !== undefined) this.window.chrome = options.chrome;
    const env: PreloadEnvironment = {
      ipcRenderer: {
        send: (channel, ...args) => {
          this.requests.push(args[0]);
          const event: IpcMainEventLike = { sender: webContents, senderFrame: frame };
          setImmediate(() => ipcMain.emit(channel, event, ...args));
        },
        sendSync: (channel, ...args) => {
          const event: IpcMainEventLike = { sender: webContents, senderFrame: frame };
          ipcMain.emit(channel, event, ...args);
          return event.returnValue;
        },
        on: (channel, listener) => {
          this.ipcListeners.set(channel, [...(this.ipcListeners.get(channel) ?? []), listener]);
        },
      },
      contextBridge:
        options.executeInMainWorld === false
          ? {}
          : {
              // Electron serialises func; here the installer runs against this page's window.
              executeInMainWorld: ({ func, args }) => (func as (c: MainWorldConfig) => unknown)(...((args ?? []) as [MainWorldConfig])),
            },
      webFrame: {
        // The code is `(installer source)(config JSON)`; the source is exercised by the bundle
        // test, here the config is read back and the installer run against this window.
        executeJavaScript: async (code) => {
          this.executedCode = code;
          const config = JSON.parse(/\)\((\{.*\})\)$/s.exec(code)![1]) as MainWorldConfig;
          return installChromeSockets(config, this.window);
        },
      },
      contextIsolated: options.contextIsolated ?? true,
      window: { postMessage: (message, origin, transfer) => this.window.postMessage(message, origin, transfer) },
      randomId: () => `id-${++FakeRenderer.seq}`,
    };
    this.injection = exposeWith(env, (config) => installChromeSockets(config, this.window));
  }

  /** The script given to webFrame.executeJavaScript, when that path was taken. */
  executedCode: string | undefined;

  /** What page scripts see as `window.chrome`. */
  get chrome(): ChromeSockets {
    return this.window.chrome as ChromeSockets;
  }

  deliver(channel: string, ports: readonly unknown[], _message: unknown): void {
    for (const listener of this.ipcListeners.get(channel) ?? []) listener({ ports });
  }
}

/** Loads a (new) page into the webContents' main frame: a fresh renderer runs the preload. */
export function loadPage(
  webContents: FakeWebContents,
  ipcMain: FakeIpcMain,
  options: { newFrame?: boolean; url?: string } & ConstructorParameters<typeof FakeRenderer>[3] = {},
): FakeRenderer {
  if (options.newFrame) webContents.mainFrame = new FakeFrame(options.url ?? webContents.mainFrame.url);
  else if (options.url !== undefined) webContents.mainFrame.url = options.url;
  return new FakeRenderer(webContents, webContents.mainFrame, ipcMain, options);
}

FakeWebContents satisfies new () => WebContentsLike;
FakeIpcMain satisfies new () => IpcMainLike;
