#!/usr/bin/env node
/**
 * `npm run graph`: the import graph of main/ as text, from the TypeScript compiler's own
 * pre-parser (type-only imports and re-exports count: they are dependencies of the source).
 * Prints `file -> imports` for every file under main/, then every import cycle, or "none".
 * The tooling test (test/tooling/import-graph.test.ts) checks the layering rules on the same data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

/** A relative specifier as the file it names (`./x` → x.ts or x/index.ts), or undefined. */
function resolveSpecifier(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

/**
 * Map from each file under `folder` (relative to the repository, `main/host.ts`) to the
 * repository files it imports, in source order, without duplicates.
 */
export function importGraph(folder = 'main', root = ROOT) {
  const graph = new Map();
  for (const file of sourceFiles(path.join(root, folder))) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = [];
    for (const ref of info.importedFiles) {
      const target = resolveSpecifier(file, ref.fileName);
      if (target === undefined) continue;
      const name = path.relative(root, target).split(path.sep).join('/');
      if (!targets.includes(name)) targets.push(name);
    }
    graph.set(path.relative(root, file).split(path.sep).join('/'), targets);
  }
  return graph;
}

/** Every cycle among the graph's own files, one per strongly connected component (Tarjan). */
export function importCycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  function visit(node) {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) !== indices.get(node)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  }
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

function main() {
  const folder = process.argv[2] ?? 'main';
  const graph = importGraph(folder);
  const short = (file) => (file.startsWith(`${folder}/`) ? file.slice(folder.length + 1) : file);
  for (const [file, targets] of graph)
    console.log(`${short(file)} -> ${targets.length === 0 ? '(nothing)' : targets.map(short).join(', ')}`);
  const cycles = importCycles(graph);
  console.log('');
  console.log(`cycles: ${cycles.length === 0 ? 'none' : ''}`);
  for (const cycle of cycles) console.log(`  ${cycle.map(short).join(' <-> ')}`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
