#!/usr/bin/env node
// Bundles the socket debugging window into dist/renderer/ (index.html, app.js, style.css).
// `--dev` instead builds the layout preview on the in-page fake into dist/renderer-dev/; the fake
// never enters dist/renderer/. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const watch = process.argv.includes('--watch');
const outdir = join(root, 'dist', dev ? 'renderer-dev' : 'renderer');

await mkdir(outdir, { recursive: true });
const html = await readFile(join(root, 'renderer', 'index.html'), 'utf8');
await writeFile(
  join(outdir, 'index.html'),
  dev ? html.replace('<title>Socket debugger</title>', '<title>Socket debugger (DEV FAKE)</title>') : html,
);
await copyFile(join(root, 'renderer', 'style.css'), join(outdir, 'style.css'));

const options = {
  entryPoints: { app: join(root, 'renderer', dev ? 'dev/preview.ts' : 'boot.ts') },
  outdir,
  bundle: true,
  // A classic script, so the page also opens from file:// (module scripts do not).
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  sourcemap: true,
  minify: !dev,
  legalComments: 'none',
  logLevel: 'info',
  tsconfig: join(root, 'renderer', 'tsconfig.json'),
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  const result = await esbuild.build({ ...options, metafile: true });
  const inputs = Object.keys(result.metafile.inputs);
  if (!dev && inputs.some((p) => p.includes('renderer/dev/'))) {
    console.error('build-renderer: a dev-only module leaked into the production bundle');
    process.exit(1);
  }
}
