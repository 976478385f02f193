/**
 * One chrome.storage area of one app (local or sync), kept in memory and written to a JSON file
 * after every change. Quotas and error texts are Chromium's
 * (extensions/browser/api/storage/settings_storage_quota_enforcer.cc and the QUOTA_* constants
 * of extensions/common/api/storage.json).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface StorageQuota {
  /** Total bytes (each item: its key's length plus its JSON value's length, in UTF-8). */
  readonly quotaBytes: number;
  readonly quotaBytesPerItem: number;
  readonly maxItems: number;
}

/** chrome.storage.sync: QUOTA_BYTES 102400, QUOTA_BYTES_PER_ITEM 8192, MAX_ITEMS 512. */
export const SYNC_QUOTA: StorageQuota = { quotaBytes: 102_400, quotaBytesPerItem: 8_192, maxItems: 512 };
/**
 * chrome.storage.local: QUOTA_BYTES 10485760 (Chrome 114 raised it from 5 MiB), no per-item or
 * item-count limit. The `unlimitedStorage` permission lifts it.
 */
export const LOCAL_QUOTA: StorageQuota = { quotaBytes: 10_485_760, quotaBytesPerItem: Infinity, maxItems: Infinity };
export const UNLIMITED_QUOTA: StorageQuota = { quotaBytes: Infinity, quotaBytesPerItem: Infinity, maxItems: Infinity };

/** The texts Chrome's quota enforcer reports (lastError). */
export const QUOTA_ERRORS = {
  quotaBytes: 'Resource::kQuotaBytes quota exceeded',
  quotaBytesPerItem: 'Resource::kQuotaBytesPerItem quota exceeded',
  maxItems: 'Resource::kMaxItems quota exceeded',
} as const;

/** `{ key: { oldValue?, newValue? } }` for the keys whose value really changed. */
export type StorageChanges = Record<string, { oldValue?: unknown; newValue?: unknown }>;

export class QuotaError extends Error {}

function itemBytes(key: string, json: string): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(json, 'utf8');
}

export class StorageArea {
  /** Values as their JSON text: what Chrome stores, and a cheap way to compare and copy them. */
  private items = new Map<string, string>();
  private loaded: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The write queued behind the current one, not started yet. */
  private waiting: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly quota: StorageQuota,
  ) {}

  /** Reads the file once; a missing file is an empty area, a corrupt one is kept aside and the area starts empty. */
  load(): Promise<void> {
    return (this.loaded ??= (async () => {
      let text: string;
      try {
        text = await fs.readFile(this.file, 'utf8');
      } catch {
        return;
      }
      try {
        const data = JSON.parse(text) as Record<string, unknown>;
        for (const [key, value] of Object.entries(data)) this.items.set(key, JSON.stringify(value));
      } catch {
        await fs.rename(this.file, `${this.file}.corrupt-${Date.now()}`).catch(() => undefined);
      }
    })());
  }

  /** Keys as chrome.storage.get takes them: null for all, a string, a list, or an object of defaults. */
  get(keys: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (keys === undefined || keys === null) {
      for (const [key, json] of this.items) out[key] = JSON.parse(json);
      return out;
    }
    if (typeof keys === 'string' || Array.isArray(keys)) {
      for (const key of typeof keys === 'string' ? [keys] : keys) {
        const json = this.items.get(String(key));
        if (json !== undefined) out[String(key)] = JSON.parse(json);
      }
      return out;
    }
    for (const [key, fallback] of Object.entries(keys as Record<string, unknown>)) {
      const json = this.items.get(key);
      out[key] = json === undefined ? fallback : JSON.parse(json);
    }
    return out;
  }

  getBytesInUse(keys: unknown): number {
    const names = keys === undefined || keys === null ? [...this.items.keys()] : typeof keys === 'string' ? [keys] : (keys as string[]);
    let total = 0;
    for (const key of names) {
      const json = this.items.get(String(key));
      if (json !== undefined) total += itemBytes(String(key), json);
    }
    return total;
  }

  /** Sets items (values already JSON-serialisable); throws QuotaError with Chrome's text. */
  async set(items: Record<string, unknown>): Promise<StorageChanges> {
    const next = new Map(this.items);
    const changes: StorageChanges = {};
    for (const [key, value] of Object.entries(items)) {
      if (value === undefined) continue;
      const json = JSON.stringify(value);
      if (itemBytes(key, json) > this.quota.quotaBytesPerItem) throw new QuotaError(QUOTA_ERRORS.quotaBytesPerItem);
      const old = next.get(key);
      next.set(key, json);
      if (old !== json)
        changes[key] = old === undefined ? { newValue: JSON.parse(json) } : { oldValue: JSON.parse(old), newValue: JSON.parse(json) };
    }
    let total = 0;
    for (const [key, json] of next) total += itemBytes(key, json);
    if (total > this.quota.quotaBytes) throw new QuotaError(QUOTA_ERRORS.quotaBytes);
    if (next.size > this.quota.maxItems) throw new QuotaError(QUOTA_ERRORS.maxItems);
    this.items = next;
    await this.persist();
    return changes;
  }

  async remove(keys: readonly string[]): Promise<StorageChanges> {
    const changes: StorageChanges = {};
    for (const key of keys) {
      const old = this.items.get(key);
      if (old === undefined) continue;
      this.items.delete(key);
      changes[key] = { oldValue: JSON.parse(old) };
    }
    if (Object.keys(changes).length > 0) await this.persist();
    return changes;
  }

  async clear(): Promise<StorageChanges> {
    return this.remove([...this.items.keys()]);
  }

  /**
   * Writes the whole area (write to a temporary file, then rename: a crash leaves the old or the
   * new file, never half of one). A write still waiting to start takes the newest items, so a
   * burst of changes is one write and each change's promise waits for a write that holds it.
   */
  private persist(): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    const write = async (): Promise<void> => {
      this.waiting = undefined;
      const snapshot = `{${[...this.items].map(([k, json]) => `${JSON.stringify(k)}:${json}`).join(',')}}`;
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await fs.writeFile(tmp, snapshot);
      await fs.rename(tmp, this.file);
    };
    this.writing = this.waiting = this.writing.then(write, write);
    return this.writing;
  }

  /** Resolves once every write so far is on disk. */
  flushed(): Promise<void> {
    return this.writing.catch(() => undefined);
  }
}
