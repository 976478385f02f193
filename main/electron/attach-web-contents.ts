/**
 * Attaches an Electron webContents to a SocketsHost: every page the webContents loads gets its
 * own MessageChannelMain and its own page context, and each context ends with its page.
 *
 * The hand-off is pulled by the page, not pushed: the preload asks for a port as it starts
 * (`ELECTRON_CHANNELS.requestPort`), main answers that very frame with a fresh port. A reload
 * or navigation runs the preload again, so the new page always gets a new port and context,
 * however the navigation and IPC events interleave. Pushing on `did-finish-load` instead would
 * race with the page's first calls and would miss pages that load before `attach`.
 */
import { ELECTRON_CHANNELS, ELECTRON_GLUE_VERSION, type PortRequest } from '../../common/electron-channels';
import type { HostPort } from '../../common/port';
import { SocketsPolicy } from '../permissions';
import type { AttachOptions, ContextHandle } from '../types';
import type { ElectronMain, FrameLike, IpcMainEventLike, IpcMainLike, WebContentsEvents, WebContentsLike } from './electron-types';
import { hostPortFromMessagePortMain } from './message-port-main';

/** What the glue needs of the host: `SocketsHost` fits. */
export interface PortAttachingHost {
  attachPort(port: HostPort, options: AttachOptions): ContextHandle;
}

/** Injected Electron modules (tests) plus where to log refusals. */
export interface ElectronGlueDeps extends Partial<ElectronMain> {
  /** Log lines for ignored senders and failed hand-offs. Default: console.warn. */
  log?: (line: string) => void;
}

/** One attached webContents. */
export interface AttachedWebContents {
  readonly webContents: WebContentsLike;
  readonly app: string;
  /** The context of the page now loaded, once its preload asked for a port. */
  readonly context: ContextHandle | undefined;
  /** Ends the current context and stops serving this webContents. Idempotent. */
  detach(): void;
}

const MAX_PAGE_ID_LENGTH = 64;

function loadElectron(): ElectronMain {
  // Loaded lazily: in plain Node `require('electron')` tries to download a binary and throws.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const electron = require('electron') as ElectronMain;
  return { MessageChannelMain: electron.MessageChannelMain, ipcMain: electron.ipcMain };
}

function isPortRequest(value: unknown): value is PortRequest {
  if (typeof value !== 'object' || value === null) return false;
  const { v, page } = value as Record<string, unknown>;
  return v === ELECTRON_GLUE_VERSION && typeof page === 'string' && page.length > 0 && page.length <= MAX_PAGE_ID_LENGTH;
}

/**
 * Routes port requests from all attached webContents; one per ipcMain, so there is exactly one
 * listener on the channel and one place that knows who is attached.
 */
class PortRequestRouter {
  readonly attachments = new Map<number, WebContentsAttachment>();

  constructor(
    private readonly ipcMain: IpcMainLike,
    private readonly log: (line: string) => void,
  ) {}

  add(attachment: WebContentsAttachment): void {
    if (this.attachments.size === 0) {
      this.ipcMain.on(ELECTRON_CHANNELS.requestPort, this.onRequest);
      this.ipcMain.on(ELECTRON_CHANNELS.apis, this.onApis);
    }
    this.attachments.set(attachment.webContents.id, attachment);
  }

  remove(attachment: WebContentsAttachment): void {
    if (this.attachments.get(attachment.webContents.id) !== attachment) return;
    this.attachments.delete(attachment.webContents.id);
    if (this.attachments.size === 0) {
      this.ipcMain.removeListener(ELECTRON_CHANNELS.requestPort, this.onRequest);
      this.ipcMain.removeListener(ELECTRON_CHANNELS.apis, this.onApis);
    }
  }

  /** The other socket APIs of the attach, for the main frame of an attached webContents only. */
  private readonly onApis = (event: IpcMainEventLike): void => {
    const attachment = this.attachments.get(event.sender.id);
    const frame = event.senderFrame;
    event.returnValue = attachment !== undefined && frame !== null && frame.parent === null ? [...attachment.apis] : [];
  };

  private readonly onRequest = (event: IpcMainEventLike, request: unknown): void => {
    const id = event.sender.id;
    const attachment = this.attachments.get(id);
    if (attachment === undefined) {
      this.log(`ignored a port request from webContents ${id}: it is not attached`);
      return;
    }
    const frame = event.senderFrame;
    if (frame === null || frame.parent !== null) {
      // Only the main frame's page is the attached context; subframes (with
      // nodeIntegrationInSubFrames) and frames gone since sending get nothing.
      this.log(`ignored a port request from a ${frame === null ? 'vanished ' : 'sub'}frame of webContents ${id}`);
      return;
    }
    if (!isPortRequest(request)) {
      this.log(`ignored a malformed port request from webContents ${id}`);
      return;
    }
    attachment.openContext(frame, request.page);
  };
}

const routers = new WeakMap<IpcMainLike, PortRequestRouter>();

function routerFor(ipcMain: IpcMainLike, log: (line: string) => void): PortRequestRouter {
  let router = routers.get(ipcMain);
  if (router === undefined) {
    router = new PortRequestRouter(ipcMain, log);
    routers.set(ipcMain, router);
  }
  return router;
}

interface CurrentContext {
  readonly handle: ContextHandle;
  /** The page id of the request that opened it. */
  readonly page: string;
  /** The navigation generation when it opened; a later committed navigation ends it. */
  readonly generation: number;
}

