// Finds the Electron binary the npm package would run, without the package's side effect:
// `require('electron')` tries to download a missing binary (and throws where it cannot).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The binary's path, or null with the reason. */
export function findElectronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron');
    return existsSync(candidate) ? { path: candidate } : { path: null, reason: `${candidate} does not exist` };
  }
  if (relative === null) return { path: null, reason: 'node_modules/electron has no downloaded binary; `npx install-electron` fetches it' };
  const candidate = path.join(dir, 'dist', relative);
  return existsSync(candidate) ? { path: candidate } : { path: null, reason: `${candidate} does not exist` };
}
