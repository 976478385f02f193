/**
 * What the app services know of an app the runner serves: its manifest permissions, its data
 * directory and its launch reasons. Looked up by the host's app name for every call, so a page
 * of an app the runner does not serve gets nothing.
 */
import { CallError } from '../call-error';

/** Why the app starts this time (chrome.runtime.onInstalled / onStartup). */
export interface LaunchInfo {
  /** `install` on the first run in this data directory, `update` when the manifest version changed. */
  readonly installReason?: 'install' | 'update';
  readonly previousVersion?: string;
}

export interface ServedApp {
  /** The host's app name (the runner uses the app id). */
  readonly name: string;
  /** The manifest's `permissions` strings (object entries such as `{"fileSystem": […]}` by key). */
  readonly permissions: ReadonlySet<string>;
  /** Where storage lives: `<dataDir>/storage/local.json` and `sync.json`. */
  readonly dataDir: string;
  readonly launch: LaunchInfo;
}

export type ServedApps = (appName: string) => ServedApp | undefined;

/** The served app behind a call, with the manifest permission the namespace needs (fail closed). */
export function servedApp(apps: ServedApps, appName: string, api: string, permission?: string): ServedApp {
  const app = apps(appName);
  if (app === undefined) throw new CallError(`${api} is not available`);
  if (permission !== undefined && !app.permissions.has(permission)) {
    throw new CallError(`'${permission}' permission is required to use ${api}`);
  }
  return app;
}
