/**
 * The package as an app installs it: `npm pack` (what a tarball or a git install gives, since a git
 * install runs `prepare` and then packs), installed into an empty project, every export loaded from
 * there, and the test host driving a real TCP echo through the installed copy.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
/** Killed before mocha's 300 s timeout gives up on the hook, so no npm outlives the suite. */
const run = (command: string, args: string[], options: { cwd?: string } = {}) =>
  execFileAsync(command, args, { ...options, timeout: 240_000, killSignal: 'SIGKILL' });
const root = path.resolve(__dirname, '../../..');

describe('the installed package (npm pack, then npm install of the tarball)', function () {
  // npm itself is slow on a loaded machine; nothing here is timed.
  this.timeout(300_000);
  let dir: string;
  let app: string;
  let files: string[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecs-install-'));
    // dist/ was built by `npm test`'s pretest; packing again without scripts keeps this test from
    // rebuilding under the running suite (a real `npm pack` or git install runs `prepare` first).
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed.files.map((f) => f.path);
    app = path.join(dir, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'some-app', version: '1.0.0', private: true }));
    // Its one runtime dependency (ws) comes from npm's cache when it can.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], { cwd: app });
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const node = async (code: string): Promise<string> => (await run(process.execPath, ['-e', code], { cwd: app })).stdout.trim();

  it('ships the built code, the types and the bin, and no tests, sources or benchmarks', () => {
    for (const file of [
      'dist/main/index.js',
      'dist/main/index.d.ts',
      'dist/testing/index.js',
      'dist/preload/preload.js',
      'dist/browser/index.mjs',
      'dist/browser/electron-chrome-sockets.js',
      'dist/main/browser-host/index.js',
      'dist/renderer/index.html',
      'types/chrome-sockets.d.ts',
      'bin/electron-chrome-sockets.js',
    ]) {
      expect(files, file).to.include(file);
    }
    expect(
      files.filter((f) => /^(dist\/)?(test|bench|test-electron)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).to.deep.equal([]);
  });

  it('resolves every entry of package.json "exports" from the app', async () => {
    const { exports } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    // Types-only entries (`./chrome`, `./direct-sockets`, `./moz-tcp-socket`, `./w3c-sockets`, `./chrome-socket`) have nothing to require.
    const typesOnly = (value: unknown): boolean => typeof value === 'object' && value !== null && Object.keys(value).join() === 'types';
    const names = Object.keys(exports)
      .filter((key) => !typesOnly(exports[key]))
      .map((key) => `electron-chrome-sockets${key.slice(1)}`);
    const resolved = JSON.parse(
      await node(`
        const out = {};
        for (const name of ${JSON.stringify(names)}) out[name] = require.resolve(name);
        console.log(JSON.stringify(out));
      `),
    ) as Record<string, string>;
    for (const name of Object.keys(resolved))
      expect(resolved[name], name).to.contain(path.join(app, 'node_modules', 'electron-chrome-sockets'));
    // Types-only entry: `electron-chrome-sockets/chrome` points at the global declarations.
    expect(exports['./chrome']).to.deep.equal({ types: './types/chrome-sockets.d.ts' });
  });

  it('loads /main, /testing and /browser-host in plain Node, and /browser as an ES module', async () => {
    const out = await node(`
      const main = require('electron-chrome-sockets/main');
      const testing = require('electron-chrome-sockets/testing');
      const browserHost = require('electron-chrome-sockets/browser-host');
      import('electron-chrome-sockets/browser').then((browser) => console.log(JSON.stringify({
        SocketsHost: typeof main.SocketsHost,
        createTestHost: typeof testing.createTestHost,
        startBrowserHost: typeof browserHost.startBrowserHost,
        connectBrowserHost: typeof browser.connectBrowserHost,
      })));
    `);
    expect(JSON.parse(out)).to.deep.equal({
      SocketsHost: 'function',
      createTestHost: 'function',
      startBrowserHost: 'function',
      connectBrowserHost: 'function',
    });
  });

  it('works: the installed test host echoes through a real TCP socket', async () => {
    const out = await node(`
      const net = require('node:net');
      const { createTestHost } = require('electron-chrome-sockets/testing');
      const server = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', async () => {
        const t = await createTestHost();
        const tcp = t.chrome.sockets.tcp;
        const { socketId } = await tcp.create({});
        const received = new Promise((resolve) => tcp.onReceive.addListener((info) => resolve(Buffer.from(info.data).toString())));
        await tcp.connect(socketId, '127.0.0.1', server.address().port);
        await tcp.send(socketId, new TextEncoder().encode('hello from the tarball'));
        console.log(await received);
        await t.close();
        server.close();
      });
    `);
    expect(out).to.equal('hello from the tarball');
  });

  it('runs its bin', async () => {
    const { stdout } = await run(path.join(app, 'node_modules', '.bin', 'electron-chrome-sockets'), ['--help'], { cwd: app });
    expect(stdout).to.match(/^Usage: electron-chrome-sockets <command>/);
  });
});
