/**
 * The runner's Electron mode (main/runner/electron-runner.ts) against typed Electron fakes: the
 * app scheme's responses, the window-open handler, bounds remembered across runs,
 * powerSaveBlocker, and the app's end (windows, sockets, quit). The fakes satisfy the slices
 * the runner is written against, and those are checked against electron.d.ts at build time.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import type { IpcMainEventLike } from '../../main/electron/electron-types';
import { hostPortFromNodePort } from '../../main/node-port';
import {
  launchChromeApp,
  MAX_REMEMBERED_WINDOWS,
  registerChromeAppScheme,
  WINDOW_BOUNDS_FILE,
  type AppBrowserWindowLike,
  type AppWindowOptions,
  type ChromeAppRun,
  type CustomSchemeLike,
  type ProtocolLike,
  type RectangleLike,
  type RunnerElectron,
  type WindowOpenDetailsLike,
  type WindowOpenResponseLike,
} from '../../main/runner/electron-runner';
import { appIdFor } from '../../main/runner/manifest';
import type { AppConfig } from '../../preload/app-runtime/app-config';
import { createAppApis } from '../../preload/app-runtime/app-apis';
import { createChromeSockets } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { appWindowFeatures, parseAppWindowFeatures } from '../../common/app-window-features';
import { FakeIpcMain, FakeMessageChannelMain, FakeWebContents, loadPage } from './fakes';

const APPS = path.resolve(__dirname, '../../../test/fixtures/apps');
const ECHO_APP = path.join(APPS, 'tcp-echo-server');

// ---- fakes ---------------------------------------------------------------------------------------

class FakeAppWebContents extends FakeWebContents {
  openHandler: ((details: WindowOpenDetailsLike) => WindowOpenResponseLike) | undefined;
  setWindowOpenHandler(handler: (details: WindowOpenDetailsLike) => WindowOpenResponseLike): void {
    this.openHandler = handler;
  }
  /** What Electron does for window.open: ask the handler, and on allow make a window. */
  open(electron: FakeElectron, url: string, features: string): FakeBrowserWindow | undefined {
    const answer = this.openHandler!({ url, frameName: '', features });
    if (answer.action === 'deny') return undefined;
    const win = new electron.BrowserWindow({ ...answer.overrideBrowserWindowOptions }) as FakeBrowserWindow;
    win.webContents.mainFrame.url = url;
    this.emit('did-create-window', win, { url });
    return win;
  }
}

class FakeBrowserWindow extends EventEmitter implements AppBrowserWindowLike {
  static all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeAppWebContents('about:blank');
  readonly loaded: string[] = [];
  destroyed = false;
  bounds: RectangleLike;
  state = 'normal';

  constructor(readonly options: AppWindowOptions) {
    super();
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  getBounds(): RectangleLike {
    return { ...this.bounds };
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    if (this.destroyed) return;
    this.emit('close');
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
  maximize(): void {
    this.state = 'maximized';
  }
  minimize(): void {
    this.state = 'minimized';
  }
  setFullScreen(flag: boolean): void {
    this.state = flag ? 'fullscreen' : 'normal';
  }
}

class FakeProtocol implements ProtocolLike {
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (this.handlers.has(scheme)) throw new Error(`already handled: ${scheme}`);
    this.handlers.set(scheme, handler);
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }
}

class FakeElectron implements RunnerElectron {
  ready = false;
  quits = 0;
  readonly privileged: CustomSchemeLike[] = [];
  readonly sessions = new Map<string, { protocol: FakeProtocol }>();
  readonly blocker: string[] = [];
  private nextBlocker = 0;
  readonly ipcMain = new FakeIpcMain();
  readonly MessageChannelMain = FakeMessageChannelMain;
  readonly BrowserWindow = FakeBrowserWindow;
  readonly app = {
    isReady: () => this.ready,
    whenReady: () => {
      this.ready = true;
      return Promise.resolve();
    },
    quit: () => void this.quits++,
  };
  readonly protocol = {
    registerSchemesAsPrivileged: (schemes: CustomSchemeLike[]) => {
      if (this.ready) throw new Error('registerSchemesAsPrivileged after ready');
      this.privileged.push(...schemes);
    },
  };
  readonly session = {
    fromPartition: (partition: string) => {
      let s = this.sessions.get(partition);
      if (s === undefined) this.sessions.set(partition, (s = { protocol: new FakeProtocol() }));
      return s;
    },
  };
  readonly powerSaveBlocker = {
    start: (type: 'prevent-app-suspension' | 'prevent-display-sleep') => {
      this.blocker.push(`start ${type}`);
      return ++this.nextBlocker;
    },
    stop: (id: number) => void this.blocker.push(`stop ${id}`),
  };

