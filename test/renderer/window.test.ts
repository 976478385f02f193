/**
 * The debugging window's page in real headless Chromium on the real browser host, with Node peers
 * on 127.0.0.1 (ports from 0): keyboard paths, rendering of both payload views, floods, a server's
 * box, help and the Inspector. window.e2e.test.ts follows bytes and counters end to end; this suite
 * is about the page.
 */
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { BROWSER_HOST_PATHS } from '../../common/browser-host-paths';
import { PROTOCOL_VERSION, type ResultMessage } from '../../common/protocol';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../main/browser-host/server';
import { SocketsHost } from '../../main/host';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { Cleanup, attachRaw, listen } from '../support';
import { buildPageBundle, launchFreshChromium, type FreshChromium } from '../support/chromium';
import { until } from '../support/wait';

// What page code sees; these functions run inside Chromium, not in Node (this file has no DOM lib).
declare const document: any;
declare function requestAnimationFrame(fn: (t: number) => void): number;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
const CLIENT_PORT = 'form[aria-label="New TCP client"] input[placeholder="e.g. 7"]';

describe('socket debugging window (headless Chromium, browser host, Node peers)', function () {
  this.timeout(60_000);
  this.slow(10_000);
  let browser: FreshChromium;
  let errors: string[];
  const cleanup = new Cleanup();

  before(async function () {
    this.timeout(120_000);
    if (!existsSync(path.join(RENDERER_DIR, 'app.js'))) throw new Error(`The window is not built (${RENDERER_DIR}/app.js is missing)`);
    await buildPageBundle();
    browser = await launchFreshChromium('ecs-window-', { viewport: { width: 1280, height: 800 } });
  });
  after(() => browser?.close());

  beforeEach(() => {
    errors = [];
  });
  afterEach(async function () {
    await cleanup.run();
    if (this.currentTest?.state === 'passed') expect(errors, 'page errors').to.deep.equal([]);
  });

  async function serve(options: BrowserHostOptions = {}): Promise<BrowserHost> {
    const host = await startBrowserHost({ allowAll: true, log: () => {}, ...options });
    cleanup.add(() => host.close());
    return host;
  }

  /** A Node peer on 127.0.0.1:0; its connections are destroyed after the test. */
  async function peer(onConnection: (socket: net.Socket) => void = () => {}): Promise<{ port: number; connections: net.Socket[] }> {
    const connections: net.Socket[] = [];
    const server = net.createServer((socket) => {
      connections.push(socket);
      socket.on('error', () => {});
      onConnection(socket);
    });
    const port = await listen(server);
    cleanup.add(() => {
      for (const s of connections) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    });
    return { port, connections };
  }

  /** A peer that writes `chunk` for as long as the connection lasts, as fast as the reader takes it. */
  function flood(chunk: Buffer): (socket: net.Socket) => void {
    return (socket) => {
      const pump = (): void => {
        while (socket.writable && socket.write(chunk));
      };
      socket.on('drain', pump);
      pump();
    };
  }

  async function open(host: BrowserHost): Promise<Page> {
    const page = await browser.context.newPage();
    cleanup.add(() => page.close());
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(host.url);
    await page.waitForSelector('.topbar');
    return page;
  }

  async function connectClient(page: Page, port: number): Promise<void> {
    await page.fill(CLIENT_PORT, String(port));
    await page.press(CLIENT_PORT, 'Enter');
  }

  it('starts empty, saying what to do next, and hides the Inspector without a provider', async () => {
    // The window as an Electron window without the inspection preload gets it: `chrome` is on the
    // page before app.js runs (here from the browser host's bundle) and no inspector global is set.
    // The host serves a copy of the window whose page first connects, then loads app.js.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-window-carrier-'));
    cleanup.add(() => fs.rm(dir, { recursive: true, force: true }));
    for (const file of ['app.js', 'style.css']) await fs.copyFile(path.join(RENDERER_DIR, file), path.join(dir, file));
    const html = (await fs.readFile(path.join(RENDERER_DIR, 'index.html'), 'utf8')).replace(
      '<script src="app.js" defer></script>',
      '<script type="module" src="chrome-first.js"></script>',
    );
    expect(html).to.contain('chrome-first.js');
    await fs.writeFile(path.join(dir, 'index.html'), html);
    const host = await serve({ rendererDir: dir });
    await fs.writeFile(
      path.join(dir, 'chrome-first.js'),
      `const { connectBrowserHost } = await import('${BROWSER_HOST_PATHS.bundle}');
      const chrome = await connectBrowserHost('ws://' + location.host + '${BROWSER_HOST_PATHS.websocket}', ${JSON.stringify(host.token)});
      Object.defineProperty(window, 'chrome', { value: chrome, configurable: true, writable: true });
      const app = document.createElement('script');
      app.src = 'app.js';
      document.head.append(app);
      `,
    );
    const page = await open(host);
    expect(await page.textContent('.topbar .source')).to.equal('Electron');
    expect(await page.textContent('.main'))
      .to.contain('No socket selected')
      .and.contain('TCP client');
    expect(await page.textContent('.socket-list')).to.contain('No sockets yet');
    expect(await page.$('.tabs')).to.equal(null);
  });

  it('is driven from the keyboard: Alt+1, type host/port, Enter connects; Enter sends; Alt+H shows hex', async () => {
    const { port } = await peer((socket) => socket.pipe(socket));
    const page = await open(await serve());
    await page.keyboard.press('Alt+Digit1');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('placeholder'))).to.equal('host or IP');
    await page.keyboard.press('Tab');
    await page.keyboard.type(String(port));
    await page.keyboard.press('Enter');
    await page.waitForSelector('.socket-view .pill.ok');
    // Creating a socket puts the caret in its message box.
    await page.waitForFunction(() => document.activeElement?.classList.contains('compose-input'));
    await page.keyboard.type('PING\\r\\n\\x00');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.log .row.rx');
    const rows = await page.$$eval('.log .row:not([hidden])', (els) => els.map((e) => e.textContent ?? ''));
    // Text view breaks after each \n, so the trailing NUL is on the entry's second line.
    expect(rows.join('\n')).to.match(/→ +7 BPING\\r\\n\n\\0\n.*← +7 BPING\\r\\n\n\\0/);
    expect(await page.$$eval('.log .row.tx .esc', (els) => els.map((e) => e.textContent))).to.include.members(['\\r', '\\n', '\\0']);
    await page.keyboard.press('Alt+KeyH');
    await page.waitForFunction(() =>
      document.querySelector('.log .row.rx .txt')?.textContent?.startsWith('00000000  50 49 4e 47 0d 0a 00'),
    );
    expect(await page.textContent('.s-txMsgs')).to.equal('1');
  });

  it('shows a failed connect inline with its net::ERR_ name', async () => {
    // A port that was just listening and is closed now: the connect is refused.
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const page = await open(await serve());
    await connectClient(page, port);
    await page.waitForSelector('.log .row.error');
    expect(await page.textContent('.log .row.error')).to.contain('net::ERR_CONNECTION_REFUSED (-102)');
    expect(await page.textContent('.socket-item')).to.contain('disconnected');
    // Hiding notes leaves the error: errors are always shown.
    await page.click('.show-group button:has-text("notes")');
    await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 1);
    expect(await page.textContent('.log .row:not([hidden])')).to.contain('net::ERR_CONNECTION_REFUSED');
  });

  it('keeps painting while a peer floods, and the DOM holds only the visible rows', async () => {
    // A chargen-like peer: printable lines, as fast as the window reads them.
    const line = Buffer.from(`${Array.from({ length: 72 }, (_, i) => String.fromCharCode(33 + i)).join('')}\r\n`);
    const { port } = await peer(flood(Buffer.concat(Array.from({ length: 64 }, () => line))));
    const page = await open(await serve());
    await connectClient(page, port);
    await page.waitForFunction(() => Number(document.querySelector('.s-rxMsgs')?.textContent?.replace(/\D/g, '')) > 500);
    // Frames still come while the data does (how many per second is the bench's business).
    const frames = await page.evaluate(
      () =>
        new Promise<number>((done) => {
          let n = 0;
          const step = (): void => {
            if (++n === 10) done(n);
            else requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        }),
    );
    expect(frames).to.equal(10);
    expect(Number(await page.evaluate(() => document.querySelector('.s-rxMsgs')?.textContent?.replace(/\D/g, '')))).to.be.greaterThan(500);
    expect(await page.$$eval('.log .row', (els) => els.length)).to.be.below(80);
    await page.keyboard.press('Alt+KeyX');
    await page.waitForSelector('.socket-item.closed');
  });

  it('scrolls end to end through millions of one-byte lines (scaled scroll area)', async function () {
    // 8 MiB through the host and the page, one display line per byte: ~30 s on a busy 2-core
    // machine. The limits are hang guards, not a speed budget.
    this.timeout(150_000);
    // Nothing but "\n": the worst case for a line-based view, one display line per byte; the
    // bounded log (8 MiB) fills and starts dropping, millions of lines, far past what a browser can
    // make scrollable.
    const { port, connections } = await peer(flood(Buffer.alloc(64 * 1024, 0x0a)));
    const page = await open(await serve());
    await connectClient(page, port);
    await page.waitForFunction(() => document.querySelector('.log-status')?.textContent?.includes('dropped'), undefined, {
      timeout: 120_000,
    });
    // The log is full and dropping: the peer stops and the socket is paused, and scrolling waits
    // until the page has taken what was already on its way (a few MiB of one-byte lines in the
    // kernel's and the host's buffers), so it is checked on a log that holds still rather than
    // racing a flood that keeps a loaded machine's page busy and keeps dropping the log's top.
    for (const c of connections) c.removeAllListeners('drain');
    await page.click('button[title="setPaused (Alt+P)"]');
    let received: string | null = null;
    let changedAt = Date.now();
    await until(
      async () => {
        const now = await page.getAttribute('.s-rx', 'title');
        if (now !== received) [received, changedAt] = [now, Date.now()];
        return Date.now() - changedAt >= 1000;
      },
      'the received count holding still for a second',
      120_000,
    );
    await page.click('.log-bar button[aria-pressed]'); // stop following, so the view holds still
    const spacer = await page.$eval('.log-spacer', (el) => parseFloat((el as unknown as { style: { height: string } }).style.height));
    expect(spacer).to.be.at.most(8_000_000);
    expect(await page.$$eval('.log .row:not([hidden]) .txt', (els) => els.every((e) => e.textContent === '\\n'))).to.equal(true);
    await page.focus('.log');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('.log .row:not([hidden]) .gut')?.textContent?.includes('←'));
    await page.keyboard.press('Alt+KeyX');
    await page.waitForSelector('.socket-item.closed');
  });

  it("sends from a server's box to every connection it accepted", async () => {
    const page = await open(await serve());
    await page.keyboard.press('Alt+Digit2');
    const address = page.getByRole('form', { name: 'New TCP server' }).getByLabel('Address');
    await address.fill('127.0.0.1');
    await address.press('Enter');
    await page.waitForSelector('.socket-view .pill.ok');
    let port = NaN;
    await until(async () => {
      port = Number(
        await page.evaluate(() => {
          const dt = [...document.querySelectorAll('main .socket-view dl.info dt')].find((d: any) => d.textContent === 'localPort');
          return dt?.nextElementSibling?.textContent ?? '';
        }),
      );
      return port > 0;
    }, "the server's port");
    const client = net.connect(port, '127.0.0.1');
    cleanup.add(() => client.destroy());
    const atClient: Buffer[] = [];
    client.on('data', (chunk) => atClient.push(chunk));
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    await page.waitForSelector('.conn');
    await page.fill('.compose-input', 'hi all');
    await page.press('.compose-input', 'Enter');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.log .row.note')].some((r: any) => r.textContent.includes('sent 6 B to 1 of 1 accepted connection')),
    );
    await until(() => Buffer.concat(atClient).toString() === 'hi all', 'the bytes at the client');
    await page.click('.conn');
    await page.waitForSelector('.socket-view.kind-tcp .log .row.tx');
  });

  it("lists every app's sockets in the Inspector (Alt+I) and filters them", async () => {
    // One host, two apps: the window's (the browser host's pages) and com.example.telnet, whose
    // page stopped reading: it never acknowledges, so the host pauses its sockets for flow control.
    const sockets = new SocketsHost({ log: () => {}, flow: { highWaterMark: 256 * 1024, lowWaterMark: 64 * 1024 } });
    cleanup.add(() => sockets.dispose());
    const host = await serve({ socketsHost: sockets });
    const { port } = await peer(flood(Buffer.alloc(64 * 1024, 0x41)));
    const telnet = attachRaw(sockets, { app: 'com.example.telnet', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup);
    telnet.send({ t: 'hello', v: PROTOCOL_VERSION });
    telnet.send({ t: 'listen', ev: ['tcp.onReceive'] });
    telnet.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{ name: 'terminal' }] });
    telnet.send({ t: 'call', id: 2, ns: 'tcp', m: 'create', a: [{ name: 'idle' }] });
    const created = (await telnet.next((i) => i.t === 'r' && i.id === 1)) as ResultMessage;
    const { socketId } = created.a[0] as { socketId: number };
    telnet.send({ t: 'call', id: 3, ns: 'tcp', m: 'connect', a: [socketId, '127.0.0.1', port] });
    await until(
      () => sockets.inspect().sockets.some((s) => s.app === 'com.example.telnet' && s.pausedBy.includes('flow')),
      'the flow pause of the page that does not read',
    );

    const page = await open(host);
    await page.keyboard.press('Alt+KeyI');
    await page.waitForFunction(() => document.querySelectorAll('.insp-table tbody tr').length === 2);
    expect(await page.textContent('.insp-table'))
      .to.contain('com.example.telnet')
      .and.contain('flow');
    await page.fill('.inspector input[type="search"]', 'paused:flow');
    await page.waitForFunction(() => document.querySelectorAll('.insp-table tbody tr').length === 1);
    expect(await page.textContent('.insp-table tbody tr')).to.contain('terminal');
  });

  it('lists its shortcuts in a help overlay (F1) that Esc closes', async () => {
    const page = await open(await serve());
    await page.keyboard.press('F1');
    await page.waitForSelector('dialog.help[open]');
    expect(await page.textContent('dialog.help'))
      .to.contain('Alt')
      .and.contain('Pause / resume');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.help:not([open])', { state: 'attached' });
  });
});
