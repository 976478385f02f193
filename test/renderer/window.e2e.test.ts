/**
 * The socket debugging window, the real thing: headless Chromium opens the page the browser host
 * serves (dist/renderer/ at `/`, booted from `#token=…`), and the tests drive it the way a person
 * would (forms, Enter, tabs, shortcuts) while Node plays the network peers on 127.0.0.1 with
 * ports from 0. Every step writes a screenshot to test-output/screenshots/.
 *
 * window.test.ts covers the page itself (keyboard, views, help); this suite follows the bytes
 * through the real host: bytes on the wire, counters, the hex view, accepted connections,
 * datagrams, a 50 MiB flood, and the Inspector fed by GET /inspect.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import { existsSync, promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as path from 'node:path';
import type { BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { BROWSER_HOST_PATHS } from '../../common/browser-host-paths';
import type { InspectSnapshot, InspectSocket } from '../../common/inspect-types';
import { startBrowserHost, type BrowserHost } from '../../main/browser-host/server';
import { buildPageBundle, launchFreshChromium, type FreshChromium } from '../support/chromium';
import { until } from '../support/wait';

// What page code sees; these functions run inside Chromium, not in Node (this file has no DOM lib).
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(fn: (t: number) => void): number;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const VIEWPORT = { width: 1280, height: 800 };

type Cleanup = () => unknown;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Parses the hex view's rows (`oooooooo  hh hh …  |ascii|`) back into the bytes they show. */
function bytesFromHexRows(rows: string[]): { bytes: Buffer; offsets: number[] } {
  const out: number[] = [];
  const offsets: number[] = [];
  for (const row of rows) {
    const m = /^([0-9a-f]{8})  (.*?)  \|/.exec(row);
    if (!m) throw new Error(`not a hex dump line: ${JSON.stringify(row)}`);
    offsets.push(parseInt(m[1]!, 16));
    for (const hh of m[2]!.trim().split(/\s+/)) out.push(parseInt(hh, 16));
  }
  return { bytes: Buffer.from(out), offsets };
}