  /** The app scheme's handler of the app's session. */
  handler(run: ChromeAppRun, scheme = 'chrome-app'): (request: Request) => Response | Promise<Response> {
    const handler = this.sessions.get(`persist:chrome-app-${run.app.id}`)?.protocol.handlers.get(scheme);
    if (handler === undefined) throw new Error('no handler');
    return handler;
  }

  /** What the app preload gets when it asks for its config from this webContents. */
  configFor(wc: FakeWebContents): unknown {
    const event: IpcMainEventLike = { sender: wc, senderFrame: wc.mainFrame };
    this.ipcMain.emit(ELECTRON_CHANNELS.appConfig, event);
    return event.returnValue;
  }
}
FakeElectron satisfies new () => RunnerElectron;

function connectResult(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

// ---- tests ---------------------------------------------------------------------------------------

describe('runner Electron mode (launchChromeApp against typed fakes)', () => {
  let dataDir: string;
  let electron: FakeElectron;
  const runs: ChromeAppRun[] = [];
  const logs: string[] = [];

  async function launch(dir = ECHO_APP, options: Parameters<typeof launchChromeApp>[1] = {}): Promise<ChromeAppRun> {
    const run = await launchChromeApp(dir, { electron, dataDir, log: (line) => logs.push(line), ...options });
    runs.push(run);
    return run;
  }

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-electron-runner-'));
    electron = new FakeElectron();
    logs.length = 0;
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.close();
    FakeBrowserWindow.all.length = 0;
    FakeMessageChannelMain.closeAll();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  describe('launch and the app scheme', () => {
    it('registers a privileged scheme before ready, opens a hidden background window with the app preload in a session of its own', async () => {
      const run = await launch();
      const id = appIdFor(ECHO_APP, undefined);
      expect(run.app.id).to.equal(id);
      expect(electron.privileged).to.deep.equal([
        { scheme: 'chrome-app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
      ]);
      const bg = run.background as FakeBrowserWindow;
      expect(bg.options.show).to.equal(false);
      expect(bg.options.webPreferences).to.include({
        partition: `persist:chrome-app-${id}`,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      });
      expect(bg.options.webPreferences?.preload).to.match(/preload[/\\]app-preload\.js$/);
      expect(bg.loaded).to.deep.equal([`chrome-app://${id}/_generated_background_page.html`]);
      expect(run.origin).to.equal(`chrome-app://${id}`);
    });

    it('refuses to register the scheme once the app is ready, naming the call to make', async () => {
      electron.ready = true;
      expect(() => registerChromeAppScheme(electron)).to.throw(/before the app is ready: call registerChromeAppScheme\(\)/);
    });

    it('serves the app files unmodified at the origin root, the generated background page, and 404 outside the app', async () => {
      const run = await launch();
      const serve = electron.handler(run);
      const get = async (url: string, method = 'GET') => {
        const res = await serve(new Request(url, { method }));
        return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
      };
      const index = await get(`${run.origin}/index.html`);
      expect(index.status).to.equal(200);
      expect(index.type).to.equal('text/html; charset=utf-8');
      expect(index.body.equals(await fs.readFile(path.join(ECHO_APP, 'index.html')))).to.equal(true);
      const icon = await get(`${run.origin}/icon-128.png`);
      expect(icon.type).to.equal('image/png');
      expect(icon.body.equals(await fs.readFile(path.join(ECHO_APP, 'icon-128.png')))).to.equal(true);
      const bg = await get(`${run.origin}/_generated_background_page.html`);
      expect(bg.body.toString()).to.contain('<script src="/background.js"></script>');
      // The preload installs the runtime in Electron: no runtime script tag in the generated page.
      expect(bg.body.toString()).not.to.contain('/_ecs/');
      const head = await get(`${run.origin}/index.html`, 'HEAD');
      expect([head.status, head.body.length]).to.deep.equal([200, 0]);
      for (const url of [
        `${run.origin}/missing.js`,
        `${run.origin}/%2e%2e/udp-echo/manifest.json`,
        `${run.origin}/..%2fudp-echo/manifest.json`,
        `chrome-app://${'a'.repeat(32)}/index.html`,
      ]) {
        expect((await get(url)).status, url).to.equal(404);
      }
      expect((await get(`${run.origin}/index.html`, 'POST')).status).to.equal(405);
    });

    it('gives the app config only to its own pages, and attaches them to the app with its id', async () => {
      const run = await launch();
      const bg = run.background as FakeBrowserWindow;
      const config = electron.configFor(bg.webContents) as AppConfig;
      expect(config.id).to.equal(run.app.id);
      expect(config.backgroundPath).to.equal('/_generated_background_page.html');
      expect(config.manifest.name).to.equal('TCP Echo Server');
      // Another webContents, or the app's webContents showing another origin, gets nothing.
      expect(electron.configFor(new FakeWebContents(`${run.origin}/index.html`))).to.equal(null);
      bg.webContents.mainFrame.url = 'https://example.com/';
      expect(electron.configFor(bg.webContents)).to.equal(null);
      bg.webContents.mainFrame.url = `${run.origin}/_generated_background_page.html`;
      // The page's preload asks for a port: a context of the app, whose chrome.runtime.id is the app id.
      const attachOptions: unknown[] = [];
      const attachPort = run.host.attachPort.bind(run.host);
      run.host.attachPort = (port, options) => {
        attachOptions.push(options);
        return attachPort(port, options);
      };
      const page = loadPage(bg.webContents, electron.ipcMain);
      expect(await (page.window.chrome as any).sockets.tcp.getSockets()).to.deep.equal([]);
      expect(attachOptions).to.deep.equal([
        { app: run.app.id, appId: run.app.id, sockets: run.app.sockets, background: true, label: 'TCP Echo Server: background page' },
      ]);
      const contexts = run.host.inspect().contexts.filter((c) => c.app === run.app.id);
      expect(contexts.map((c) => [c.label, c.background])).to.deep.equal([['TCP Echo Server: background page', true]]);
    });

    it('fails with the manifest error, naming the field, before touching Electron', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-ext-'));
      await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'x', version: '1' }));
      try {
        let error: unknown;
        await launch(dir).catch((e: unknown) => (error = e));
        expect(String(error)).to.match(/manifest_version/);
        expect(FakeBrowserWindow.all).to.have.length(0);
        expect(electron.privileged).to.have.length(0);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('window.open from the background page', () => {
    it('allows chrome.app.window.create windows of the app origin as real BrowserWindows with the options asked for', async () => {
      const run = await launch();
      const bg = run.background.webContents as FakeAppWebContents;
      const features = [
        'popup=yes',
        'width=300',
        'height=200',
        ...appWindowFeatures('main', { id: 'main', frame: 'none', alwaysOnTop: true }),
      ];
      const answer = bg.openHandler!({ url: `${run.origin}/index.html`, frameName: '', features: features.join(',') });
      expect(answer.action).to.equal('allow');
      const options = (answer as { overrideBrowserWindowOptions: AppWindowOptions }).overrideBrowserWindowOptions;
      expect(options).to.deep.include({ show: true, frame: false, resizable: true, alwaysOnTop: true, title: 'TCP Echo Server' });
      expect(options.webPreferences).to.deep.equal((run.background as FakeBrowserWindow).options.webPreferences);
      // No remembered bounds yet: the size comes from the features (Electron applies them).
      expect(options).not.to.have.property('width');
    });

    it('denies other origins and plain window.open calls, and app windows may not open windows', async () => {
      const run = await launch();
      const bg = run.background.webContents as FakeAppWebContents;
      const features = appWindowFeatures('w', {}).join(',');
      expect(bg.openHandler!({ url: 'https://example.com/', frameName: '', features }).action).to.equal('deny');
      expect(bg.openHandler!({ url: `${run.origin}/index.html`, frameName: '', features: 'width=10' }).action).to.equal('deny');
      const win = bg.open(electron, `${run.origin}/index.html`, features)!;
      expect(win.webContents.openHandler!({ url: `${run.origin}/index.html`, frameName: '', features }).action).to.equal('deny');
      expect(logs.filter((l) => l.includes('refused window.open'))).to.have.length(3);
    });

    it('attaches each app window to the app, applies the state asked for, and tracks it by id', async () => {
      const run = await launch();
      const bg = run.background.webContents as FakeAppWebContents;
      const win = bg.open(electron, `${run.origin}/index.html`, appWindowFeatures('main', { id: 'main', state: 'maximized' }).join(','))!;
      expect(win.state).to.equal('maximized');
      expect(run.windows.get('main')).to.equal(win);
      expect((electron.configFor(win.webContents) as AppConfig).id).to.equal(run.app.id);
      const page = loadPage(win.webContents, electron.ipcMain);
      await (page.window.chrome as any).sockets.tcp.getSockets();
      const contexts = run.host.inspect().contexts.filter((c) => c.app === run.app.id);
      expect(contexts.map((c) => [c.label, c.background])).to.deep.equal([['TCP Echo Server: window main', false]]);
    });
  });

  describe('bounds remembered per window id across runs', () => {
    it('writes the bounds of a window with an id when it closes and gives them to the next window of that id in the next run', async () => {
      const first = await launch(ECHO_APP, { endWithLastWindow: false });
      const bg = first.background.webContents as FakeAppWebContents;
      const win = bg.open(electron, `${first.origin}/index.html`, appWindowFeatures('main', { id: 'main' }).join(','))!;
      const generated = bg.open(electron, `${first.origin}/index.html`, appWindowFeatures('__ecs_window_1', {}).join(','))!;
      win.bounds = { x: 40, y: 50, width: 640, height: 480 };
      generated.bounds = { x: 1, y: 2, width: 3, height: 4 };
      win.close();
      generated.close();
      await first.close();
      // Only a caller-given id is remembered, as in Chrome.
      const saved = JSON.parse(await fs.readFile(path.join(dataDir, WINDOW_BOUNDS_FILE), 'utf8')) as unknown;
      expect(saved).to.deep.equal({ main: { x: 40, y: 50, width: 640, height: 480 } });

      electron = new FakeElectron();
      const second = await launch();
      const answer = (second.background.webContents as FakeAppWebContents).openHandler!({
        url: `${second.origin}/index.html`,
        frameName: '',
        features: ['width=100', 'height=100', ...appWindowFeatures('main', { id: 'main' })].join(','),
      });
      expect((answer as { overrideBrowserWindowOptions: AppWindowOptions }).overrideBrowserWindowOptions).to.deep.include({
        x: 40,
        y: 50,
        width: 640,
        height: 480,
      });
      const other = (second.background.webContents as FakeAppWebContents).openHandler!({
        url: `${second.origin}/index.html`,
        frameName: '',
        features: appWindowFeatures('other', { id: 'other' }).join(','),
      });
      expect((other as { overrideBrowserWindowOptions: AppWindowOptions }).overrideBrowserWindowOptions).not.to.have.property('x');
    });

    it(`remembers at most ${MAX_REMEMBERED_WINDOWS} window ids, forgetting the least recently closed first`, async () => {
      const run = await launch(ECHO_APP, { endWithLastWindow: false });
      const bg = run.background.webContents as FakeAppWebContents;
      for (let i = 0; i <= MAX_REMEMBERED_WINDOWS; i++) {
        const win = bg.open(electron, `${run.origin}/index.html`, appWindowFeatures(`w${i}`, { id: `w${i}` }).join(','))!;
        win.bounds = { x: i, y: i, width: 100 + i, height: 100 + i };
        win.close();
      }
      await run.close();
      const saved = JSON.parse(await fs.readFile(path.join(dataDir, WINDOW_BOUNDS_FILE), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(saved)).to.have.length(MAX_REMEMBERED_WINDOWS);
      expect(saved).not.to.have.property('w0');
      expect(saved[`w${MAX_REMEMBERED_WINDOWS}`]).to.deep.equal({ x: 100, y: 100, width: 200, height: 200 });
    });

    it('ignores a bounds file that is not JSON or holds nonsense, and starts afresh', async () => {
      await fs.mkdir(dataDir, { recursive: true });
      await fs.writeFile(path.join(dataDir, WINDOW_BOUNDS_FILE), '{"main": {"x": "a"}, "w": [1,2]');
      const run = await launch();
      const answer = (run.background.webContents as FakeAppWebContents).openHandler!({
        url: `${run.origin}/index.html`,
        frameName: '',
        features: appWindowFeatures('main', { id: 'main' }).join(','),
      });
      expect((answer as { overrideBrowserWindowOptions: AppWindowOptions }).overrideBrowserWindowOptions).not.to.have.property('x');
    });
  });

  it('parses the ecs-* window features back to what create asked for, ids with commas and = included', () => {
    const id = 'a,b=c d%';
    expect(
      parseAppWindowFeatures(
        ['popup=yes', ...appWindowFeatures(id, { id, hidden: true, resizable: false, state: 'fullscreen' })].join(','),
      ),
    ).to.deep.equal({
      id,
      remember: true,
      frameless: false,
      hidden: true,
      resizable: false,
      alwaysOnTop: false,
      state: 'fullscreen',
    });
    expect(parseAppWindowFeatures('width=1,height=2')).to.equal(undefined);
    expect(parseAppWindowFeatures('ecs-window-id=%E0%A4%A')).to.equal(undefined);
  });

  it('chrome.power holds Electron powerSaveBlocker levels and releases them when the app ends', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-power-app-'));
    const manifest = {
      manifest_version: 2,
      name: 'Power',
      version: '1',
      app: { background: { scripts: ['bg.js'] } },
      permissions: ['power', 'storage'],
    };
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const run = await launch(dir);
    await fs.rm(dir, { recursive: true, force: true }); // loaded: the manifest is read at launch
    const { port1, port2 } = new MessageChannel();
    run.host.attachPort(hostPortFromNodePort(port1), { app: run.app.id, appId: run.app.id });
    const sockets = createChromeSockets(pagePortFromMessagePort(port2 as never));
    const { chrome } = createAppApis(sockets, electron.configFor(run.background.webContents as FakeAppWebContents) as AppConfig, {
      url: `${run.origin}/index.html`,
      origin: run.origin,
      backgroundPage: () => null,
      reload: () => undefined,
      platform: 'Linux x86_64',
    });
    chrome.power.requestKeepAwake('display');
    chrome.power.requestKeepAwake('system');
    // A round trip after both: the host has handled them.
    await chrome.storage.local.get(null);
    expect(electron.blocker).to.deep.equal(['start prevent-display-sleep', 'stop 1', 'start prevent-app-suspension']);
    await run.close();
    expect(electron.blocker).to.deep.equal(['start prevent-display-sleep', 'stop 1', 'start prevent-app-suspension', 'stop 2']);
    port2.close();
  });

  describe('lifetime', () => {
    async function listeningApp(options: Parameters<typeof launchChromeApp>[1] = {}) {
      const run = await launch(ECHO_APP, options);
      const bg = run.background as FakeBrowserWindow;
      const page = loadPage(bg.webContents, electron.ipcMain);
      const tcpServer = (page.window.chrome as any).sockets.tcpServer;
      const { socketId } = (await tcpServer.create({})) as { socketId: number };
      await tcpServer.listen(socketId, '127.0.0.1', 0);
      const { localPort } = (await tcpServer.getInfo(socketId)) as { localPort: number };
      expect(await connectResult(localPort)).to.equal('connected');
      return { run, bg, localPort };
    }

    it('ends the app when the background window closes: app windows closed, every socket closed, Electron quit', async () => {
      const { run, bg, localPort } = await listeningApp({ quitOnEnd: true });
      const win = (bg.webContents as FakeAppWebContents).open(
        electron,
        `${run.origin}/index.html`,
        appWindowFeatures('main', { id: 'main' }).join(','),
      )!;
      bg.close();
      await run.ended;
      expect(win.isDestroyed()).to.equal(true);
      expect(await connectResult(localPort)).to.equal('ECONNREFUSED');
      expect(electron.quits).to.equal(1);
      expect(electron.sessions.get(`persist:chrome-app-${run.app.id}`)?.protocol.handlers.size).to.equal(0);
      expect(electron.ipcMain.listenerCount(ELECTRON_CHANNELS.appConfig)).to.equal(0);
    });

    it('ends the app when the background renderer is gone', async () => {
      const { run, bg, localPort } = await listeningApp();
      bg.webContents.crash();
      await run.ended;
      expect(bg.isDestroyed()).to.equal(true);
      expect(await connectResult(localPort)).to.equal('ECONNREFUSED');
      expect(electron.quits).to.equal(0);
    });

    it('ends the app with its last window, but not when a reload of the background page closes the windows', async () => {
      const { run, bg, localPort } = await listeningApp();
      const open = (id: string) =>
        (bg.webContents as FakeAppWebContents).open(electron, `${run.origin}/index.html`, appWindowFeatures(id, { id }).join(','))!;
      // chrome.runtime.reload(): the navigation starts, the old page closes its windows, the new page commits.
      const before = open('a');
      bg.webContents.startNavigation();
      before.close();
      bg.webContents.commitNavigation();
      expect(bg.isDestroyed()).to.equal(false);
      const a = open('a');
      const b = open('b');
      a.close();
      expect(bg.isDestroyed()).to.equal(false);
      b.close();
      await run.ended;
      expect(bg.isDestroyed()).to.equal(true);
      expect(await connectResult(localPort)).to.equal('ECONNREFUSED');
      expect(logs).to.include('runner: TCP Echo Server: its last window has closed; the app ends');
    });

    it('keeps running without windows when endWithLastWindow is false', async () => {
      const { run, bg, localPort } = await listeningApp({ endWithLastWindow: false });
      (bg.webContents as FakeAppWebContents)
        .open(electron, `${run.origin}/index.html`, appWindowFeatures('a', { id: 'a' }).join(','))!
        .close();
      // A round trip through the host after the close: the app still serves.
      expect(await connectResult(localPort)).to.equal('connected');
      expect(bg.isDestroyed()).to.equal(false);
    });
  });
});
