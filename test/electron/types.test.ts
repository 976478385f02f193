/**
 * The global chrome.sockets declarations (types/chrome-sockets.d.ts): a sample Chrome App
 * compiles against them, wrong usages do not, and the package name resolves them the way an app
 * author's tsconfig would find them.
 */
import { expect } from 'chai';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../../..');

const baseOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
};

function diagnostics(files: string[], options: ts.CompilerOptions = baseOptions, cwd = root): string[] {
  // The program's directory is where `types` entries are looked up, as from a tsconfig there.
  const host = ts.createCompilerHost(options);
  host.getCurrentDirectory = () => cwd;
  const program = ts.createProgram(files, options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

describe('chrome.sockets type declarations', function () {
  this.timeout(60_000);

  // One program for both fixture files (they are modules, so they do not see each other).
  let fixtureDiagnostics: string[];
  before(() => {
    fixtureDiagnostics = diagnostics([path.join(root, 'types/test/sample-app.ts'), path.join(root, 'types/test/wrong-usage.ts')]);
  });

  it('compile a Chrome App using tcp, tcpServer and udp in callback and promise form', () => {
    expect(fixtureDiagnostics.filter((d) => d.startsWith('sample-app.ts'))).to.deep.equal([]);
  });

  it('reject wrong usages (every @ts-expect-error there is used)', () => {
    expect(fixtureDiagnostics.filter((d) => d.startsWith('wrong-usage.ts'))).to.deep.equal([]);
    expect(fixtureDiagnostics).to.deep.equal([]);
  });

  it('are found through the package name, as tsconfig "types" or a triple-slash reference', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ecs-types-'));
    try {
      const noDom = { ...baseOptions, lib: ['lib.es2022.d.ts'] };
      mkdirSync(path.join(dir, 'node_modules'));
      symlinkSync(root, path.join(dir, 'node_modules', 'electron-chrome-sockets'), 'dir');
      const viaTypes = path.join(dir, 'via-types.ts');
      writeFileSync(viaTypes, 'export const create: typeof chrome.sockets.tcp.create = chrome.sockets.tcp.create;\n');
      expect(diagnostics([viaTypes], { ...noDom, types: ['electron-chrome-sockets/chrome'] }, dir)).to.deep.equal([]);

      const viaReference = path.join(dir, 'via-reference.ts');
      writeFileSync(
        viaReference,
        '/// <reference types="electron-chrome-sockets/chrome" />\nexport const e = chrome.runtime.lastError?.message;\n',
      );
      expect(diagnostics([viaReference], noDom, dir)).to.deep.equal([]);

      const without = path.join(dir, 'without.ts');
      writeFileSync(without, 'export const e = chrome.sockets;\n');
      expect(diagnostics([without], noDom, dir).join('\n')).to.match(/Cannot find name 'chrome'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
