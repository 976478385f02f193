/**
 * The Electron main script of `electron-chrome-sockets run <app-dir>` (the CLI starts the
 * Electron binary with it and the same arguments): launches the app with launchChromeApp and
 * quits when the app ends. Loaded only by Electron; it imports 'electron' at load.
 */
import * as electron from 'electron';
import { parseRunArgs } from './cli';
import { launchChromeApp, registerChromeAppScheme, type RunnerElectron } from './electron-runner';

const modules = electron as unknown as RunnerElectron;
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

function fail(error: unknown): void {
  io.err(`electron-chrome-sockets run: ${error instanceof Error ? error.message : String(error)}`);
  electron.app.exit(2);
}

try {
  const args = parseRunArgs(process.argv.slice(2), io);
  if (args === undefined) {
    electron.app.exit(0);
  } else {
    // The scheme must be registered before ready: here, at the top of the main script.
    registerChromeAppScheme(modules);
    // The app's end quits (after storage is flushed), not the last window closing.
    electron.app.on('window-all-closed', () => undefined);
    launchChromeApp(args.appDir, { electron: modules, dataDir: args.dataDir, ca: args.ca, quitOnEnd: true, log: io.err }).then((run) => {
      io.err(`${run.app.name} ${run.app.version} (id ${run.app.id}) at ${run.origin}/, data in ${run.dataDir}`);
      const stop = (): void => void run.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }, fail);
  }
} catch (error) {
  fail(error);
}
