#!/usr/bin/env node
// Bundles the socket debugging window into dist/renderer/ (index.html, app.js, style.css).
// `--watch` rebuilds on change (reload the page the browser host serves to see it).
import * as esbuild from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const outdir = join(root, 'dist', 'renderer');

await mkdir(outdir, { recursive: true });
await copyFile(join(root, 'renderer', 'index.html'), join(outdir, 'index.html'));
await copyFile(join(root, 'renderer', 'style.css'), join(outdir, 'style.css'));

const options = {
  entryPoints: { app: join(root, 'renderer', 'boot.ts') },
  outdir,
  bundle: true,
  // A classic script, so the page also opens from file:// (module scripts do not).
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  sourcemap: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'info',
  tsconfig: join(root, 'renderer', 'tsconfig.json'),
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
