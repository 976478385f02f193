/**
 * A bounded ring: keeps at most `maxEntries` items and `maxBytes` of their payload, evicting the
 * oldest first, so a flooding socket costs a fixed amount of memory however long it runs.
 */
export interface RingLogOptions<T> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** The bytes an item counts against `maxBytes`. */
  readonly sizeOf: (item: T) => number;
}

export class RingLog<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  private byteCount = 0;
  private evictedEntries = 0;
  private evictedBytes = 0;
  private pushed = 0;

  constructor(private readonly options: RingLogOptions<T>) {
    if (!(options.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    this.slots = new Array<T | undefined>(Math.floor(options.maxEntries));
  }

  /** Items currently held. */
  get length(): number {
    return this.count;
  }
  /** Payload bytes currently held. */
  get bytes(): number {
    return this.byteCount;
  }
  /** Items evicted since creation or the last clear. */
  get droppedEntries(): number {
    return this.evictedEntries;
  }
  /** Payload bytes evicted since creation or the last clear. */
  get droppedBytes(): number {
    return this.evictedBytes;
  }
  /** Items ever pushed since creation or the last clear; `total - length` is the index of `at(0)`. */
  get total(): number {
    return this.pushed;
  }

  /**
   * Appends an item, evicting old ones to make room. An item bigger than `maxBytes` on its own is
   * still kept (alone), because dropping the newest data would hide what is happening now.
   */
  push(item: T): void {
    const size = this.options.sizeOf(item);
    const capacity = this.slots.length;
    while (this.count > 0 && (this.count >= capacity || this.byteCount + size > this.options.maxBytes)) {
      this.evictOldest();
    }
    this.slots[(this.head + this.count) % capacity] = item;
    this.count++;
    this.byteCount += size;
    this.pushed++;
  }

  /** The `index`-th held item, oldest first. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.slots[(this.head + index) % this.slots.length];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.at(this.count - 1);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.at(i)!;
  }

  toArray(): T[] {
    return [...this];
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.byteCount = 0;
    this.evictedEntries = 0;
    this.evictedBytes = 0;
    this.pushed = 0;
  }

  private evictOldest(): void {
    const item = this.slots[this.head]!;
    const size = this.options.sizeOf(item);
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    this.byteCount -= size;
    this.evictedEntries++;
    this.evictedBytes += size;
  }
}
