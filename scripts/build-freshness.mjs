// Whether dist/ is a build of the sources as they are now, so `npm start` can skip rebuilding.
// A build is fresh when every output the app needs exists and none is older than the newest
// source file (tsc and esbuild rewrite every output on each build, so the oldest output dates it).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the Electron app and its browser-host fallback load. */
export const START_OUTPUTS = [
  'dist/app/main.js',
  'dist/preload/preload.js',
  'dist/renderer/app.js',
  'dist/renderer/index.html',
  'dist/main/browser-host/cli.js',
  'dist/browser/index.mjs',
];

/** What those outputs are built from. */
export const START_SOURCES = ['app', 'browser', 'common', 'main', 'preload', 'renderer', 'scripts', 'tsconfig.json', 'package.json'];

function newestMtime(file) {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(path.join(file, entry)));
  }
  return newest;
}

/** `{ fresh: true }`, or `{ fresh: false, reason }` naming the missing output or the newer source. */
export function buildFreshness(root, outputs = START_OUTPUTS, sources = START_SOURCES) {
  let oldestOutput = Infinity;
  for (const output of outputs) {
    let stat;
    try {
      stat = statSync(path.join(root, output));
    } catch {
      return { fresh: false, reason: `${output} is missing` };
    }
    oldestOutput = Math.min(oldestOutput, stat.mtimeMs);
  }
  for (const source of sources) {
    if (newestMtime(path.join(root, source)) > oldestOutput) return { fresh: false, reason: `${source} changed since the last build` };
  }
  return { fresh: true };
}
