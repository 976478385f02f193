#!/usr/bin/env node
// `npm start`: the socket debugging window in Electron.
//  1. Builds only when dist/ is older than the sources (or missing).
//  2. Where the Electron binary is missing, runs Electron's own installer (`install-electron`,
//     which downloads it) once.
//  3. Where that fails too, says why in one line and starts the browser host instead.
// ECS_INSTALL_ELECTRON names another installer command (the tests use it; nothing else should).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFreshness } from './build-freshness.mjs';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const browserHost = path.join(root, 'dist/main/browser-host/cli.js');
const bin = path.join(root, 'bin/electron-chrome-sockets.js');

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root });
  // A terminal's Ctrl-C reaches the child too (same process group), so the one we forward can
  // arrive after the child has closed and kill it by signal: that is still the stop that was asked for.
  let forwarded;
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      forwarded = signal;
      child.kill(signal);
    });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal !== null && signal === forwarded ? 0 : 1);
  });
}

/** The first line a failed command printed that is not a stack frame: for an exception, its message. */
function firstErrorLine(output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at '));
  return lines[0] ?? 'no output';
}

/** Runs Electron's installer; undefined on success, else why it failed (one line). */
function installElectron() {
  let command;
  let args;
  if (process.env.ECS_INSTALL_ELECTRON) {
    [command, args] = [process.env.ECS_INSTALL_ELECTRON, []];
  } else {
    let installer;
    try {
      installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
    } catch {
      return 'the electron package is not installed';
    }
    [command, args] = [process.execPath, [installer]];
  }
  console.log(`npm start: no Electron binary yet; running Electron's installer (install-electron) to download it…`);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (result.error) return `install-electron could not run: ${result.error.message}`;
  if (result.status !== 0) return `install-electron failed: ${firstErrorLine(result.stderr ?? '')}`;
  return undefined;
}

const freshness = buildFreshness(root);
if (!freshness.fresh) {
  console.log(`npm start: building (${freshness.reason})`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('npm start: the build failed (above).');
    process.exit(1);
  }
}

let electron = findElectronBinary();
let why = electron.reason;
if (!electron.path) {
  const failure = installElectron();
  electron = findElectronBinary();
  why = failure ?? electron.reason;
}

if (electron.path) {
  // Options after `npm start --` (e.g. --ca <file>) go to the window.
  run(electron.path, [path.join(root, 'dist/app/main.js'), ...process.argv.slice(2)]);
} else if (existsSync(browserHost)) {
  console.log(`npm start: no Electron binary (${why}), so starting the browser host instead: open the URL it prints.`);
  // The debugging window may connect, listen and bind anywhere, as in the Electron app.
  run(process.execPath, [bin, 'serve', '--allow-all', ...process.argv.slice(2)]);
} else {
  console.error(`npm start: no Electron binary (${why}) and no browser host build (dist/main/browser-host/cli.js) to fall back to.`);
  process.exitCode = 1;
}
