#!/usr/bin/env node
// `npm start`: the socket debugging window in Electron. Where no Electron binary can be had,
// says so in one line and starts the browser host instead (when it is built).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectronBinary();
const browserHost = path.join(root, 'dist/main/browser-host/cli.js');
const bin = path.join(root, 'bin/electron-chrome-sockets.js');

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (electron.path) {
  run(electron.path, [path.join(root, 'dist/app/main.js')]);
} else if (existsSync(browserHost)) {
  console.log(`npm start: no Electron binary here (${electron.reason}), so starting the browser host instead: open the URL it prints.`);
  // The debugging window may connect, listen and bind anywhere, as in the Electron app.
  run(process.execPath, [bin, 'serve', '--allow-all']);
} else {
  console.error(
    `npm start: no Electron binary here (${electron.reason}) and no browser host build (dist/main/browser-host/cli.js) to fall back to.`,
  );
  process.exitCode = 1;
}
