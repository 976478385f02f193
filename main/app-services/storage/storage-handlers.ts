/**
 * chrome.storage.local / .sync in the host: one StorageArea per app and area, persisted under
 * the app's data directory, so every page of the app (and the browser and Electron modes) sees
 * the same items. `onChanged` goes to every page of the app that listens, the writer included.
 */
import * as path from 'node:path';
import { CallError } from '../../call-error';
import type { NamespaceHandlers } from '../../dispatch';
import type { SocketEnv } from '../../socket-env';
import type { AppState } from '../../app-state';
import { servedApp, type ServedApps } from '../served-app';
import { LOCAL_QUOTA, QuotaError, StorageArea, SYNC_QUOTA, UNLIMITED_QUOTA, type StorageChanges } from './storage-area';

type AreaName = 'local' | 'sync';

function decodeJson(bytes: ArrayBuffer | ArrayBufferView, what: string): unknown {
  const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  try {
    return JSON.parse(Buffer.from(view).toString('utf8'));
  } catch {
    throw new CallError(`Invalid ${what}: not JSON`);
  }
}

function isKeys(value: unknown, allowObject: boolean): boolean {
  if (value === undefined || value === null || typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every((k) => typeof k === 'string');
  return allowObject && typeof value === 'object';
}

export function createStorage(env: Pick<SocketEnv, 'emit'>, apps: ServedApps) {
  const areas = new Map<string, StorageArea>();

  async function area(app: AppState, name: AreaName): Promise<StorageArea> {
    const served = servedApp(apps, app.name, `storage.${name}`, 'storage');
    const key = `${served.dataDir}\0${name}`;
    let a = areas.get(key);
    if (a === undefined) {
      const quota = name === 'sync' ? SYNC_QUOTA : served.permissions.has('unlimitedStorage') ? UNLIMITED_QUOTA : LOCAL_QUOTA;
      a = new StorageArea(path.join(served.dataDir, 'storage', `${name}.json`), quota);
      areas.set(key, a);
    }
    await a.load();
    return a;
  }

  async function mutate(
    app: AppState,
    areaName: AreaName,
    change: (a: StorageArea) => Promise<StorageChanges>,
  ): Promise<readonly unknown[]> {
    const a = await area(app, areaName);
    let changes: StorageChanges;
    try {
      changes = await change(a);
    } catch (error) {
      if (error instanceof QuotaError) throw new CallError(error.message);
      throw error;
    }
    if (Object.keys(changes).length > 0) env.emit(app, 'storage', 'onChanged', { changes: JSON.stringify(changes), areaName });
    return [];
  }

  const handlers: NamespaceHandlers<'storage'> = {
    async get(scope, [areaName, keys]) {
      if (!isKeys(keys, true)) throw new CallError('Invalid keys');
      const a = await area(scope.app, areaName);
      return [JSON.stringify(a.get(keys))];
    },
    async getBytesInUse(scope, [areaName, keys]) {
      if (!isKeys(keys, false)) throw new CallError('Invalid keys');
      const a = await area(scope.app, areaName);
      return [a.getBytesInUse(keys)];
    },
    set(scope, [areaName, items]) {
      const parsed = decodeJson(items, 'items');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CallError('Invalid items: expected an object');
      return mutate(scope.app, areaName, (a) => a.set(parsed as Record<string, unknown>));
    },
    remove(scope, [areaName, keys]) {
      if (keys === null || keys === undefined || !isKeys(keys, false)) throw new CallError('Invalid keys');
      return mutate(scope.app, areaName, (a) => a.remove(typeof keys === 'string' ? [keys] : (keys as string[])));
    },
    clear(scope, [areaName]) {
      return mutate(scope.app, areaName, (a) => a.clear());
    },
  };

  return {
    handlers,
    /** Waits for every storage write so far. */
    async flushed(): Promise<void> {
      await Promise.all([...areas.values()].map((a) => a.flushed()));
    },
  };
}
