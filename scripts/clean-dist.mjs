#!/usr/bin/env node
// Removes the compiled tests and benchmarks before tsc writes them again: tsc never deletes, so a
// test file that was moved or removed would otherwise still run from its stale copy in dist/.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of ['dist/test', 'dist/bench', 'dist/test-electron']) rmSync(path.join(root, dir), { recursive: true, force: true });
