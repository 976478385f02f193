/**
 * Byte rates for the throughput plot: counts land in fixed-width time buckets, the last
 * `bucketCount` are kept, and reading never walks more than that.
 */
export interface ThroughputOptions {
  /** Bucket width in ms. Default 250. */
  readonly bucketMs?: number;
  /** Buckets kept (the plot's time span is bucketMs × bucketCount). Default 240 (one minute). */
  readonly bucketCount?: number;
}

export class ThroughputMeter {
  readonly bucketMs: number;
  readonly bucketCount: number;
  private readonly sums: Float64Array;
  /** The absolute bucket number each slot holds, so stale slots read as zero. */
  private readonly stamps: Float64Array;

  constructor(options: ThroughputOptions = {}) {
    this.bucketMs = options.bucketMs ?? 250;
    this.bucketCount = options.bucketCount ?? 240;
    this.sums = new Float64Array(this.bucketCount);
    this.stamps = new Float64Array(this.bucketCount).fill(-1);
  }

  record(bytes: number, now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    const slot = bucket % this.bucketCount;
    if (this.stamps[slot] !== bucket) {
      this.stamps[slot] = bucket;
      this.sums[slot] = 0;
    }
    this.sums[slot] += bytes;
  }

  private sumOf(bucket: number): number {
    const slot = ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount;
    return this.stamps[slot] === bucket ? this.sums[slot]! : 0;
  }

  /**
   * Bytes per second over the last `windowMs` of completed buckets (the bucket `now` falls in is
   * still filling, so counting it would make the rate sag and jump).
   */
  rate(now: number, windowMs = 1000): number {
    const current = Math.floor(now / this.bucketMs);
    const n = Math.max(1, Math.min(this.bucketCount - 1, Math.round(windowMs / this.bucketMs)));
    let sum = 0;
    for (let b = current - n; b < current; b++) sum += this.sumOf(b);
    return (sum * 1000) / (n * this.bucketMs);
  }

  /** Bytes per second of each of the last `bucketCount - 1` completed buckets, oldest first. */
  series(now: number): Float64Array {
    const current = Math.floor(now / this.bucketMs);
    const out = new Float64Array(this.bucketCount - 1);
    for (let i = 0; i < out.length; i++) {
      out[i] = (this.sumOf(current - out.length + i) * 1000) / this.bucketMs;
    }
    return out;
  }

  reset(): void {
    this.sums.fill(0);
    this.stamps.fill(-1);
  }
}
