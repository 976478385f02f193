/**
 * `npm start` (scripts/start.mjs): reuses a fresh build, runs Electron's installer when the binary
 * is missing, and falls back to the browser-hosted window, in one line saying why, when that fails.
 */
import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { groupAlive, spawnGroup, stopGroup } from '../support/process-group';

const root = path.resolve(__dirname, '../../..');

interface Started {
  out: string;
  pid: number;
  exited: Promise<number | null>;
  /** Ends the script and everything it started (its process group); resolves when none is left. */
  stop(): Promise<void>;
  /** Resolves with the first stdout match of `pattern`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

/** Every script a test started; afterEach stops them all, whether the test passed, failed or timed out. */
const running = new Set<Started>();

function start(env: Record<string, string>): Started {
  // Its own process group, so stop() ends whatever it started too (a build, the browser host),
  // even when it is stopped in the middle of a synchronous step.
  const child = spawnGroup(process.execPath, [path.join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Started = {
    out: '',
    pid: child.pid!,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stop: async () => {
      await stopGroup(child);
      running.delete(started);
    },
    waitFor: (pattern, ms = 15000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(started.out);
          if (match) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve(match);
          }
          return match !== null;
        };
        const onData = (): void => void check();
        const timer = setTimeout(() => reject(new Error(`${pattern} not printed; output so far: ${started.out}`)), ms);
        child.stdout!.on('data', onData);
        check();
      }),
  };
  child.stdout!.on('data', (chunk: Buffer) => (started.out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (started.out += chunk.toString()));
  running.add(started);
  return started;
}

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('npm start (scripts/start.mjs)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecs-start-'));
  });
  afterEach(async () => {
    for (const started of [...running]) await started.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs Electron's installer when the binary is missing, then the window in the Electron it installed, reusing the fresh build", async function () {
    this.timeout(20000);
    // The binary lookup points at an empty folder; the "installer" puts a stand-in Electron there.
    const electronDir = path.join(dir, 'electron-dist');
    mkdirSync(electronDir);
    const installer = script(
      dir,
      'install-electron',
      `printf '#!/bin/sh\\necho "electron ran: $*"\\n' > '${electronDir}/electron' && chmod +x '${electronDir}/electron'`,
    );
    const started = start({ ELECTRON_OVERRIDE_DIST_PATH: electronDir, ECS_INSTALL_ELECTRON: installer });
    expect(await started.exited).to.equal(0);
    expect(groupAlive(started.pid), 'a process the script started outlived it').to.equal(false);
    const lines = started.out.trim().split('\n');
    // npm test built dist/ just before: no rebuild.
    expect(lines).to.deep.equal([
      "npm start: no Electron binary yet; running Electron's installer (install-electron) to download it…",
      `electron ran: ${path.join(root, 'dist/app/main.js')}`,
    ]);
  });

  it('says in one line why Electron is missing (its installer failed) and serves the debugging window through the browser host', async function () {
    this.timeout(20000);
    const installer = script(dir, 'install-electron', `echo 'TypeError: fetch failed' >&2\necho '    at download (x.js:1:1)' >&2\nexit 1`);
    const started = start({ ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'no-such-electron'), ECS_INSTALL_ELECTRON: installer });
    const [, url] = await started.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32})$/m);
    const lines = started.out.trim().split('\n');
    expect(lines[0]).to.match(/^npm start: no Electron binary yet; running Electron's installer/);
    expect(lines[1]).to.equal(
      'npm start: no Electron binary (install-electron failed: TypeError: fetch failed), so starting the browser host instead: open the URL it prints.',
    );
    const page = await fetch(url.replace(/#.*$/, ''));
    expect(page.status).to.equal(200);
    expect(await page.text()).to.match(/<html/i);
    // SIGTERM to the group reaches the script and the browser host it runs; both end, none is left.
    await started.stop();
    expect(await started.exited).to.be.oneOf([0, null]);
    expect(groupAlive(started.pid)).to.equal(false);
  });

  describe('build freshness', () => {
    type Freshness = { fresh: boolean; reason?: string };
    let buildFreshness: (root: string, outputs: string[], sources: string[]) => Freshness;
    before(async () => {
      const mod = (await import(pathToFileURL(path.join(root, 'scripts/build-freshness.mjs')).href)) as {
        buildFreshness: typeof buildFreshness;
      };
      buildFreshness = mod.buildFreshness;
    });

    const at = (file: string, seconds: number): void => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, '');
      utimesSync(file, seconds, seconds);
    };

    it('is fresh when every output is newer than every source', () => {
      at(path.join(dir, 'src/a/deep.ts'), 1000);
      at(path.join(dir, 'out/one.js'), 2000);
      at(path.join(dir, 'out/two.js'), 3000);
      expect(buildFreshness(dir, ['out/one.js', 'out/two.js'], ['src'])).to.deep.equal({ fresh: true });
    });

    it('is stale when a source anywhere below a source folder is newer than the oldest output', () => {
      at(path.join(dir, 'src/a/deep.ts'), 2500);
      at(path.join(dir, 'out/one.js'), 2000);
      at(path.join(dir, 'out/two.js'), 3000);
      expect(buildFreshness(dir, ['out/one.js', 'out/two.js'], ['src'])).to.deep.equal({
        fresh: false,
        reason: 'src changed since the last build',
      });
    });

    it('is stale when an output is missing', () => {
      at(path.join(dir, 'src/a.ts'), 1000);
      at(path.join(dir, 'out/one.js'), 2000);
      expect(buildFreshness(dir, ['out/one.js', 'out/two.js'], ['src'])).to.deep.equal({ fresh: false, reason: 'out/two.js is missing' });
    });
  });
});
