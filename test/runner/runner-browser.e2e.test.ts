/**
 * The runner's browser mode end to end: fixture Chrome Apps (test/fixtures/apps/) run unmodified
 * in headless Chromium through `runInBrowser`, driven by Node peers on 127.0.0.1.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runInBrowser, type BrowserRun, type RunAppOptions } from '../../main/runner/browser-runner';
import { buildPageBundle, CHROMIUM_ARGS, findChromium } from '../support/chromium';

const APPS = path.resolve(__dirname, '../../../test/fixtures/apps');

type Cleanup = () => unknown;

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

  let context: BrowserContext;
  let profileDir: string;
  const cleanups: Cleanup[] = [];
  const onCleanup = (fn: Cleanup): void => void cleanups.push(fn);

  before(async function () {
    this.timeout(120_000);
    const { executablePath, env } = await findChromium();
    await buildPageBundle();
    profileDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-runner-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath, env, headless: true, args: [...CHROMIUM_ARGS] });
  });

  after(async () => {
    await context?.close();
    if (profileDir) await fs.rm(profileDir, { recursive: true, force: true });
  });

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
});

declare const chrome: unknown;
declare const window: any;
declare const document: any;
