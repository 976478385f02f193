// Bundles the page side of the browser host (browser/index.ts) into dist/browser/:
//   index.mjs                   ESM, for `import … from 'electron-chrome-sockets/browser'`
//   electron-chrome-sockets.js  IIFE for a <script> tag, defining the global ElectronChromeSockets
// With --types, also emits declarations into dist/browser/types/ (tsc -p browser).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds both bundles; resolves to their paths. */
export async function buildBrowser({ outdir = path.join(root, 'dist/browser'), types = false } = {}) {
  const common = {
    entryPoints: [path.join(root, 'browser/index.ts')],
    bundle: true,
    platform: 'browser',
    target: 'chrome110',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
  const esm = path.join(outdir, 'index.mjs');
  const iife = path.join(outdir, 'electron-chrome-sockets.js');
  // The Chrome App runner's page runtime (main/runner/browser-runner.ts serves it).
  const appRuntime = path.join(outdir, 'app-runtime.js');
  await Promise.all([
    build({ ...common, format: 'esm', outfile: esm }),
    build({ ...common, format: 'iife', globalName: 'ElectronChromeSockets', outfile: iife }),
    build({ ...common, entryPoints: [path.join(root, 'browser/app-runtime/index.ts')], format: 'iife', outfile: appRuntime }),
  ]);
  if (types) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(
      process.execPath,
      [
        tsc,
        '-p',
        path.join(root, 'browser'),
        '--noEmit',
        'false',
        '--declaration',
        '--emitDeclarationOnly',
        '--outDir',
        path.join(outdir, 'types'),
      ],
      { stdio: 'inherit' },
    );
  }
  return { esm, iife, appRuntime };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildBrowser({ types: process.argv.includes('--types') });
}
