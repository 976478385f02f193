/**
 * The debugging window's end-to-end scaffold, shared by the window suites: one fresh headless
 * Chromium per suite (test/support/chromium.ts), a real browser host per test, page errors
 * failing a passing test, cleanups in reverse order, and the helpers the suites drive the window
 * with. Call `useWindowPages(prefix)` inside a `describe`: it registers the suite's hooks.
 */
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startBrowserHost, type BrowserHost } from '../../main/browser-host/server';
import { listen } from '../support';
import { buildPageBundle, launchFreshChromium, type FreshChromium } from '../support/chromium';

// What page code sees; these functions run inside Chromium, not in Node (this file has no DOM lib).
declare const document: any;
declare function requestAnimationFrame(fn: (t: number) => void): number;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
export const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const SIZES = [
  { width: 900, height: 700 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
export const VIEWPORT = SIZES[1];

export type Cleanup = () => unknown;
export type RowKind = 'tx' | 'rx' | 'note' | 'error' | 'any';

export interface WindowPages {
  /** The suite's browser context (for a second page, or permissions). */
  readonly context: BrowserContext;
  /** The suite's fresh profile directory (removed after the suite): a place for downloads. */
  readonly profileDir: string;
  onCleanup(fn: Cleanup): void;
  /** A real browser host (allow all) and the window open in a new page at 1280×800. */
  openWindow(): Promise<{ host: BrowserHost; page: Page }>;
  /** Two animation frames: whatever the last change scheduled has painted. */
  frame(page: Page): Promise<void>;
  /** Screenshots `<prefix>-<name>-<w>x<h>.png` at the three sizes, back at 1280×800 afterwards. */
  shots(page: Page, name: string): Promise<void>;
  view(page: Page): Locator;
  /** Log rows on screen, by class (the log is virtualised). */
  rows(page: Page, dir: RowKind): Promise<string[]>;
  /** Fills the TCP client form (Alt+1) with 127.0.0.1:`port` and presses Enter. */
  connectClient(page: Page, port: number): Promise<void>;
  /** A local TCP echo server on port 0, closed after the test; its port. */
  echoServer(): Promise<number>;
  /** An echo server, the window open, and a TCP client shown connected to it. */
  connectedToEcho(): Promise<{ host: BrowserHost; page: Page; port: number }>;
}

export function useWindowPages(prefix: string): WindowPages {
  let browser: FreshChromium | undefined;
  const cleanups: Cleanup[] = [];
  let pageErrors: string[] = [];
  const onCleanup = (fn: Cleanup): void => void cleanups.push(fn);

  before(async function () {
    this.timeout(120_000);
    if (!existsSync(path.join(RENDERER_DIR, 'app.js'))) throw new Error(`The window is not built (${RENDERER_DIR}/app.js is missing)`);
    await buildPageBundle();
    await fs.mkdir(SHOTS, { recursive: true });
    browser = await launchFreshChromium(`ecs-window-${prefix}-`, { viewport: VIEWPORT });
  });

  after(() => browser?.close());

  beforeEach(() => {
    pageErrors = [];
  });

  afterEach(async function () {
    for (const fn of cleanups.splice(0).reverse()) await fn();
    if (this.currentTest?.state === 'passed') expect(pageErrors, 'errors in the window').to.deep.equal([]);
  });

  const frame = (page: Page): Promise<void> =>
    page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

  async function openWindow(): Promise<{ host: BrowserHost; page: Page }> {
    const host = await startBrowserHost({ allowAll: true, log: () => {} });
    onCleanup(() => host.close());
    const page = await browser!.context.newPage();
    onCleanup(() => page.close());
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.setViewportSize(VIEWPORT);
    await page.goto(host.url);
    await page.locator('.topbar').waitFor();
    return { host, page };
  }

  async function connectClient(page: Page, port: number): Promise<void> {
    await page.keyboard.press('Alt+Digit1');
    const form = page.getByRole('form', { name: 'New TCP client' });
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(port));
    await form.getByLabel('Port').press('Enter');
  }

  async function echoServer(): Promise<number> {
    const echo = net.createServer((s) => s.pipe(s));
    const port = await listen(echo);
    onCleanup(() => new Promise((r) => echo.close(r)));
    return port;
  }

  return {
    get context() {
      return browser!.context;
    },
    get profileDir() {
      return browser!.profileDir;
    },
    onCleanup,
    openWindow,
    frame,
    async shots(page, name) {
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await frame(page);
        await page.screenshot({ path: path.join(SHOTS, `${prefix}-${name}-${size.width}x${size.height}.png`) });
      }
      await page.setViewportSize(VIEWPORT);
      await frame(page);
    },
    view: (page) => page.locator('main .socket-view'),
    rows(page, dir) {
      return page.evaluate(
        (dir) =>
          [...document.querySelectorAll(`main .log .row${dir === 'any' ? '' : `.${dir}`}:not([hidden])`)].map(
            (r: any) => r.textContent as string,
          ),
        dir,
      );
    },
    connectClient,
    echoServer,
    async connectedToEcho() {
      const port = await echoServer();
      const { host, page } = await openWindow();
      await connectClient(page, port);
      await page
        .locator('main .socket-view')
        .locator('.pill', { hasText: /^connected$/ })
        .waitFor();
      return { host, page, port };
    },
  };
}
