/**
 * Finds the Chromium the end-to-end suites and the browser bench drive, and the flags they run it
 * with: headless, no sandbox (containers), nothing that phones home or competes for the loopback
 * WebSocket's CPU.
 *
 * Search order (the first that exists wins):
 *  1. `CHROMIUM_PATH`, when set: that file, or a clear error if it does not exist;
 *  2. a system Chromium or Chrome on `PATH` (Debian's `chromium`, `chromium-browser`, `google-chrome`);
 *  3. the Chromium shipped inside the `@sparticuz/chromium` npm package (a devDependency), unpacked
 *     once into `node_modules/.cache/` with the NSS libraries it carries, so `npm install` alone is
 *     enough on a machine without any system browser.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';

/** The package root (this file runs as dist/test/support/chromium.js). */
const ROOT = path.resolve(__dirname, '../../..');

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
];

/** Names of a system Chromium or Chrome, looked up in each `PATH` directory in this order. */
export const SYSTEM_CHROMIUM_NAMES: readonly string[] = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** What to hand playwright-core's `launch` / `launchPersistentContext` (with `CHROMIUM_ARGS`). */
export interface FoundChromium {
  executablePath: string;
  /** The environment to launch it with (the npm Chromium needs its own library path). */
  env: Record<string, string>;
  /** Which rule found it. */
  source: 'CHROMIUM_PATH' | 'system' | 'npm';
}

/** Where the finder looks; injectable so a test can take the system browser away. */
export interface ChromiumSearch {
  env: NodeJS.ProcessEnv;
  /** Executable files to try as a system Chromium, in order. */
  systemCandidates: readonly string[];
  /** Unpacks the npm Chromium, or undefined when the package is not installed. */
  npm(): Promise<{ executablePath: string; libraryPath: string } | undefined>;
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Every `PATH` directory × every name in `SYSTEM_CHROMIUM_NAMES`. */
export function systemChromiumCandidates(pathVariable = process.env.PATH ?? ''): string[] {
  const dirs = pathVariable.split(path.delimiter).filter((dir) => dir !== '');
  return SYSTEM_CHROMIUM_NAMES.flatMap((name) => dirs.map((dir) => path.join(dir, name)));
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Applies the search order above. */
export async function locateChromium(search: ChromiumSearch): Promise<FoundChromium> {
  const env = stringEnv(search.env);
  const configured = search.env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    if (!isExecutableFile(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which is not an executable file`);
    return { executablePath: configured, env, source: 'CHROMIUM_PATH' };
  }
  const system = search.systemCandidates.find(isExecutableFile);
  if (system !== undefined) return { executablePath: system, env, source: 'system' };
  const npm = await search.npm();
  if (npm !== undefined) {
    const libraryPath = [npm.libraryPath, env.LD_LIBRARY_PATH].filter((p) => p !== undefined && p !== '').join(':');
    return { executablePath: npm.executablePath, env: { ...env, LD_LIBRARY_PATH: libraryPath }, source: 'npm' };
  }
  throw new Error(
    `No Chromium found: CHROMIUM_PATH is not set, none of ${SYSTEM_CHROMIUM_NAMES.join(', ')} is on PATH, ` +
      'and the @sparticuz/chromium devDependency is not installed (run npm install, or apt-get install chromium)',
  );
}

/** Decompresses a brotli file to `target`, atomically (another process may be unpacking too). */
async function unbrotli(source: string, target: string, mode: number): Promise<void> {
  const partial = `${target}.${process.pid}.partial`;
  await pipeline(createReadStream(source), zlib.createBrotliDecompress(), createWriteStream(partial, { mode }));
  await fs.rename(partial, target);
}

/** Unpacks a brotli-compressed tar into `dir` with the system `tar`. */
async function untarBrotli(source: string, dir: string): Promise<void> {
  const partial = `${dir}.${process.pid}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.mkdir(partial, { recursive: true });
  const archive = `${partial}.tar`;
  await pipeline(createReadStream(source), zlib.createBrotliDecompress(), createWriteStream(archive));
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-f', archive, '-C', partial], { stdio: ['ignore', 'ignore', 'inherit'] });
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar -x -f ${archive} exited with ${code}`))));
  });
  await fs.rm(archive);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(partial, dir);
}

let unpacked: Promise<{ executablePath: string; libraryPath: string } | undefined> | undefined;

/**
 * The `@sparticuz/chromium` binary, unpacked into `node_modules/.cache/electron-chrome-sockets/`.
 * Its own `executablePath()` unpacks into the shared `/tmp` and only sets up its libraries on
 * Amazon Linux; this does both for any Linux, once per package version.
 */
export function npmChromium(): Promise<{ executablePath: string; libraryPath: string } | undefined> {
  unpacked ??= (async () => {
    let entry: string;
    try {
      entry = require.resolve('@sparticuz/chromium', { paths: [ROOT] });
    } catch {
      return undefined;
    }
    const packageDir = path.resolve(path.dirname(entry), '../..'); // build/cjs/index.cjs
    const { version } = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const cache = path.join(ROOT, 'node_modules', '.cache', 'electron-chrome-sockets', `sparticuz-chromium-${version}`);
    const executablePath = path.join(cache, 'chromium');
    const libraryPath = path.join(cache, 'al2023', 'lib');
    await fs.mkdir(cache, { recursive: true });
    if (!existsSync(libraryPath)) await untarBrotli(path.join(packageDir, 'bin', 'al2023.tar.br'), path.join(cache, 'al2023'));
    if (!existsSync(executablePath)) await unbrotli(path.join(packageDir, 'bin', 'chromium.br'), executablePath, 0o755);
    return { executablePath, libraryPath };
  })();
  return unpacked;
}

/** The Chromium to use here, by the search order above; a clear error when there is none. */
export function findChromium(): Promise<FoundChromium> {
  return locateChromium({ env: process.env, systemCandidates: systemChromiumCandidates(), npm: npmChromium });
}

/** Builds dist/browser/ (the page bundle) with esbuild, so tests never run a stale one. */
export async function buildPageBundle(): Promise<void> {
  const script = path.join(ROOT, 'scripts/build-browser.mjs');
  const mod = (await import(pathToFileURL(script).href)) as { buildBrowser: () => Promise<unknown> };
  await mod.buildBrowser();
}

/** A Chromium of its own for one suite: a fresh profile that `close()` removes with the browser. */
export interface FreshChromium {
  context: BrowserContext;
  /** The profile directory (a suite may keep downloads there; `close()` removes it). */
  profileDir: string;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

/**
 * Launches the found Chromium headless with `CHROMIUM_ARGS` (plus `args`) on a fresh user-data-dir
 * under the system temp directory named `<prefix>…`, so suites share no cookies, storage or cache.
 */
export async function launchFreshChromium(
  prefix: string,
  options: { args?: readonly string[]; viewport?: { width: number; height: number } } = {},
): Promise<FreshChromium> {
  const { executablePath, env } = await findChromium();
  const profileDir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      env,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      ...(options.viewport !== undefined ? { viewport: options.viewport } : {}),
    });
  } catch (err) {
    await fs.rm(profileDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    profileDir,
    async close() {
      await context.close();
      await fs.rm(profileDir, { recursive: true, force: true });
    },
  };
}
