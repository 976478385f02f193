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

/**
 * chrome.storage.sync's write-operation quotas, as Chromium's QuotaService applies them
 * (storage_api.cc GetModificationQuotaLimitHeuristics, quota_service.cc TimedLimit): per app and
 * per function (set, remove, clear each count on their own), a fixed window that starts with the
 * first write after the last one ran out; the minute is checked first. A refused write changes
 * nothing and says `This request exceeds the <name> quota.`
 */
export const SYNC_WRITE_LIMITS = [
  { name: 'MAX_WRITE_OPERATIONS_PER_MINUTE', tokens: 120, intervalMs: 60_000 },
  { name: 'MAX_WRITE_OPERATIONS_PER_HOUR', tokens: 1800, intervalMs: 3_600_000 },
] as const;

interface Bucket {
  tokens: number;
  expires: number;
}

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

export function createStorage(env: Pick<SocketEnv, 'emit'>, apps: ServedApps, now: () => number = Date.now) {
  const areas = new Map<string, StorageArea>();
  const buckets = new WeakMap<AppState, Map<string, Bucket[]>>();

  /** Takes one write operation of `fn` from the app's sync quotas, or throws Chrome's error. */
  function chargeSyncWrite(app: AppState, fn: string): void {
    let byFn = buckets.get(app);
    if (byFn === undefined) buckets.set(app, (byFn = new Map()));
    let mine = byFn.get(fn);
    if (mine === undefined) byFn.set(fn, (mine = SYNC_WRITE_LIMITS.map(() => ({ tokens: 0, expires: -Infinity }))));
    const t = now();
    for (const [i, limit] of SYNC_WRITE_LIMITS.entries()) {
      const bucket = mine[i];
      if (bucket.expires < t) Object.assign(bucket, { tokens: limit.tokens, expires: t + limit.intervalMs });
      if (bucket.tokens === 0) throw new CallError(`This request exceeds the ${limit.name} quota.`);
      bucket.tokens--;
    }
  }

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
    fn: string,
    change: (a: StorageArea) => Promise<StorageChanges>,
  ): Promise<readonly unknown[]> {
    const a = await area(app, areaName);
    if (areaName === 'sync') chargeSyncWrite(app, fn);
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
      return mutate(scope.app, areaName, 'set', (a) => a.set(parsed as Record<string, unknown>));
    },
    remove(scope, [areaName, keys]) {
      if (keys === null || keys === undefined || !isKeys(keys, false)) throw new CallError('Invalid keys');
      return mutate(scope.app, areaName, 'remove', (a) => a.remove(typeof keys === 'string' ? [keys] : (keys as string[])));
    },
    clear(scope, [areaName]) {
      return mutate(scope.app, areaName, 'clear', (a) => a.clear());
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
