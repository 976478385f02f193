/**
 * The runner's browser mode end to end: fixture Chrome Apps (test/fixtures/apps/) run unmodified
 * in headless Chromium through `runInBrowser`, driven by Node peers on 127.0.0.1.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { runInBrowser, type BrowserRun, type RunAppOptions } from '../../main/runner/browser-runner';
import { buildPageBundle, launchFreshChromium, type FreshChromium } from '../support/chromium';
import { until } from '../support/wait';

const APPS = path.resolve(__dirname, '../../../test/fixtures/apps');

type Cleanup = () => unknown;

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('error', reject);
  });
}

function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) socket.end();
    });
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function connectFails(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      reject(new Error(`port ${port} still accepts connections`));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('runner: Chrome Apps in Chromium (browser mode)', function () {
  this.timeout(60_000);
  this.slow(5_000);

  let browser: FreshChromium;
  let context: BrowserContext;
  const cleanups: Cleanup[] = [];
  const onCleanup = (fn: Cleanup): void => void cleanups.push(fn);

  before(async function () {
    this.timeout(120_000);
    await buildPageBundle();
    browser = await launchFreshChromium('ecs-runner-chromium-');
    context = browser.context;
  });

  after(() => browser?.close());

  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function tempDir(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-runner-data-'));
    onCleanup(() => fs.rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function run(app: string, options: RunAppOptions = {}): Promise<BrowserRun> {
    const logs: string[] = [];
    const r = await runInBrowser(path.join(APPS, app), { appEndGraceMs: 100, log: (line) => logs.push(line), ...options });
    onCleanup(() => r.close());
    return r;
  }

  /** Opens the launch URL; resolves with the background page and its first popup (an app window). */
  async function launchWithWindow(r: BrowserRun): Promise<{ background: Page; popup: Promise<Page> }> {
    const page = await context.newPage();
    onCleanup(() => (page.isClosed() ? undefined : page.close()));
    const popup = page.waitForEvent('popup');
    popup.catch(() => undefined);
    await page.goto(r.url);
    return { background: page, popup };
  }

  async function launch(r: BrowserRun): Promise<Page> {
    return (await launchWithWindow(r)).background;
  }

  describe('tcp-echo-server (a window with a tcpServer)', () => {
    it('opens its window on launch, echoes bytes from a Node client, and closes every socket when the background page closes', async () => {
      const r = await run('tcp-echo-server', { dataDir: await tempDir() });
      const { background, popup } = await launchWithWindow(r);
      const win = await popup;
      await win.waitForFunction(() => /^\d+$/.test(document.getElementById('port')?.textContent ?? ''));
      const port = Number(await win.textContent('#port'));

      const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      const echoed = await echoOnce(port, payload);
      expect(echoed.equals(payload)).to.equal(true);
      expect(await win.textContent('#connections')).to.equal('1');

      // The create callback ran before the window's scripts: launchData is there.
      expect(await win.evaluate(() => (window as any).launchData)).to.deep.equal({
        isKioskSession: false,
        isPublicSession: false,
        source: 'command_line',
      });
      // The background page reaches the window's DOM directly, as in Chrome.
      expect(await background.evaluate(() => (chrome as any).app.window.get('main').contentWindow.document.title)).to.equal(
        'TCP Echo Server',
      );

      // Closing the window through the app's own button fires onClosed in the background page.
      await win.click('#close');
      await background.waitForFunction(() => (window as any).closedWindows === 1);
      expect(await background.evaluate(() => (chrome as any).app.window.getAll().length)).to.equal(0);

      await background.close();
      await r.ended;
      expect(await connectFails(port)).to.equal('ECONNREFUSED');
    });
  });

  describe('popups refused (window.open gives null, as an everyday browser without a user gesture)', () => {
    it('opens the app window as a frame in the launch tab, where contentWindow reaches it and the app runs', async () => {
      const r = await run('tcp-echo-server', { dataDir: await tempDir() });
      const background = await context.newPage();
      onCleanup(() => (background.isClosed() ? undefined : background.close()));
      const lines: string[] = [];
      background.on('console', (m) => lines.push(m.text()));
      let popups = 0;
      background.on('popup', () => popups++);
      // What a popup blocker does to window.open.
      await background.addInitScript(() => {
        window.open = () => null;
      });
      await background.goto(r.url);

      await background.waitForFunction(() =>
        /^\d+$/.test((chrome as any).app.window.get('main')?.contentWindow?.document.getElementById('port')?.textContent ?? ''),
      );
      const port: number = await background.evaluate(() =>
        Number((chrome as any).app.window.get('main').contentWindow.document.getElementById('port').textContent),
      );
      const payload = Buffer.from('through a frame');
      expect((await echoOnce(port, payload)).toString()).to.equal('through a frame');

      expect(popups).to.equal(0);
      expect(await background.evaluate(() => document.querySelectorAll('iframe').length)).to.equal(1);
      expect(lines.filter((l) => l.includes('the browser blocked a popup'))).to.have.length(1);
      // The frame is the window: its own chrome.app.window.current(), launchData from create's callback.
      const frame = background.frames().find((f) => f.url().endsWith('/index.html'));
      expect(frame, 'the app window frame').to.not.equal(undefined);
      expect(await frame!.evaluate(() => (chrome as any).app.window.current().id)).to.equal('main');
      expect(await frame!.evaluate(() => (window as any).launchData.source)).to.equal('command_line');
      await frame!.waitForFunction(() => document.getElementById('connections')?.textContent === '1');

      // Closing it with the app's own button removes the frame and fires onClosed.
      await frame!.click('#close');
      await background.waitForFunction(() => (window as any).closedWindows === 1);
      expect(await background.evaluate(() => document.querySelectorAll('iframe').length)).to.equal(0);
    });
  });

  describe('storage-alarms-i18n', () => {
    it('counts launches in storage across runs, fires onInstalled then onStartup, an alarm, and localises', async () => {
      const dataDir = await tempDir();
      const first = await run('storage-alarms-i18n', { dataDir, uiLocale: 'en-US' });
      const bg1 = await launch(first);
      await bg1.waitForFunction(() => (window as any).log.includes('alarm:tick'));
      await bg1.waitForFunction(() => (window as any).log.includes('changed:local:lastAlarm:"tick"'));
      const log1: string[] = await bg1.evaluate(() => (window as any).log);
      expect(log1.slice(0, 2)).to.deep.equal(['installed:install', 'launched']);
      expect(log1).to.include('launches:1');
      expect(log1).to.include('changed:local:launches:1');
      expect(await bg1.evaluate(() => (window as any).greeting)).to.equal('Hello World, run World costs $5');
      expect(await bg1.evaluate(() => (chrome as any).runtime.getManifest().name)).to.equal('Counter');
      await bg1.close();
      await first.close();

      const second = await run('storage-alarms-i18n', { dataDir, uiLocale: 'de' });
      const bg2 = await launch(second);
      await bg2.waitForFunction(() => (window as any).log.includes('launches:2'));
      const log2: string[] = await bg2.evaluate(() => (window as any).log);
      expect(log2.slice(0, 2)).to.deep.equal(['startup', 'launched']);
      expect(await bg2.evaluate(() => (chrome as any).runtime.getManifest().name)).to.equal('Zähler');
      // Keys left by the first run are still there.
      expect(await bg2.evaluate(() => new Promise((resolve) => (chrome as any).storage.local.get('lastAlarm', resolve)))).to.deep.equal({
        lastAlarm: 'tick',
      });
    });
  });
  describe('udp-echo (the background page echoes datagrams)', () => {
    it('echoes datagrams from a Node peer byte for byte', async () => {
      const r = await run('udp-echo', { dataDir: await tempDir() });
      const background = await launch(r);
      await background.waitForFunction(() => (window as any).boundPort > 0);
      const port: number = await background.evaluate(() => (window as any).boundPort);
      const peer = dgram.createSocket('udp4');
      onCleanup(() => new Promise<void>((resolve) => peer.close(() => resolve())));
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
      const replies: Buffer[] = [];
      peer.on('message', (msg) => replies.push(msg));
      const datagrams = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from(Array.from({ length: 9000 }, (_, i) => i % 256))];
      for (const d of datagrams) {
        peer.send(d, port, '127.0.0.1');
        const want = replies.length + 1;
        await until(() => replies.length >= want, 'the echoed datagram');
      }
      expect(replies.map((b) => b.toString('hex'))).to.deep.equal(datagrams.map((b) => b.toString('hex')));
    });
  });

  describe('http-server (persistent named listen socket)', () => {
    it('serves HTTP, and after chrome.runtime.reload() finds its listening socket again with getSockets()', async () => {
      const r = await run('http-server', { dataDir: await tempDir(), appEndGraceMs: 2000 });
      const background = await launch(r);
      await background.waitForFunction(() => (window as any).listenPort > 0);
      const port: number = await background.evaluate(() => (window as any).listenPort);
      const firstLoad: string = await background.evaluate(() => (window as any).pageLoad);
      expect(await httpGet(port)).to.equal(`served by page load ${firstLoad}\n`);

      await Promise.all([background.waitForNavigation(), background.evaluate(() => (chrome as any).runtime.reload())]);
      await background.waitForFunction(() => (window as any).listenPort > 0);
      expect(await background.evaluate(() => (window as any).reusedSocket)).to.equal(true);
      expect(await background.evaluate(() => (window as any).listenPort)).to.equal(port);
      const secondLoad: string = await background.evaluate(() => (window as any).pageLoad);
      expect(secondLoad).to.not.equal(firstLoad);
      expect(await httpGet(port)).to.equal(`served by page load ${secondLoad}\n`);

      await background.close();
      await r.ended;
      expect(await connectFails(port)).to.equal('ECONNREFUSED');
    });
  });

  describe('telnet-client (background.page, a window with a form)', () => {
    it('connects to a Node server from the form, shows what it sends and sends typed lines', async () => {
      const server = net.createServer((socket) => {
        socket.write('Welcome to the test BBS\r\n');
        socket.on('data', (data) => socket.write(data.toString('utf8').toUpperCase()));
      });
      onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const serverPort = await new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
      );
      const r = await run('telnet-client', { dataDir: await tempDir() });
      const { popup } = await launchWithWindow(r);
      const win = await popup;
      await win.waitForSelector('#port');
      await win.fill('#port', String(serverPort));
      await win.click('#connect button');
      await win.waitForFunction(() => (document.getElementById('screen')?.textContent ?? '').includes('Welcome to the test BBS'));
      await win.fill('#input', 'hello, world');
      await win.click('#line button');
      await win.waitForFunction(() => (document.getElementById('screen')?.textContent ?? '').includes('HELLO, WORLD\r\n'));
      expect(await win.textContent('#screen')).to.equal('[connected]\nWelcome to the test BBS\r\nHELLO, WORLD\r\n');
      // outerBounds asked for 640×480.
      expect(await win.evaluate(() => [window.outerWidth, window.outerHeight])).to.deep.equal([640, 480]);
    });
  });

  describe('multicast-chat (udp multicast, port from storage)', () => {
    it('receives a Node peer on the group and hears itself (multicast loopback)', async function () {
      const GROUP = '237.132.100.133';
      const probe = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => probe.bind(0, '0.0.0.0', () => resolve()));
      const port = (probe.address() as net.AddressInfo).port;
      let noRoute: string | undefined;
      try {
        probe.addMembership(GROUP);
      } catch (error) {
        noRoute = (error as NodeJS.ErrnoException).code;
      }
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      if (noRoute !== undefined) {
        console.warn(
          `      (skipped: joining ${GROUP} failed with ${noRoute}; no route for 224.0.0.0/4 — \`ip route add 224.0.0.0/4 dev lo\` adds one)`,
        );
        this.skip();
      }
      const dataDir = await tempDir();
      // The app reads its port from chrome.storage.local: seed the data directory as a previous run would have.
      await fs.mkdir(path.join(dataDir, 'storage'), { recursive: true });
      await fs.writeFile(path.join(dataDir, 'storage', 'local.json'), JSON.stringify({ port }));
      const r = await run('multicast-chat', { dataDir });
      const background = await launch(r);
      await background.waitForFunction(() => (window as any).ready === true);
      const peer = dgram.createSocket('udp4');
      onCleanup(() => new Promise<void>((resolve) => peer.close(() => resolve())));
      await new Promise<void>((resolve) => peer.bind(0, '0.0.0.0', () => resolve()));
      peer.setMulticastTTL(0);
      peer.send(Buffer.from('hi from node ✓'), port, GROUP);
      await background.waitForFunction(() => (window as any).messages.includes('hi from node ✓'));
      await background.evaluate(() => (window as any).say('hi from the app'));
      await background.waitForFunction(() => (window as any).messages.includes('hi from the app'));
    });
  });

  describe('runtime messaging between the background page and a window', () => {
    it('sends from the window and gets the background page’s answer', async () => {
      const r = await run('tcp-echo-server', { dataDir: await tempDir() });
      const { background, popup } = await launchWithWindow(r);
      const win = await popup;
      await win.waitForFunction(() => (window as any).chrome?.runtime !== undefined);
      await background.evaluate(() =>
        (chrome as any).runtime.onMessage.addListener((message: any, sender: any, sendResponse: (r: unknown) => void) => {
          sendResponse({ got: message, from: new URL(sender.url).pathname });
        }),
      );
      // A round trip on the background page's own connection: its listener has reached the host.
      await background.evaluate(() => (chrome as any).sockets.tcp.getSockets());
      const answer = await win.evaluate(() => (chrome as any).runtime.sendMessage({ ping: 1 }));
      expect(answer).to.deep.equal({ got: { ping: 1 }, from: '/index.html' });
      // The background page is the window's getBackgroundPage(), with direct access.
      expect(
        await win.evaluate(
          () => new Promise((resolve) => (chrome as any).runtime.getBackgroundPage((bg: any) => resolve(typeof bg.closedWindows))),
        ),
      ).to.equal('number');
    });
  });

  describe('port-chat (chrome.runtime.connect between the background page and a window)', () => {
    it('carries messages both ways, disconnects either way, and tells the background page when the window closes', async () => {
      const r = await run('port-chat', { dataDir: await tempDir() });
      const { background, popup } = await launchWithWindow(r);
      const win = await popup;
      const bgLog = (): Promise<string[]> => background.evaluate(() => (window as any).log);
      const winEvents = (): Promise<string[]> => win.evaluate(() => (window as any).events);

      // The window connected and posted while loading, and sent a one-time message to a
      // listener the background page registered in create's callback.
      await win.waitForFunction(() => (window as any).events?.length >= 2);
      expect(await winEvents()).to.have.members(['reply:{"echo":{"text":"hello"}}', 'response:loading']);
      expect(await bgLog()).to.include.members(['connect:chat:/chat.html', 'message:chat:{"text":"hello"}', 'sendMessage:loading']);

      // The background page opens a port to the window (its own onConnect is not asked).
      const bgPath: string = await background.evaluate(() => (window as any).location.pathname as string);
      await background.evaluate(() => (window as any).callWindow());
      await background.waitForFunction(() => (window as any).log.includes('window said:hi background'));
      expect(await winEvents()).to.include(`connect:from-background:${bgPath}`);
      expect(await bgLog()).to.not.include('connect:from-background:' + bgPath);

      // The background page hangs up: the window hears, the background page's own port does not.
      await background.evaluate(() => (window as any).toWindow.disconnect());
      await win.waitForFunction(() => (window as any).events.includes('background hung up'));
      // The window hangs up its first port: the background page hears.
      await win.evaluate(() => (window as any).leave());
      await background.waitForFunction(() => (window as any).log.includes('disconnect:chat'));
      expect(
        await win.evaluate(() => (window as any).fromBackground.postMessage('late') as unknown).catch((e: Error) => e.message),
      ).to.include('Attempting to use a disconnected port object');

      // A port whose window closes: onDisconnect in the background page.
      await win.evaluate(() => (window as any).openAnother('second'));
      await background.waitForFunction(() => (window as any).log.includes('message:second:"still here"'));
      // The end that called disconnect() heard nothing of its own.
      expect(await winEvents()).to.not.include('disconnected');
      await win.evaluate(() => (chrome as any).app.window.current().close());
      await background.waitForFunction(() => (window as any).log.includes('disconnect:second'));
      const log = await bgLog();
      expect(log).to.include('closed');
      expect(log).to.not.include('window hung up');
    });
  });
});

declare const chrome: unknown;
declare const window: any;
declare const document: any;
