/**
 * The Electron debugging window's own command-line options (no Electron import: Node tests load
 * it). `--ca <file>` (repeatable, or `--ca=<file>`) trusts a PEM CA for tcp.secure() besides
 * Node's roots, as `serve --ca` does. Chromium's own switches are left alone.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface WindowArgs {
  /** PEM files to trust. */
  readonly caFiles: readonly string[];
}

export function parseWindowArgs(argv: readonly string[]): WindowArgs {
  const caFiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--ca') {
      const file = argv[i + 1];
      if (file === undefined || file.startsWith('--')) throw new Error('--ca needs a file: --ca <file.pem>');
      caFiles.push(file);
      i++;
    } else if (arg.startsWith('--ca=')) {
      const file = arg.slice('--ca='.length);
      if (file === '') throw new Error('--ca needs a file: --ca=<file.pem>');
      caFiles.push(file);
    }
  }
  return { caFiles };
}

/** Reads each `--ca` file; a file that cannot be read or holds no PEM certificate is an error naming it. */
export function readCaFiles(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  return files.map((file) => {
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      throw new Error(`--ca ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      new X509Certificate(text);
    } catch {
      throw new Error(`--ca ${file}: not a PEM certificate`);
    }
    return text;
  });
}
