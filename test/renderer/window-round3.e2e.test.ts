/**
 * The debugging window, round 3 (issue 14 items 3 and 9): TLS details and trusting a refused
 * certificate; history, macros, responders, search and filter, timestamps and copy-as. End to
 * end in headless Chromium through the real browser host, with Node peers on 127.0.0.1 (ports
 * from 0). Each step writes screenshots at 900×700, 1280×800 and 1920×1080 to
 * test-output/screenshots/ (`r3-…`).
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startBrowserHost, type BrowserHost } from '../../main/browser-host/server';
import { makeTestCertificates } from '../support/certs';
import { buildPageBundle, CHROMIUM_ARGS, findChromium } from '../support/chromium';

// What page code sees; these functions run inside Chromium, not in Node (this file has no DOM lib).
declare const document: any;
declare function requestAnimationFrame(fn: (t: number) => void): number;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const SIZES = [
  { width: 900, height: 700 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
const VIEWPORT = SIZES[1];

type Cleanup = () => unknown;

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

describe('socket debugging window, round 3: TLS and working faster (headless Chromium, real sockets)', function () {
  this.timeout(60_000);
  this.slow(10_000);

  let context: BrowserContext;
  let profileDir: string;
  const cleanups: Cleanup[] = [];
  const onCleanup = (fn: Cleanup): void => void cleanups.push(fn);
  let pageErrors: string[] = [];

  before(async function () {
    this.timeout(120_000);
    const { executablePath, env } = await findChromium();
    if (!existsSync(path.join(RENDERER_DIR, 'app.js'))) throw new Error(`The window is not built (${RENDERER_DIR}/app.js is missing)`);
    await buildPageBundle();
    await fs.mkdir(SHOTS, { recursive: true });
    profileDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-window-r3-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      env,
      headless: true,
      viewport: VIEWPORT,
      args: [...CHROMIUM_ARGS],
    });
  });

  after(async () => {
    await context?.close();
    if (profileDir) await fs.rm(profileDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    pageErrors = [];
  });

  afterEach(async function () {
    for (const fn of cleanups.splice(0).reverse()) await fn();
    if (this.currentTest?.state === 'passed') expect(pageErrors, 'errors in the window').to.deep.equal([]);
  });

  async function openWindow(): Promise<{ host: BrowserHost; page: Page }> {
    const host = await startBrowserHost({ allowAll: true, log: () => {} });
    onCleanup(() => host.close());
    const page = await context.newPage();
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

  const frame = (page: Page) =>
    page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

  /** Screenshots at the three sizes, back at 1280×800 afterwards. */
  async function shots(page: Page, name: string): Promise<void> {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await frame(page);
      await page.screenshot({ path: path.join(SHOTS, `r3-${name}-${size.width}x${size.height}.png`) });
    }
    await page.setViewportSize(VIEWPORT);
    await frame(page);
  }

  const view = (page: Page): Locator => page.locator('main .socket-view');

  /** Log rows on screen, by class (the log is virtualised). */
  function rows(page: Page, dir: 'tx' | 'rx' | 'note' | 'error' | 'any'): Promise<string[]> {
    return page.evaluate(
      (dir) =>
        [...document.querySelectorAll(`main .log .row${dir === 'any' ? '' : `.${dir}`}:not([hidden])`)].map(
          (r: any) => r.textContent as string,
        ),
      dir,
    );
  }

  it('shows a refused certificate, trusts it for the session on request, then shows protocol, cipher and peer certificate (item 3)', async () => {
    const certs = await makeTestCertificates();
    // The chain up to the test CA, as servers send their intermediates; nobody trusts the CA yet.
    const server = tls.createServer({ key: certs.key, cert: certs.cert + certs.ca }, (s) => s.pipe(s));
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    onCleanup(() => new Promise((r) => server.close(r)));
    const { host, page } = await openWindow();
    await page.keyboard.press('Alt+Digit1');
    const form = page.getByRole('form', { name: 'New TCP client' });
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(port));
    await form.getByLabel('TLS (secure)').check();
    await form.getByLabel('Port').press('Enter');
    const panel = view(page).locator('.tls-panel');
    await panel.locator('h3', { hasText: 'refused: ERR_CERT_AUTHORITY_INVALID' }).waitFor();
    const text = (await panel.textContent()) ?? '';
    expect(text).to.contain('CN=127.0.0.1').and.contain('SELF_SIGNED_CERT_IN_CHAIN');
    expect(text).to.contain(new X509Certificate(certs.cert).fingerprint256);
    expect(text).to.contain('CN=electron-chrome-sockets test CA');
    const trust = panel.getByRole('button', { name: 'Trust its root for this session' });
    await trust.waitFor();
    await shots(page, '3-1-tls-refused');
    await trust.click();
    await panel.locator('.tls-status', { hasText: 'Trusted for app' }).waitFor();
    expect(host.host.inspect().trustedCertificates?.map((c) => c.certificate.subject)).to.deep.equal([
      'CN=electron-chrome-sockets test CA',
    ]);
    await panel.getByRole('button', { name: `Connect again with TLS to 127.0.0.1:${port}` }).click();
    // The new socket is selected; its secure() now verifies against the trusted root.
    const session = view(page).locator('.tls-panel .tls-protocol');
    await session.waitFor();
    expect(await session.textContent()).to.equal('TLSv1.3');
    const secured = view(page).locator('.tls-panel');
    expect(await secured.locator('.tls-cipher').textContent()).to.match(/^TLS_(AES|CHACHA20)_/);
    const shown = (await secured.textContent()) ?? '';
    expect(shown).to.contain('CN=127.0.0.1').and.contain('CN=electron-chrome-sockets test CA');
    expect(shown).to.contain(new X509Certificate(certs.cert).fingerprint256);
    expect(shown).to.contain(new X509Certificate(certs.cert).validTo);
    await view(page).locator('.pill', { hasText: 'connected, TLS' }).waitFor();
    await view(page).getByLabel('Message to send').fill('over tls');
    await view(page).getByLabel('Message to send').press('Enter');
    await until(async () => (await rows(page, 'rx')).some((r) => r.includes('over tls')), 'the echo through TLS');
    await shots(page, '3-2-tls-session');
  });
});
