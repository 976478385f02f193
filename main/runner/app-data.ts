/**
 * The app's data directory (storage, launch state), per app id like Chrome's profile folders:
 * `$XDG_CONFIG_HOME/electron-chrome-sockets/<id>` (or `~/.config/…`) unless `--data-dir` says.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchInfo } from '../app-services/served-app';

export function defaultDataDir(appId: string, env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'electron-chrome-sockets', appId);
}

/**
 * Why the app starts: `install` when the data directory has never run it, `update` when the
 * recorded version differs (chrome.runtime.onInstalled), else nothing (onStartup). Records the
 * version for next time.
 */
export async function recordLaunch(dataDir: string, version: string): Promise<LaunchInfo> {
  const file = path.join(dataDir, 'app-state.json');
  let previous: string | undefined;
  try {
    const state = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: unknown };
    if (typeof state.version === 'string') previous = state.version;
  } catch {
    previous = undefined;
  }
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, JSON.stringify({ version }));
  if (previous === undefined) return { installReason: 'install' };
  if (previous !== version) return { installReason: 'update', previousVersion: previous };
  return {};
}
