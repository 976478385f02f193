#!/usr/bin/env node
// Builds the prebuilt preload (dist/preload/preload.js): one CommonJS file that requires nothing
// but `electron`, so it runs under `sandbox: true`.
//
// Two steps. The main-world code (facade + port pick-up, preload/electron/main-world.ts) is
// bundled alone into an IIFE, and that text becomes the body of one function,
// `installChromeSocketsInMainWorld(config)`. The preload then hands this function to
// `contextBridge.executeInMainWorld`, which serialises it and runs it in the page's main world,
// so the function must capture nothing: it is self-contained by construction.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INSTALLER_MODULE = 'electron-chrome-sockets:main-world-installer';
const GLOBAL_NAME = '__electronChromeSocketsMainWorld';

/** Returns the bundled preload's text; writes it to `outfile` unless `outfile` is null. */
export async function buildPreload({
  outfile = path.join(root, 'dist/preload/preload.js'),
  entry = path.join(root, 'preload/electron/preload-entry.ts'),
  mainWorldEntry = path.join(root, 'preload/electron/main-world.ts'),
  install = 'installChromeSockets',
} = {}) {
  const mainWorld = await build({
    entryPoints: [mainWorldEntry],
    bundle: true,
    format: 'iife',
    globalName: GLOBAL_NAME,
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const installer =
    'module.exports = function installChromeSocketsInMainWorld(config) {\n' +
    mainWorld.outputFiles[0].text +
    `return ${GLOBAL_NAME}.${install}(config);\n};\n`;

  const preload = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'es2022',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
    banner: { js: '// electron-chrome-sockets prebuilt preload: requires only `electron` (works with sandbox: true).' },
    plugins: [
      {
        name: 'main-world-installer',
        setup(b) {
          b.onResolve({ filter: /^electron-chrome-sockets:main-world-installer$/ }, () => ({ path: INSTALLER_MODULE, namespace: 'ecs' }));
          b.onLoad({ filter: /.*/, namespace: 'ecs' }, () => ({ contents: installer, loader: 'js' }));
        },
      },
    ],
  });
  const text = preload.outputFiles[0].text;
  if (outfile !== null) {
    await mkdir(path.dirname(outfile), { recursive: true });
    await writeFile(outfile, text);
  }
  return text;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The package's preload, and the debugging window's (the same plus its Inspector feed).
  Promise.all([
    buildPreload(),
    buildPreload({ entry: path.join(root, 'app/preload.ts'), outfile: path.join(root, 'dist/app/preload.bundle.js') }),
    // The Chrome App runner's preload (main/runner/electron-runner.ts): the app runtime instead.
    buildPreload({
      entry: path.join(root, 'preload/app-runtime/app-preload-entry.ts'),
      mainWorldEntry: path.join(root, 'browser/app-runtime/electron-main-world.ts'),
      install: 'installAppRuntime',
      outfile: path.join(root, 'dist/preload/app-preload.js'),
    }),
  ]).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
