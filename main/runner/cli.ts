/**
 * `electron-chrome-sockets run <app-dir>`: runs an unpacked Chrome App. In Electron when a
 * binary can be had (and `--browser` is not given); otherwise through the browser host,
 * printing the one URL that launches the app in any browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runInBrowser, type BrowserRun } from './browser-runner';

export const RUN_USAGE = `Usage: electron-chrome-sockets run <app-dir> [options]

Runs an unpacked Chrome App (manifest_version 2, app.background) with its sockets, storage,
alarms and windows: in Electron when the electron package has its binary. Without one (or with
--browser) it prints one URL: opening it in a browser launches the app (that tab is the
background page; keep it open).

Options:
  --browser          run through the browser host even if Electron is available
  --port <n>         port of the loopback server (browser mode; default: a free one)
  --data-dir <dir>   storage and launch state (default: $XDG_CONFIG_HOME/electron-chrome-sockets/<app id>)
  --ca <file>        trust this PEM CA for chrome.sockets.tcp.secure (repeatable)
  -h, --help         show this help
`;

export interface RunCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface ParsedRunArgs {
  appDir: string;
  browser: boolean;
  port: number;
  dataDir?: string;
  ca: string[];
}

/** Parses `run`'s arguments; undefined after --help. Throws with a clear message on bad ones. */
export function parseRunArgs(argv: readonly string[], io: RunCliIo): ParsedRunArgs | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      browser: { type: 'boolean' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      ca: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(RUN_USAGE);
    return undefined;
  }
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'Give the app directory' : 'Give one app directory');
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`Invalid --port '${values.port}'`);
  }
  const ca = (values.ca ?? []).map((file) => readFileSync(file, 'utf8'));
  return { appDir: path.resolve(positionals[0]), browser: values.browser === true, port, dataDir: values['data-dir'], ca };
}

/** The Electron binary the npm package would run, without `require('electron')` (which downloads). */
export function findElectronBinary(): { path?: string; reason?: string } {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'node_modules/electron has no downloaded binary' };
  const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(candidate) ? { path: candidate } : { reason: `${candidate} does not exist` };
}

/** The Electron main script of the run command (main/runner/electron-main.ts). */
export const ELECTRON_MAIN = path.join(__dirname, 'electron-main.js');

/**
 * The Electron mode: the Electron binary runs ELECTRON_MAIN with the same arguments; resolves
 * to its exit code. SIGINT/SIGTERM are passed on, so the app ends as when its page closes.
 */
export function runElectronMode(binary: string, argv: readonly string[], io: RunCliIo): Promise<number> {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [ELECTRON_MAIN, ...argv], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    const done = (code: number): void => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code);
    };
    child.once('error', (error) => {
      io.err(`electron-chrome-sockets run: could not start Electron (${error.message})`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
  });
}

/** Starts the app in the browser mode and prints its URL. */
export async function runBrowserMode(args: ParsedRunArgs, io: RunCliIo): Promise<BrowserRun> {
  const run = await runInBrowser(args.appDir, { port: args.port, dataDir: args.dataDir, ca: args.ca, log: io.err });
  io.err(`${run.app.name} ${run.app.version} (id ${run.app.id}), data in ${run.dataDir}. Open this URL to launch it:`);
  io.out(run.url);
  return run;
}

/** The `run` command as a process: runs until the app ends or SIGINT/SIGTERM. */
export async function main(argv: readonly string[]): Promise<number> {
  const io: RunCliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
  let args: ParsedRunArgs | undefined;
  let run: BrowserRun;
  try {
    args = parseRunArgs(argv, io);
    if (args === undefined) return 0;
    if (!args.browser) {
      const electron = findElectronBinary();
      if (electron.path !== undefined) return await runElectronMode(electron.path, argv, io);
      io.err(`electron-chrome-sockets run: no Electron binary (${electron.reason}); running in the browser.`);
    }
    run = await runBrowserMode(args, io);
  } catch (err) {
    io.err(`electron-chrome-sockets run: ${err instanceof Error ? err.message : String(err)}`);
    io.err('Run with --help for usage.');
    return 2;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void run.ended.then(stop);
  });
  await run.close();
  return 0;
}
