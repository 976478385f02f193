/**
 * `electron-chrome-sockets run <app-dir>` in real Electron (npm run test:electron): the TCP echo
 * fixture app launched by the runner's Electron main script, its window a real BrowserWindow
 * opened by chrome.app.window.create, its bytes echoed to a Node peer, its bounds remembered,
 * its sockets closed when it ends. Needs an Electron binary; scripts/test-electron.mjs says so
 * in one line where there is none (this machine: the binary download is not possible here).
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';

const executablePath = process.env.ECS_ELECTRON_BINARY;
const root = path.resolve(__dirname, '../..');
const APP = path.join(root, 'test/fixtures/apps/tcp-echo-server');

function echoOnce(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('utf8');
      if (got.length >= text.length) socket.end();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

function connectFails(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('electron-chrome-sockets run <app-dir> in real Electron', function () {
  this.timeout(60_000);

  it('runs the TCP echo app: a real app window with DOM access, bytes echoed, bounds remembered, sockets closed at the end', async () => {
    if (!executablePath) throw new Error('ECS_ELECTRON_BINARY is not set: run this suite with npm run test:electron');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-electron-app-'));
    const electronApp = await _electron.launch({
      executablePath,
      args: [path.join(root, 'dist/main/runner/electron-main.js'), APP, '--data-dir', dataDir],
    });
    try {
      const win = await electronApp.waitForEvent('window', { predicate: (p) => p.url().endsWith('/index.html') });
      expect(win.url()).to.match(/^chrome-app:\/\/[a-p]{32}\/index\.html$/);
      await win.waitForFunction(() => /^\d+$/.test((globalThis as any).document.getElementById('port')?.textContent ?? ''));
      const port = Number(await win.textContent('#port'));
      expect(await echoOnce(port, 'through Electron')).to.equal('through Electron');
      const background = electronApp.windows().find((p) => p.url().endsWith('/_generated_background_page.html'))!;
      expect(await background.evaluate(() => (globalThis as any).chrome.app.window.get('main').contentWindow.document.title)).to.equal(
        await win.title(),
      );
      await win.close();
      // The last window closed: the app ends, its listening socket with it, and Electron quits.
      await electronApp.waitForEvent('close');
      expect(await connectFails(port)).to.equal('ECONNREFUSED');
      const bounds = JSON.parse(await fs.readFile(path.join(dataDir, 'window-bounds.json'), 'utf8')) as Record<string, unknown>;
      expect(bounds).to.have.property('main');
    } finally {
      await electronApp.close().catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
