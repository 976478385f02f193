/**
 * The debugging window's page in real headless Chromium, on the dev-only in-page fake of
 * chrome.sockets (renderer/dev/fake-chrome.ts): keyboard paths, rendering of both payload views,
 * help and inspector. Socket behaviour itself is covered against the real host in
 * renderer-workbench.test.ts; this suite is about the page.
 */
import { expect } from 'chai';
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../support/chromium';

const root = resolve(__dirname, '..', '..', '..');

describe('socket debugging window (headless Chromium, dev fake)', function () {
  this.timeout(30_000);
  let browser: Browser;
  let dir: string;
  let errors: string[];

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'ecs-window-'));
    await esbuild.build({
      entryPoints: { app: join(root, 'renderer', 'dev', 'preview.ts') },
      outdir: dir,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['chrome120'],
      logLevel: 'silent',
      tsconfig: join(root, 'renderer', 'tsconfig.json'),
    });
    copyFileSync(join(root, 'renderer', 'index.html'), join(dir, 'index.html'));
    copyFileSync(join(root, 'renderer', 'style.css'), join(dir, 'style.css'));
    const { executablePath, env } = await findChromium();
    browser = await chromium.launch({ executablePath, env, args: [...CHROMIUM_ARGS] });
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(query = ''): Promise<Page> {
    // bypassCSP: string predicates run through eval, which the page's CSP rightly forbids.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${pathToFileURL(join(dir, 'index.html')).href}${query}`);
    await page.waitForSelector('.topbar');
    return page;
  }

  afterEach(() => expect(errors, 'page errors').to.deep.equal([]));

  it('starts empty, saying what to do next, and hides the Inspector without a provider', async () => {
    const page = await open('?noinspect');
    expect(await page.textContent('.main'))
      .to.contain('No socket selected')
      .and.contain('TCP client');
    expect(await page.textContent('.socket-list')).to.contain('No sockets yet');
    expect(await page.$('.tabs')).to.equal(null);
    await page.close();
  });

  it('is driven from the keyboard: Alt+1, type host/port, Enter connects; Enter sends; Alt+H shows hex', async () => {
    const page = await open();
    await page.keyboard.press('Alt+Digit1');
    expect(await page.evaluate('document.activeElement?.getAttribute("placeholder")')).to.equal('host or IP');
    await page.keyboard.press('Tab');
    await page.keyboard.type('7');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.socket-view .pill.ok');
    // Creating a socket puts the caret in its message box.
    await page.waitForFunction('document.activeElement?.classList.contains("compose-input")');
    await page.keyboard.type('PING\\r\\n\\x00');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.log .row.rx');
    const rows = await page.$$eval('.log .row:not([hidden])', (els) => els.map((e) => e.textContent ?? ''));
    // Text view breaks after each \n, so the trailing NUL is on the entry's second line.
    expect(rows.join('\n')).to.match(/→ +7 BPING\\r\\n\n\\0\n.*← +7 BPING\\r\\n\n\\0/);
    expect(await page.$$eval('.log .row.tx .esc', (els) => els.map((e) => e.textContent))).to.include.members(['\\r', '\\n', '\\0']);
    await page.keyboard.press('Alt+KeyH');
    await page.waitForFunction('document.querySelector(".log .row.rx .txt")?.textContent?.startsWith("00000000  50 49 4e 47 0d 0a 00")');
    expect(await page.textContent('.s-txMsgs')).to.equal('1');
    await page.close();
  });

  it('shows a failed connect inline with its net::ERR_ name', async () => {
    const page = await open();
    await page.fill('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', '1');
    await page.press('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', 'Enter');
    await page.waitForSelector('.log .row.error');
    expect(await page.textContent('.log .row.error')).to.contain('net::ERR_CONNECTION_REFUSED (-102)');
    expect(await page.textContent('.socket-item')).to.contain('disconnected');
    // Hiding notes leaves the error: errors are always shown.
    await page.click('.show-group button:has-text("notes")');
    await page.waitForFunction('document.querySelectorAll(".log .row:not([hidden])").length === 1');
    expect(await page.textContent('.log .row:not([hidden])')).to.contain('net::ERR_CONNECTION_REFUSED');
    await page.close();
  });

  it('keeps painting while a peer floods, and the DOM holds only the visible rows', async () => {
    const page = await open();
    await page.fill('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', '19');
    await page.press('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', 'Enter');
    await page.waitForFunction('Number(document.querySelector(".s-rxMsgs")?.textContent?.replace(/\\D/g, "")) > 500');
    // Frames painted in one second of flood (a string: this file compiles without DOM types).
    const frames = await page.evaluate<number>(`new Promise((done) => {
      let n = 0;
      const end = performance.now() + 1000;
      const step = (t) => { n++; if (t < end) requestAnimationFrame(step); else done(n); };
      requestAnimationFrame(step);
    })`);
    expect(frames).to.be.greaterThan(10);
    expect(await page.$$eval('.log .row', (els) => els.length)).to.be.below(80);
    await page.keyboard.press('Alt+KeyX');
    await page.waitForSelector('.socket-item.closed');
    await page.close();
  });

  it('scrolls end to end through millions of one-byte lines (scaled scroll area)', async () => {
    const page = await open();
    await page.fill('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', '10');
    await page.press('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', 'Enter');
    // 8 MiB of "\n" is ~8 million display lines, far past what a browser can make scrollable.
    await page.waitForFunction('document.querySelector(".log-status")?.textContent?.includes("dropped")', undefined, { timeout: 20_000 });
    await page.click('.log-bar button[aria-pressed]'); // stop following, so the view holds still
    const spacer = await page.$eval('.log-spacer', (el) => parseFloat((el as unknown as { style: { height: string } }).style.height));
    expect(spacer).to.be.at.most(8_000_000);
    expect(await page.$$eval('.log .row:not([hidden]) .txt', (els) => els.every((e) => e.textContent === '\\n'))).to.equal(true);
    await page.focus('.log');
    await page.keyboard.press('Home');
    await page.waitForFunction('document.querySelector(".log .row:not([hidden]) .gut")?.textContent?.includes("←")');
    await page.keyboard.press('Alt+KeyX');
    await page.close();
  });

  it("sends from a server's box to every connection it accepted", async () => {
    const page = await open();
    await page.keyboard.press('Alt+Digit2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.conn'); // the fake's first client arrives after a second
    await page.fill('.compose-input', 'hi all');
    await page.press('.compose-input', 'Enter');
    await page.waitForFunction(
      '[...document.querySelectorAll(".log .row.note")].some((r) => r.textContent.includes("sent 6 B to 1 of 1 accepted connection"))',
    );
    await page.click('.conn');
    await page.waitForSelector('.socket-view.kind-tcp .log .row.tx');
    await page.close();
  });

  it("lists every app's sockets in the Inspector (Alt+I) and filters them", async () => {
    const page = await open();
    await page.keyboard.press('Alt+KeyI');
    await page.waitForSelector('.insp-table tbody tr');
    expect(await page.textContent('.insp-table'))
      .to.contain('com.example.telnet')
      .and.contain('flow');
    await page.fill('.inspector input[type="search"]', 'paused:flow');
    await page.waitForFunction('document.querySelectorAll(".insp-table tbody tr").length === 1');
    await page.close();
  });

  it('lists its shortcuts in a help overlay (F1) that Esc closes', async () => {
    const page = await open();
    await page.keyboard.press('F1');
    await page.waitForSelector('dialog.help[open]');
    expect(await page.textContent('dialog.help'))
      .to.contain('Alt')
      .and.contain('Pause / resume');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.help:not([open])', { state: 'attached' });
    await page.close();
  });
});
