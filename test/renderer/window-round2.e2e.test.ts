/**
 * The debugging window, round 2 (issue 14): the fixes people hit first, end to end in headless
 * Chromium through the real browser host, with Node peers on 127.0.0.1 (ports from 0). Each step
 * writes screenshots at 900×700, 1280×800 and 1920×1080 to test-output/screenshots/ (`r2-…`).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { until } from '../support/wait';
import { listen } from '../support';
import { SHOTS, SIZES, useWindowPages } from './window-page';

// What page code sees; these functions run inside Chromium, not in Node (this file has no DOM lib).
declare const document: any;

describe('socket debugging window, round 2 fixes (headless Chromium, real sockets)', function () {
  this.timeout(60_000);
  this.slow(10_000);

  const w = useWindowPages('r2');
  const { onCleanup, openWindow, frame, shots, view, rows, connectClient } = w;

  it('logs "connected" before a banner, shows a peer close as neutral, greys out a closed socket, and "Remove closed" clears it (items 5, 10)', async () => {
    const banner = net.createServer((s) => s.end('220 hello\r\n'));
    const port = await listen(banner);
    onCleanup(() => new Promise((r) => banner.close(r)));
    const { page } = await openWindow();
    await connectClient(page, port);
    await view(page)
      .locator('.pill', { hasText: /^closed by peer$/ })
      .waitFor();
    const all = await rows(page, 'any');
    const connectedAt = all.findIndex((r) => r.includes('connected to 127.0.0.1:'));
    const bannerAt = all.findIndex((r) => r.includes('220 hello'));
    expect(connectedAt, 'the connected note').to.be.greaterThan(-1);
    expect(connectedAt, 'connected before the banner').to.be.lessThan(bannerAt);
    expect((await rows(page, 'note')).join('\n')).to.contain('closed by peer: onReceiveError net::ERR_CONNECTION_CLOSED');
    expect(await rows(page, 'error')).to.deep.equal([]);
    expect(await view(page).locator('.s-errors').textContent()).to.equal('0');
    expect(await page.locator('.socket-item .dot').first().getAttribute('class')).to.not.contain('err');
    // The window title names the socket count (and the app, where the carrier says which).
    expect(await page.title()).to.match(/^Socket debugger — 1 socket open$/);
    await shots(page, '5-1-closed-by-peer');

    await view(page).getByRole('button', { name: 'Close' }).click();
    await view(page)
      .locator('.pill', { hasText: /^closed$/ })
      .waitFor();
    await until(async () => (await view(page).getByRole('button', { name: 'Send' }).isDisabled()) === true, 'the composer to grey out');
    expect(await view(page).getByRole('textbox', { name: 'Message to send' }).isDisabled()).to.equal(true);
    expect(await view(page).locator('.sv-options input').first().isDisabled()).to.equal(true);
    expect(await page.title()).to.equal('Socket debugger — 0 sockets open');
    await shots(page, '5-2-closed-greyed');
    await page.getByRole('button', { name: 'Remove closed' }).click();
    await until(async () => (await page.locator('.socket-item').count()) === 0, 'the closed socket to leave the list');
    expect(await page.getByRole('button', { name: 'Remove closed' }).isVisible()).to.equal(false);
  });

  it('offers secure() only when it can work and says why otherwise (item 4)', async () => {
    const { host, page } = await w.connectedToEcho();
    const button = view(page).locator('.secure-btn');
    await until(() => button.isDisabled(), 'secure() to be disabled on a socket connected unpaused');
    expect(await button.getAttribute('title')).to.contain('paused before connect');
    expect(await view(page).locator('.secure-reason').textContent()).to.contain('paused before connect');
    // Clicking the disabled button does nothing: the socket survives (before, one click destroyed it).
    await button.click({ force: true });
    await frame(page);
    expect(host.host.inspect().sockets.filter((s) => s.kind === 'tcp')).to.have.length(1);
    await shots(page, '4-1-secure-disabled');
    // Pause, disconnect, reconnect: now secure() can work.
    await page.keyboard.press('Alt+KeyP');
    await view(page)
      .locator('.pill', { hasText: /paused/ })
      .waitFor();
    await page.keyboard.press('Alt+KeyD');
    await view(page).getByRole('button', { name: 'Reconnect' }).waitFor();
    await page.keyboard.press('Alt+KeyD');
    await until(async () => !(await button.isDisabled()), 'secure() to be offered after a paused reconnect');
    await shots(page, '4-2-secure-offered');
  });

  it('UDP: the form defaults to bufferSize 65535 (and says so), a failed bind can bind again, error rows wrap (item 6)', async () => {
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((r) => blocker.bind(0, '127.0.0.1', () => r()));
    onCleanup(() => new Promise<void>((r) => blocker.close(() => r())));
    const busyPort = blocker.address().port;
    const { page } = await openWindow();
    await page.setViewportSize(SIZES[0]);
    await page.locator('.sidebar-toggle').click();
    await page.keyboard.press('Alt+Digit3');
    const form = page.getByRole('form', { name: 'New UDP socket' });
    expect(await form.getByLabel('Buffer size').inputValue()).to.equal('65535');
    expect(await form.locator('summary').textContent()).to.contain("bufferSize 65535 (Chrome's default: 4096)");
    await form.getByLabel('Bind address').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(busyPort));
    await form.getByLabel('Port').press('Enter');
    await until(async () => (await rows(page, 'error')).length > 0, 'the failed bind');
    expect((await rows(page, 'error')).join(''))
      .to.contain(`bind 127.0.0.1:${busyPort} failed`)
      .and.contain('net::ERR_ADDRESS_IN_USE');
    await shots(page, '6-1-bind-failed');
    const bindRow = view(page).locator('.bind-row');
    await bindRow.getByLabel('Bind port').fill('0');
    await bindRow.getByRole('button', { name: 'Bind' }).click();
    await view(page)
      .locator('.pill', { hasText: /^bound$/ })
      .waitFor();
    expect(await bindRow.isVisible()).to.equal(false);
    const info = await page.evaluate(() => {
      const dd = (k: string) =>
        [...document.querySelectorAll('main dl.info dt')].find((d: any) => d.textContent === k)?.nextElementSibling?.textContent;
      return { bufferSize: dd('bufferSize'), localPort: dd('localPort') };
    });
    expect(info.bufferSize).to.equal('65535');
    expect(Number(info.localPort)).to.be.within(1, 65535).and.not.equal(busyPort);
    await shots(page, '6-2-bound-again');

    // An oversized datagram (bufferSize 16 set in the options): its row says the size limit,
    // and the long explanation wraps onto more rows at 900 px instead of being cut.
    await view(page).getByLabel('Buffer size').fill('16');
    await view(page).getByRole('button', { name: 'update()' }).click();
    await until(async () => (await rows(page, 'note')).some((r) => r.includes('"bufferSize":16')), 'the update');
    await page.setViewportSize(SIZES[0]);
    await frame(page);
    await new Promise<void>((resolve, reject) =>
      blocker.send(Buffer.alloc(100), Number(info.localPort), '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    );
    await until(async () => (await rows(page, 'error')).length > 1, 'the -142 error');
    const errorText = await page.evaluate(() =>
      [...document.querySelectorAll('main .log .row.error .txt')].map((t: any) => t.textContent).join(''),
    );
    expect(errorText).to.contain('net::ERR_MSG_TOO_BIG').and.contain('larger than bufferSize 16 B');
    expect((await rows(page, 'error')).length, 'rows of the wrapped error (1 for the bind, more for -142)').to.be.greaterThan(2);
    const cut = await page.evaluate(
      () => [...document.querySelectorAll('main .log .row .txt')].filter((t: any) => t.scrollWidth > t.clientWidth + 1).length,
    );
    expect(cut, 'rows cut with an ellipsis').to.equal(0);
    await shots(page, '6-3-oversized-datagram');
  });

  it("shows a server's connections in one merged log with a peer column, and onAccept notes name the peer (item 7)", async () => {
    const { page } = await openWindow();
    await page.keyboard.press('Alt+Digit2');
    const form = page.getByRole('form', { name: 'New TCP server' });
    await form.getByLabel('Address').fill('127.0.0.1');
    await form.getByLabel('Address').press('Enter');
    await view(page)
      .locator('.pill', { hasText: /^listening$/ })
      .waitFor();
    const port = Number(
      await page.evaluate(
        () =>
          [...document.querySelectorAll('main dl.info dt')].find((d: any) => d.textContent === 'localPort')?.nextElementSibling
            ?.textContent,
      ),
    );
    const serverItem = page.locator('.socket-item').first();
    const clients: net.Socket[] = [];
    for (const text of ['first client\n', 'second client\n']) {
      const c = net.connect(port, '127.0.0.1');
      clients.push(c);
      onCleanup(() => c.destroy());
      await new Promise((r) => c.once('connect', r));
      c.write(text);
    }
    await serverItem.click();
    await until(async () => (await rows(page, 'rx')).length >= 2, 'both connections in the merged log');
    const rx = await rows(page, 'rx');
    expect(rx[0])
      .to.match(new RegExp(`#\\d+ 127\\.0\\.0\\.1:${clients[0]!.localPort}`))
      .and.contain('first client');
    expect(rx[1])
      .to.match(new RegExp(`#\\d+ 127\\.0\\.0\\.1:${clients[1]!.localPort}`))
      .and.contain('second client');
    const notes = (await rows(page, 'note')).join('\n');
    expect(notes).to.contain(`from 127.0.0.1:${clients[0]!.localPort}`).and.contain(`from 127.0.0.1:${clients[1]!.localPort}`);
    await shots(page, '7-1-server-merged-log');

    // Item 2: the merged log saved as pcapng holds one TCP stream per connection; tcpdump reads it.
    const [download] = await Promise.all([page.waitForEvent('download'), view(page).getByRole('button', { name: 'Save pcapng' }).click()]);
    expect(download.suggestedFilename()).to.match(/^tcpServer-\d+-.*\.pcapng$/);
    const file = path.join(w.profileDir, 'server.pcapng');
    await download.saveAs(file);
    const bytes = await fs.readFile(file);
    expect(bytes.readUInt32LE(0), 'pcapng section header').to.equal(0x0a0d0d0a);
    const tcpdump = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p));
    if (tcpdump) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(tcpdump, ['-nn', '-r', file], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      for (const c of clients) {
        expect(out).to.contain(`IP 127.0.0.1.${c.localPort} > 127.0.0.1.${port}: Flags [S]`);
      }
      expect(out).to.contain('length 13').and.contain('length 14');
    }
  });

  it("follows another page's socket live from the Inspector (traffic both ways, calls with result and latency) and saves it as pcapng (items 1, 2)", async () => {
    const port = await w.echoServer();
    const { host, page } = await openWindow();
    // Another page of the app (here a second window) owns the socket the first one follows.
    const other = await w.context.newPage();
    onCleanup(() => other.close());
    await other.goto(host.url);
    await other.locator('.topbar').waitFor();
    await connectClient(other, port);
    await view(other)
      .locator('.pill', { hasText: /^connected$/ })
      .waitFor();
    const id = host.host.inspect().sockets.find((s) => s.kind === 'tcp')!.id;
    expect(host.host.tap.active, 'no recording before anyone follows').to.equal(false);

    await page.keyboard.press('Alt+KeyI');
    const row = page.locator('.insp-table tbody tr', { has: page.locator('td.num', { hasText: new RegExp(`^${id}$`) }) });
    await row.getByRole('button', { name: 'Follow' }).click();
    const tap = page.locator('.tap-view');
    await tap.waitFor();
    await until(() => host.host.tap.active, 'the host to record');
    await view(other).getByRole('textbox', { name: 'Message to send' }).fill('tap me\\r\\n');
    await view(other).getByRole('textbox', { name: 'Message to send' }).press('Enter');
    const tapRows = (dir: string) =>
      page.evaluate(
        (dir) => [...document.querySelectorAll(`.tap-view .log .row.${dir}:not([hidden])`)].map((r: any) => r.textContent as string),
        dir,
      );
    await until(async () => (await tapRows('rx')).some((r) => r.includes('tap me')), 'the echo in the followed log');
    expect((await tapRows('tx')).join('\n')).to.contain('tap me');
    expect((await tapRows('note')).join('\n')).to.match(new RegExp(`tcp\\.send\\(${id}, <8 bytes>\\) → 0 · \\d+ ms`));
    await shots(page, '1-1-follow-app-socket');

    const [download] = await Promise.all([page.waitForEvent('download'), tap.getByRole('button', { name: 'Save pcapng' }).click()]);
    const file = path.join(w.profileDir, 'tap.pcapng');
    await download.saveAs(file);
    expect((await fs.readFile(file)).readUInt32LE(0)).to.equal(0x0a0d0d0a);
    const tcpdump = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].find((p) => existsSync(p));
    if (tcpdump) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(tcpdump, ['-nn', '-r', file], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      expect(out).to.match(new RegExp(`> 127\\.0\\.0\\.1\\.${port}: Flags \\[P\\.\\].*length 8`));
    }
    await tap.getByRole('button', { name: 'Stop following' }).click();
    await until(() => !host.host.tap.active, 'the recording to stop');
  });

  it('folds the sidebar below 1000 px, stacks the panels, and gives the log the height on tall screens (item 8)', async () => {
    const { page } = await w.connectedToEcho();
    await page.setViewportSize(SIZES[0]);
    await frame(page);
    expect(await page.locator('.sidebar').isVisible(), 'sidebar folded at 900 px').to.equal(false);
    const toggle = page.locator('.sidebar-toggle');
    expect(await toggle.isVisible()).to.equal(true);
    const geometry = () =>
      page.evaluate(() => {
        const box = (sel: string) => document.querySelector(sel)?.getBoundingClientRect();
        const panels = [...document.querySelectorAll('main .sv-panels > .panel')].map((p: any) => p.getBoundingClientRect());
        const log = box('main .log');
        const bar = box('main .log-bar');
        const head = document.querySelector('main .sv-endpoints');
        return {
          panels: panels.map((p: any) => ({ top: p.top, left: p.left, bottom: p.bottom })),
          log: { top: log.top, height: log.height },
          barBottom: bar.bottom,
          headCut: head.scrollWidth > head.clientWidth,
        };
      });
    const narrow = await geometry();
    expect(narrow.panels[2]!.top, 'third panel below the first two').to.be.at.least(narrow.panels[0]!.bottom - 1);
    expect(narrow.log.top, 'log below the toolbar, not under it').to.be.at.least(narrow.barBottom - 1);
    expect(narrow.log.height).to.be.greaterThan(100);
    expect(narrow.headCut, 'header text cut').to.equal(false);
    await toggle.click();
    expect(await page.locator('.sidebar').isVisible()).to.equal(true);
    await page.screenshot({ path: path.join(SHOTS, 'r2-8-1-sidebar-open-900x700.png') });
    await page.locator('.socket-item').first().click();
    expect(await page.locator('.sidebar').isVisible(), 'picking a socket folds the sidebar again').to.equal(false);
    await page.setViewportSize(SIZES[2]);
    await frame(page);
    const tall = await geometry();
    await page.setViewportSize({ width: 1920, height: 760 });
    await frame(page);
    const shorter = await geometry();
    // From 760 to 1080 px of height the extra space goes to the log, not to the panels.
    expect(tall.log.top).to.be.closeTo(shorter.log.top, 2);
    expect(tall.log.height - shorter.log.height).to.be.closeTo(320, 4);
    await shots(page, '8-1-layout');
  });
});