describe('socket debugging window through the browser host (headless Chromium, real sockets)', function () {
  this.timeout(60_000);
  this.slow(10_000);

  let browser: FreshChromium;
  let context: BrowserContext;
  const cleanups: Cleanup[] = [];
  const onCleanup = (fn: Cleanup): void => void cleanups.push(fn);
  let pageErrors: string[] = [];

  before(async function () {
    this.timeout(120_000);
    if (!existsSync(path.join(RENDERER_DIR, 'app.js'))) {
      throw new Error(`The window is not built (${RENDERER_DIR}/app.js is missing): run npm run build`);
    }
    await buildPageBundle();
    await fs.mkdir(SHOTS, { recursive: true });
    browser = await launchFreshChromium('ecs-window-e2e-', { viewport: VIEWPORT });
    context = browser.context;
  });

  after(() => browser?.close());

  beforeEach(() => {
    pageErrors = [];
  });

  afterEach(async function () {
    // Last registered, first undone: pages before the host that served them.
    for (const fn of cleanups.splice(0).reverse()) await fn();
    if (this.currentTest?.state === 'passed') expect(pageErrors, 'errors in the window').to.deep.equal([]);
  });

  async function serve(): Promise<BrowserHost> {
    const host = await startBrowserHost({ allowAll: true, log: () => {} });
    onCleanup(() => host.close());
    return host;
  }

  /** Opens the window at the URL the host prints and waits until it has booted. */
  async function openWindow(host: BrowserHost): Promise<Page> {
    const page = await context.newPage();
    onCleanup(() => page.close());
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(host.url);
    await page.locator('.topbar').waitFor();
    expect(await page.locator('.topbar .source').textContent()).to.equal(`browser host 127.0.0.1:${host.port}`);
    // The token left the address bar (boot.ts keeps it in sessionStorage).
    expect(page.url()).to.not.contain(host.token);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  }

  /** The visible socket view (one at a time in `main`). */
  const view = (page: Page): Locator => page.locator('main .socket-view');

  /** A getInfo field of the shown socket, as the window prints it. */
  async function infoField(page: Page, key: string): Promise<string> {
    return page.evaluate((key) => {
      const dt = [...document.querySelectorAll('main .socket-view dl.info dt')].find((d: any) => d.textContent === key);
      return dt?.nextElementSibling?.textContent ?? '';
    }, key);
  }

  /** getInfo values the panel cut off with an ellipsis (at 1280 px every value should be whole). */
  function cutInfoValues(page: Page): Promise<string[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll('main .socket-view dl.info dd')]
        .filter((dd: any) => dd.scrollWidth > dd.clientWidth)
        .map((dd: any) => `${dd.previousElementSibling.textContent}=${dd.textContent}`),
    );
  }

  /** Exact counters from the stat cells' titles (`1234 bytes`); the cell text is rounded. */
  async function counter(page: Page, which: 'tx' | 'rx'): Promise<number> {
    const title = await page.locator(`main .socket-view .s-${which}`).getAttribute('title');
    return Number(/^(\d+) bytes$/.exec(title ?? '')?.[1] ?? NaN);
  }

  /** Text of the rendered log rows of one direction (only rows on screen exist: the log is virtualised). */
  function rows(page: Page, dir: 'tx' | 'rx' | 'note' | 'error'): Promise<string[]> {
    return page.evaluate(
      (dir) => [...document.querySelectorAll(`main .log .row.${dir}:not([hidden])`)].map((r: any) => r.textContent as string),
      dir,
    );
  }

  function hexRows(page: Page, dir: 'tx' | 'rx'): Promise<string[]> {
    return page.evaluate(
      (dir) => [...document.querySelectorAll(`main .log .row.${dir}:not([hidden]) .txt.hex`)].map((r: any) => r.textContent as string),
      dir,
    );
  }

  /** The composer's message box of the shown socket. */
  const messageBox = (page: Page): Locator => view(page).getByRole('textbox', { name: 'Message to send' });

  /** What the window's Inspector polls: GET /inspect with the session token. */
  async function inspect(host: BrowserHost): Promise<InspectSnapshot> {
    const response = await fetch(new URL(BROWSER_HOST_PATHS.inspect, host.url), { headers: { authorization: `Bearer ${host.token}` } });
    expect(response.status, 'GET /inspect').to.equal(200);
    return (await response.json()) as InspectSnapshot;
  }

  /** The host's state of one socket, through GET /inspect. */
  async function inspected(host: BrowserHost, kind: InspectSocket['kind'], id: number): Promise<InspectSocket | undefined> {
    return (await inspect(host)).sockets.find((s) => s.kind === kind && s.id === id);
  }

  /** The shown socket's id, once its first getInfo answer is painted (the pill can come first). */
  async function shownSocketId(page: Page): Promise<number> {
    let id = NaN;
    await until(async () => Number.isInteger((id = Number(await infoField(page, 'socketId')))), 'getInfo of the shown socket');
    return id;
  }

  it('connects a TCP client from the form, sends text with escapes and then hex, and shows both directions (text and hex view)', async () => {
    const host = await serve();
    const atServer: Buffer[] = [];
    const echo = net.createServer((socket) => {
      socket.on('data', (chunk) => atServer.push(chunk));
      socket.pipe(socket);
    });
    const sockets = new Set<net.Socket>();
    echo.on('connection', (s) => sockets.add(s));
    onCleanup(() => echo.close());
    onCleanup(() => {
      for (const s of sockets) s.destroy();
    });
    const port = await listen(echo);
    const page = await openWindow(host);
    await shot(page, '1-0-empty-window');

    const form = page.getByRole('form', { name: 'New TCP client' });
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(port));
    await shot(page, '1-1-tcp-form-filled');
    await form.getByLabel('Port').press('Enter');
    await view(page)
      .locator('.pill', { hasText: /^connected$/ })
      .waitFor();
    // The pill says connected only once getInfo (with the ports) is painted too.
    expect(await infoField(page, 'peerPort'), 'getInfo shown with the connected pill').to.equal(String(port));
    await until(() => sockets.size === 1, 'the echo server to see the connection');
    const id = await shownSocketId(page);
    expect(await infoField(page, 'connected')).to.equal('true');
    expect(await infoField(page, 'localAddress')).to.equal('"127.0.0.1"');
    expect(await cutInfoValues(page)).to.deep.equal([]);
    // The window put the caret in the new socket's message box.
    expect(await messageBox(page).evaluate((el) => el === document.activeElement)).to.equal(true);

    const text = Buffer.from('hello window\r\n');
    await page.keyboard.type('hello window\\r\\n');
    expect(await view(page).locator('.compose-status').textContent()).to.equal('14 bytes');
    await page.keyboard.press('Enter');
    await until(async () => Buffer.concat(atServer).equals(text), 'the echo server to get "hello window\\r\\n"');
    await until(async () => (await counter(page, 'rx')) === text.length, 'the echo to be counted');
    expect(await counter(page, 'tx')).to.equal(text.length);
    const tx = await rows(page, 'tx');
    const rx = await rows(page, 'rx');
    expect(tx[0]).to.match(/→ +14 Bhello window\\r\\n$/);
    expect(rx[0]).to.match(/← +14 Bhello window\\r\\n$/);
    // Escapes are shown (and highlighted), never interpreted.
    expect(await view(page).locator('.log .row.tx .esc').allTextContents()).to.deep.equal(['\\r', '\\n']);
    await shot(page, '1-2-tcp-text-echoed');

    // Hex payload: switch the composer to Hex.
    await view(page).getByRole('radiogroup', { name: 'Payload format' }).getByRole('radio', { name: 'Hex' }).click();
    const hex = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x0a]);
    await messageBox(page).fill('de ad be ef 00 ff 0a');
    await messageBox(page).press('Enter');
    const all = Buffer.concat([text, hex]);
    await until(() => Buffer.concat(atServer).equals(all), 'the echo server to get the hex bytes');
    await until(async () => (await counter(page, 'rx')) === all.length, 'the hex echo to be counted');
    expect(await counter(page, 'tx')).to.equal(all.length);
    expect(await view(page).locator('.s-txMsgs').textContent()).to.equal('2');
    await shot(page, '1-3-tcp-hex-sent-text-view');

    // The log's hex view (Alt+H): both streams rebuilt from the rows on screen, offsets continuing.
    await page.keyboard.press('Alt+KeyH');
    await until(async () => (await hexRows(page, 'rx')).length >= 2, 'the hex view');
    const txDump = bytesFromHexRows(await hexRows(page, 'tx'));
    const rxDump = bytesFromHexRows(await hexRows(page, 'rx'));
    expect(txDump.bytes.equals(all), `sent bytes in the hex view: ${txDump.bytes.toString('hex')}`).to.equal(true);
    expect(rxDump.bytes.equals(all), `received bytes in the hex view: ${rxDump.bytes.toString('hex')}`).to.equal(true);
    expect(txDump.offsets).to.deep.equal([0, text.length]);
    expect(await hexRows(page, 'tx')).to.deep.equal([
      '00000000  68 65 6c 6c 6f 20 77 69  6e 64 6f 77 0d 0a        |hello window..|',
      '0000000e  de ad be ef 00 ff 0a                              |.......|',
    ]);
    await shot(page, '1-4-tcp-hex-view');

    // The host agrees with the window's counters.
    expect(await inspected(host, 'tcp', id)).to.deep.include({ state: 'connected', bytesSent: all.length, bytesReceived: all.length });
  });

  it('listens with a TCP server (port 0), shows an accepted Node client as its own socket, and talks both ways', async () => {
    const host = await serve();
    const page = await openWindow(host);
    // Alt+2 opens the server form with the caret in its first field; the port stays blank (0 = any).
    await page.keyboard.press('Alt+Digit2');
    const form = page.getByRole('form', { name: 'New TCP server' });
    expect(await form.getByLabel('Address').evaluate((el) => el === document.activeElement)).to.equal(true);
    await form.getByLabel('Address').fill('127.0.0.1');
    await form.getByLabel('Address').press('Enter');
    await view(page)
      .locator('.pill', { hasText: /^listening$/ })
      .waitFor();
    const serverId = await shownSocketId(page);
    const port = Number(await infoField(page, 'localPort'));
    expect(port).to.be.within(1, 65535);
    expect(await inspected(host, 'tcpServer', serverId)).to.deep.include({
      state: 'listening',
      localAddress: '127.0.0.1',
      localPort: port,
    });
    expect(await view(page).locator('.log-empty').textContent()).to.contain(`nc 127.0.0.1 ${port}`);
    expect(await cutInfoValues(page)).to.deep.equal([]);
    await shot(page, '2-1-server-listening');

    const client = net.connect(port, '127.0.0.1');
    onCleanup(() => client.destroy());
    const atClient: Buffer[] = [];
    client.on('data', (chunk) => atClient.push(chunk));
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    const clientPort = client.localPort!;

    // The accepted connection: in the server's list and as its own (nested) socket in the sidebar.
    const conn = view(page).locator('.conn', { hasText: `127.0.0.1:${clientPort}` });
    await conn.waitFor();
    const nested = page.locator('.socket-list .socket-item.nested');
    await until(
      async () => (await nested.count()) === 1 && /connected · → 127\.0\.0\.1:\d+/.test((await nested.textContent()) ?? ''),
      'the accepted socket in the list',
    );
    expect(await nested.textContent()).to.contain(`127.0.0.1:${clientPort}`);
    expect((await rows(page, 'note')).join('\n')).to.match(/onAccept: tcp socket \d+/);
    await shot(page, '2-2-server-accepted');

    // Node → window, on the accepted socket's own view.
    const fromNode = Buffer.from('ping from node\r\n\x00');
    client.write(fromNode);
    await conn.click();
    await page.locator('main .socket-view.kind-tcp').waitFor();
    const acceptedId = await shownSocketId(page);
    expect(await view(page).locator('.sv-endpoints').textContent()).to.contain(`accepted by server #${serverId}`);
    expect(await infoField(page, 'peerPort')).to.equal(String(clientPort));
    await until(async () => (await counter(page, 'rx')) === fromNode.length, "the window to receive the client's bytes");
    expect((await rows(page, 'rx'))[0]).to.match(/← +17 Bping from node\\r\\n$/);
    // The NUL after \n is on the entry's second display line.
    expect(await rows(page, 'rx')).to.have.length(2);
    expect((await rows(page, 'rx'))[1]).to.equal('\\0');

    // Window → Node.
    await messageBox(page).fill('pong from window\\t\\x7f');
    await messageBox(page).press('Enter');
    const fromWindow = Buffer.from('pong from window\t\x7f');
    await until(() => Buffer.concat(atClient).equals(fromWindow), "the Node client to get the window's bytes");
    await until(async () => (await counter(page, 'tx')) === fromWindow.length, 'the send to be counted');
    expect(await inspected(host, 'tcp', acceptedId)).to.deep.include({
      state: 'connected',
      peerPort: clientPort,
      bytesReceived: fromNode.length,
      bytesSent: fromWindow.length,
    });
    await shot(page, '2-3-accepted-socket-both-ways');

    // The client hangs up: the window says so on the accepted socket, as a neutral end.
    client.end();
    await view(page)
      .locator('.pill', { hasText: /^closed by peer$/ })
      .waitFor();
    expect(await view(page).locator('.s-errors').textContent()).to.equal('0');
    await shot(page, '2-4-accepted-socket-peer-closed');
  });

  it('binds a UDP socket, receives a Node datagram with its source, and sends one Node gets byte for byte', async () => {
    const host = await serve();
    const peer = dgram.createSocket('udp4');
    onCleanup(() => peer.close());
    const atPeer: { msg: Buffer; port: number; address: string }[] = [];
    peer.on('message', (msg, rinfo) => atPeer.push({ msg, port: rinfo.port, address: rinfo.address }));
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const peerPort = peer.address().port;

    const page = await openWindow(host);
    await page.keyboard.press('Alt+Digit3');
    const form = page.getByRole('form', { name: 'New UDP socket' });
    await form.getByLabel('Bind address').fill('127.0.0.1');
    await shot(page, '3-0-udp-form');
    await form.getByRole('button', { name: 'Bind' }).click();
    await view(page)
      .locator('.pill', { hasText: /^bound$/ })
      .waitFor();
    const id = await shownSocketId(page);
    const port = Number(await infoField(page, 'localPort'));
    expect(port).to.be.within(1, 65535);
    expect(await inspected(host, 'udp', id)).to.deep.include({ state: 'bound', localPort: port });
    expect(await cutInfoValues(page)).to.deep.equal([]);

    const datagram = Buffer.from('dgram from node\x00\x01');
    await new Promise<void>((resolve, reject) => peer.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    await until(async () => (await counter(page, 'rx')) === datagram.length, 'the datagram to arrive');
    const rx = await rows(page, 'rx');
    // A datagram's first line names its source; then the payload.
    expect(rx[0]).to.match(new RegExp(`← +17 Bfrom 127\\.0\\.0\\.1:${peerPort}$`));
    expect(rx[1]).to.equal('dgram from node\\0\\x01');
    await shot(page, '3-1-udp-received');

    await view(page).getByLabel('Destination address').fill('127.0.0.1');
    await view(page).getByLabel('Destination port').fill(String(peerPort));
    await messageBox(page).fill('dgram from window\\r\\n\\xff');
    await messageBox(page).press('Enter');
    await until(() => atPeer.length === 1, 'Node to get the datagram');
    expect(atPeer[0]!.msg.equals(Buffer.from([...Buffer.from('dgram from window\r\n'), 0xff])), atPeer[0]!.msg.toString('hex')).to.equal(
      true,
    );
    expect(atPeer[0]).to.deep.include({ address: '127.0.0.1', port });
    await until(async () => (await counter(page, 'tx')) === 20, 'the send to be counted');
    expect((await rows(page, 'tx'))[0]).to.match(new RegExp(`→ +20 Bto 127\\.0\\.0\\.1:${peerPort}$`));
    await page.keyboard.press('Alt+KeyH');
    await until(async () => (await hexRows(page, 'tx')).length === 2, 'the hex view');
    expect(bytesFromHexRows(await hexRows(page, 'tx')).bytes.equals(atPeer[0]!.msg)).to.equal(true);
    expect(bytesFromHexRows(await hexRows(page, 'rx')).bytes.equals(datagram)).to.equal(true);
    await shot(page, '3-2-udp-sent-hex-view');
  });

  it('stays responsive with a bounded heap while a Node server floods a window TCP client with 50 MiB, and counts every byte', async function () {
    this.timeout(120_000);
    const total = 50 * 1024 * 1024;
    const host = await serve();
    let written = 0;
    const peers = new Set<net.Socket>();
    // The peer holds the second half back until the test has switched tabs once each way, so the
    // switches below always happen while bytes are still arriving, however fast the window is.
    let releaseSecondHalf = (): void => {};
    const secondHalf = new Promise<void>((resolve) => (releaseSecondHalf = resolve));
    let holding = true;
    void secondHalf.then(() => (holding = false));
    const flood = net.createServer((socket) => {
      peers.add(socket);
      socket.on('error', () => {});
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = 0x20 + (i % 95); // printable, so the text view lays out real lines
      const pump = (): void => {
        while (written < total) {
          if (holding && written >= total / 2) return void secondHalf.then(pump);
          const n = Math.min(chunk.length, total - written);
          written += n;
          if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    onCleanup(() => flood.close());
    onCleanup(() => {
      for (const s of peers) s.destroy();
    });
    const port = await listen(flood);
    const page = await openWindow(host);
    const cdp: CDPSession = await context.newCDPSession(page);
    onCleanup(() => cdp.detach().catch(() => {}));
    await cdp.send('Performance.enable');
    const heapUsed = async (): Promise<number> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
    };
    const heapBefore = await heapUsed();

    // In-page probe: the longest gap between animation frames and the worst timer lateness.
    await page.evaluate(() => {
      const probe = { maxFrameGap: 0, frames: 0, maxTimerLag: 0, running: true };
      window.__probe = probe;
      let last = performance.now();
      const frame = (t: number): void => {
        probe.maxFrameGap = Math.max(probe.maxFrameGap, t - last);
        last = t;
        probe.frames++;
        if (probe.running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      let expected = performance.now() + 50;
      const timer = setInterval(() => {
        const now = performance.now();
        probe.maxTimerLag = Math.max(probe.maxTimerLag, now - expected);
        expected = now + 50;
        if (!probe.running) clearInterval(timer);
      }, 50);
    });

    const form = page.getByRole('form', { name: 'New TCP client' });
    await form.getByLabel('Port').fill(String(port));
    const started = Date.now();
    await form.getByLabel('Port').press('Enter');
    await view(page)
      .locator('.pill', { hasText: /^connected/ })
      .waitFor();
    // Even with the WebSocket busy, the pill never runs ahead of getInfo.
    expect(await infoField(page, 'peerPort'), 'getInfo shown with the connected pill').to.equal(String(port));
    const id = await shownSocketId(page);

    // While it floods: switch tabs and back, timing each switch as a person would feel it, and
    // sample the JS heap.
    const switches: number[] = [];
    const inPageSwitches: number[] = [];
    let maxHeap = 0;
    let midShot = false;
    const received = async (): Promise<number> => (await inspected(host, 'tcp', id))?.bytesReceived ?? 0;
    while ((await received()) < total) {
      if (Date.now() - started > 90_000)
        throw new Error(
          `flood stalled at ${await received()} of ${total} bytes (${written} written; window counted ${await counter(page, 'rx')}; ${JSON.stringify(await inspect(host))})`,
        );
      maxHeap = Math.max(maxHeap, await heapUsed());
      for (const [tab, pane] of [
        ['Inspector', '.inspector-pane'],
        ['Workbench', '.workbench'],
      ] as const) {
        const t0 = Date.now();
        await page.getByRole('tab', { name: tab }).click();
        await page.locator(pane).waitFor({ state: 'visible' });
        switches.push(Date.now() - t0);
      }
      // The same switch timed inside the page: click to the second frame after it (painted).
      inPageSwitches.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              const tab = [...document.querySelectorAll('[role="tab"]')].find((b: any) => b.textContent === 'Inspector');
              tab.click();
              requestAnimationFrame(() =>
                requestAnimationFrame(() => {
                  const elapsed = performance.now() - t0;
                  document.querySelector('[role="tab"]').click(); // back to the Workbench
                  resolve(elapsed);
                }),
              );
            }),
        ),
      );
      releaseSecondHalf();
      if (!midShot && (await received()) > total / 4) {
        midShot = true;
        await shot(page, '4-1-flood-in-progress');
      }
    }
    const seconds = (Date.now() - started) / 1000;
    await until(async () => (await counter(page, 'rx')) === total, "the window's byte counter to reach 50 MiB", 30_000);
    maxHeap = Math.max(maxHeap, await heapUsed());
    const probe = await page.evaluate(() => {
      window.__probe.running = false;
      return window.__probe as { maxFrameGap: number; frames: number; maxTimerLag: number };
    });
    const status = (await view(page).locator('.log-status').textContent()) ?? '';
    const domRows = await page.locator('main .log .row').count();
    await shot(page, '4-2-flood-done');
    console.log(
      `      50 MiB in ${seconds.toFixed(1)} s; longest frame gap ${probe.maxFrameGap.toFixed(0)} ms, timer lag ${probe.maxTimerLag.toFixed(0)} ms, ` +
        `${probe.frames} frames; tab switches ${switches.length} (max ${Math.max(...switches)} ms, in page max ${Math.max(...inPageSwitches).toFixed(0)} ms); heap ${(heapBefore / 2 ** 20).toFixed(1)} → max ${(maxHeap / 2 ** 20).toFixed(1)} MiB; log: ${status}`,
    );

    expect(written).to.equal(total);
    expect(await received()).to.equal(total);
    expect(await view(page).locator('.s-rx').textContent()).to.equal('50.0 MiB');
    // Responsive: the page took and painted tab switches while the flood was still arriving (the loop
    // above only runs while bytes are outstanding). How fast it did so is printed above, not asserted:
    // on a shared 2-core machine any time bound fails for reasons outside the page; `npm run bench`
    // is where speed is measured.
    expect(switches.length).to.be.at.least(2);
    expect(inPageSwitches.length).to.be.at.least(1);
    expect(probe.frames, 'frames painted during the flood').to.be.above(0);
    // Bounded: the ring holds at most 8 MiB of payload, the DOM only the rows on screen.
    expect(maxHeap, 'JSHeapUsedSize (bytes)').to.be.below(150 * 2 ** 20);
    expect(status).to.match(/oldest dropped \(bounded log\)/);
    const held = /· ([\d.]+) (MiB|KiB) held/.exec(status);
    expect(held, status).to.not.equal(null);
    expect(Number(held![1]) * (held![2] === 'MiB' ? 2 ** 20 : 2 ** 10)).to.be.at.most(8 * 2 ** 20 + 64 * 20_000);
    expect(domRows).to.be.below(80);
  });

  it("shows the host's sockets, of this window and of another page, in the Inspector tab (GET /inspect)", async () => {
    const host = await serve();
    const echo = net.createServer((socket) => socket.pipe(socket));
    const accepted = new Set<net.Socket>();
    echo.on('connection', (s) => accepted.add(s));
    onCleanup(() => echo.close());
    onCleanup(() => {
      for (const s of accepted) s.destroy();
    });
    const port = await listen(echo);

    const page = await openWindow(host);
    const form = page.getByRole('form', { name: 'New TCP client' });
    await form.getByLabel('Port').fill(String(port));
    await form.getByLabel('Port').press('Enter');
    await view(page)
      .locator('.pill', { hasText: /^connected$/ })
      .waitFor();
    await messageBox(page).fill('abc');
    await messageBox(page).press('Enter');
    await until(async () => (await counter(page, 'rx')) === 3, 'the echo');

    // A second window on the same host: its UDP socket is another context's.
    const other = await openWindow(host);
    await other.keyboard.press('Alt+Digit3');
    await other.getByRole('form', { name: 'New UDP socket' }).getByLabel('Bind address').fill('127.0.0.1');
    await other.getByRole('form', { name: 'New UDP socket' }).getByLabel('Bind address').press('Enter');
    await view(other)
      .locator('.pill', { hasText: /^bound$/ })
      .waitFor();
    const udpPort = Number(await infoField(other, 'localPort'));

    await page.bringToFront();
    await page.getByRole('tab', { name: 'Inspector' }).click();
    expect(await page.getByRole('tab', { name: 'Inspector' }).getAttribute('aria-selected')).to.equal('true');
    const table = page.locator('.insp-table');
    await until(async () => (await table.locator('tbody tr').count()) === 2, 'two sockets in the Inspector');
    const snapshot = await inspect(host);
    expect(snapshot.sockets).to.have.length(2);
    expect(snapshot.contexts).to.have.length(2);
    const cells = await table
      .locator('tbody tr')
      // The first cell is the row's Follow button (the tap); the columns start after it.
      .evaluateAll((trs) => trs.map((tr: any) => [...tr.children].slice(1).map((td: any) => td.textContent)));
    const tcpRow = cells.find((c) => c[1] === 'TCP')!;
    const udpRow = cells.find((c) => c[1] === 'UDP')!;
    expect(tcpRow, JSON.stringify(cells)).to.not.equal(undefined);
    expect(udpRow, JSON.stringify(cells)).to.not.equal(undefined);
    expect(tcpRow.slice(0, 3)).to.deep.equal(['browser', 'TCP', '1']);
    expect(tcpRow[4]).to.equal('connected');
    expect(tcpRow[6]).to.equal(`127.0.0.1:${port}`);
    expect(tcpRow[8]).to.equal('3 B');
    expect(tcpRow[9]).to.equal('3 B');
    expect(udpRow[4]).to.equal('bound');
    expect(udpRow[5]).to.equal(`127.0.0.1:${udpPort}`);
    expect(await page.locator('.insp-summary').textContent()).to.contain('2 contexts · 2 sockets');
    await shot(page, '5-1-inspector');

    // It keeps polling: a socket closed elsewhere leaves the table.
    await other.bringToFront();
    await other.keyboard.press('Alt+KeyX');
    await view(other)
      .locator('.pill', { hasText: /^closed$/ })
      .waitFor();
    await page.bringToFront();
    await until(async () => (await table.locator('tbody tr').count()) === 1, 'the closed UDP socket to leave the Inspector');
    await page.locator('.inspector input[type="search"]').fill('udp');
    await page.locator('.inspector .empty-state', { hasText: 'No socket matches' }).waitFor();
    await shot(page, '5-2-inspector-filtered');
  });
});
