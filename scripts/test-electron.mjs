#!/usr/bin/env node
// `npm run test:electron`: the suite in test-electron/, in real Electron through Playwright.
// Where no Electron binary exists it says so in one line and succeeds without running.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electron = findElectronBinary();
if (!electron.path) {
  console.log(`test:electron: not run, no Electron binary here (${electron.reason}).`);
} else {
  const mocha = path.join(root, 'node_modules/mocha/bin/mocha.js');
  const child = spawn(process.execPath, [mocha, '--no-config', '--timeout', '60000', 'dist/test-electron/**/*.test.js'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ECS_ELECTRON_BINARY: electron.path },
  });
  child.on('exit', (code) => {
    process.exitCode = code ?? 1;
  });
}
