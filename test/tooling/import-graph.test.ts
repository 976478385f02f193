/**
 * The host's layering, read from the imports of main/**\/*.ts (scripts/import-graph.mjs, the
 * same data `npm run graph` prints): the socket namespaces and the app services see the host
 * only through the narrow SocketEnv, the core knows nothing of the Electron glue, the browser
 * host or the runner, and main/ has no import cycle.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../../..');

interface GraphModule {
  importGraph(folder?: string, root?: string): Map<string, string[]>;
  importCycles(graph: Map<string, string[]>): string[][];
}

/** Folders that must not import main/host.ts: they get what they need as a SocketEnv. */
const NAMESPACE_FOLDERS = ['main/tcp/', 'main/tcp-server/', 'main/udp/', 'main/raw/', 'main/app-services/'];
/** The glue around the core: it depends on the core, never the reverse. */
const GLUE_FOLDERS = ['main/electron/', 'main/browser-host/', 'main/runner/'];
/** The package entry re-exports the glue beside the core; it is no part of the core. */
const ENTRY = 'main/index.ts';

function violations(graph: Map<string, string[]>, from: (file: string) => boolean, to: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) if (from(file)) for (const target of targets) if (to(target)) found.push(`${file} -> ${target}`);
  return found;
}

const under = (folders: readonly string[]) => (file: string) => folders.some((f) => file.startsWith(f));

describe('the import graph of main/ (npm run graph)', () => {
  let graph: Map<string, string[]>;
  let mod: GraphModule;

  before(async () => {
    mod = (await import(pathToFileURL(path.join(root, 'scripts/import-graph.mjs')).href)) as GraphModule;
    graph = mod.importGraph('main', root);
  });

  it('reads every file under main/ with its imports', () => {
    expect(graph.get('main/host.ts')).to.include('main/dispatch.ts');
    expect(graph.get('main/tcp/tcp-handlers.ts')).to.include('main/socket-env.ts');
    expect(graph.size).to.be.greaterThan(40);
  });

  it('keeps main/host.ts out of the namespaces and the app services', () => {
    expect(violations(graph, under(NAMESPACE_FOLDERS), (t) => t === 'main/host.ts')).to.deep.equal([]);
  });

  it('keeps the Electron glue, the browser host and the runner out of the core', () => {
    const core = (file: string) => file !== ENTRY && !under(GLUE_FOLDERS)(file);
    expect(violations(graph, core, under(GLUE_FOLDERS))).to.deep.equal([]);
  });

  it('has no import cycle', () => {
    expect(mod.importCycles(graph)).to.deep.equal([]);
  });

  describe('the checks can fail', () => {
    it('finds an import of the host from a namespace', () => {
      const bad = new Map([...graph, ['main/udp/udp-socket.ts', ['main/host.ts']]]);
      expect(violations(bad, under(NAMESPACE_FOLDERS), (t) => t === 'main/host.ts')).to.deep.equal([
        'main/udp/udp-socket.ts -> main/host.ts',
      ]);
    });

    it('finds a cycle', () => {
      const bad = new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
        ['d.ts', ['a.ts']],
      ]);
      expect(mod.importCycles(bad)).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
    });
  });
});