class WebContentsAttachment implements AttachedWebContents {
  private current: CurrentContext | undefined;
  /** Page ids whose context has ended (the last few), so their late requests are ignored. */
  private readonly retiredPages: string[] = [];
  /** Counts main-frame cross-document navigations started (navigations and reloads). */
  private generation = 0;
  private detached = false;
  private readonly listeners: { [E in keyof WebContentsEvents]: WebContentsEvents[E] };

  get apis(): readonly string[] {
    return this.options.apis ?? [];
  }

  constructor(
    private readonly host: PortAttachingHost,
    readonly webContents: WebContentsLike,
    private readonly options: AttachOptions,
    private readonly electron: ElectronMain,
    private readonly router: PortRequestRouter,
    private readonly log: (line: string) => void,
  ) {
    this.listeners = {
      destroyed: () => this.detach(),
      'render-process-gone': () => this.endContext(),
      'did-start-navigation': (details) => {
        if (details.isMainFrame && !details.isSameDocument) this.generation += 1;
      },
      // A committed main-frame navigation (including a reload) means the page whose context
      // we hold is gone. A context opened after the navigation started belongs to the new
      // page (its request can overtake this event) and stays.
      'did-navigate': () => {
        if (this.current !== undefined && this.current.generation < this.generation) this.endContext();
      },
    };
  }

  get app(): string {
    return this.options.app;
  }

  get context(): ContextHandle | undefined {
    return this.current?.handle;
  }

  start(): void {
    for (const name of Object.keys(this.listeners) as Array<keyof WebContentsEvents>) {
      this.webContents.on(name, this.listeners[name]);
    }
    this.router.add(this);
    // A page loaded before attach asked for a port while nobody listened; tell it to ask again.
    // A page still loading asks on its own; a duplicate request is recognised by its page id.
    try {
      this.webContents.send(ELECTRON_CHANNELS.attached);
    } catch {
      // No live frame yet (nothing loaded): its first page will ask on its own.
    }
  }

  /** A page's preload asked for a port: a new page replaces the old context (a fresh hello). */
  openContext(frame: FrameLike, page: string): void {
    if (this.detached) return;
    if (this.current?.page === page) return; // the same page asked twice (see start())
    // A request still in flight from a page that has since gone (its context ended with a
    // navigation, reload or crash) must not take the place of the page that replaced it.
    if (this.retiredPages.includes(page)) {
      this.log(`ignored a port request from a page of webContents ${this.webContents.id} that has gone`);
      return;
    }
    this.endContext();
    const { port1, port2 } = new this.electron.MessageChannelMain();
    let handle: ContextHandle;
    try {
      handle = this.host.attachPort(hostPortFromMessagePortMain(port1), {
        ...this.options,
        label: this.options.label ?? `webContents ${this.webContents.id} ${frame.url}`,
      });
    } catch (error) {
      port1.close();
      port2.close();
      this.log(`could not attach a context for webContents ${this.webContents.id}: ${String(error)}`);
      return;
    }
    this.current = { handle, page, generation: this.generation };
    frame.postMessage(ELECTRON_CHANNELS.port, { v: ELECTRON_GLUE_VERSION }, [port2]);
  }

  private endContext(): void {
    const current = this.current;
    this.current = undefined;
    if (current === undefined) return;
    // Page ids are random per page load, so a retired one never comes back legitimately.
    this.retiredPages.push(current.page);
    if (this.retiredPages.length > 32) this.retiredPages.shift();
    current.handle.end();
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.endContext();
    for (const name of Object.keys(this.listeners) as Array<keyof WebContentsEvents>) {
      this.webContents.removeListener(name, this.listeners[name]);
    }
    this.router.remove(this);
  }
}

/**
 * Serves chrome.sockets to the pages of `webContents` as contexts of `options.app`.
 *
 * Each page that runs the package's preload gets a fresh MessageChannelMain; its context ends
 * when the webContents is destroyed, its renderer process is gone, its main frame navigates or
 * reloads, or a new page of the same webContents asks for a port. What ending a context does to
 * the app's sockets is the host's lifetime rule (non-persistent sockets close with the
 * background context, or with the app's last context).
 *
 * @param electron `MessageChannelMain` and `ipcMain` (`require('electron')` when left out), and
 *   where to log ignored requests.
 */
export function attachWebContents(
  host: PortAttachingHost,
  webContents: WebContentsLike,
  options: AttachOptions,
  electron?: ElectronGlueDeps,
): AttachedWebContents {
  if (webContents.isDestroyed()) throw new Error('electron-chrome-sockets: cannot attach a destroyed webContents');
  // Fail here, like a Chrome App with a bad manifest fails to load, not at each page's request.
  SocketsPolicy.parse(options.sockets);
  const modules =
    electron?.MessageChannelMain !== undefined && electron.ipcMain !== undefined
      ? { MessageChannelMain: electron.MessageChannelMain, ipcMain: electron.ipcMain }
      : loadElectron();
  const log = electron?.log ?? ((line: string) => console.warn(`[electron-chrome-sockets] ${line}`));
  const router = routerFor(modules.ipcMain, log);
  if (router.attachments.has(webContents.id)) {
    throw new Error(`electron-chrome-sockets: webContents ${webContents.id} is already attached`);
  }
  const attachment = new WebContentsAttachment(host, webContents, options, modules, router, log);
  attachment.start();
  return attachment;
}
