/**
 * Interleaved pairs: the one way this bench compares ours with raw. Each pair runs the raw
 * workload and then ours, back to back, in the same process layout, so drift on a shared machine
 * lands on both sides of a pair alike; a ratio is the median of the per-pair ratios, with the
 * smallest and largest beside it.
 */

export interface Pair<T> {
  raw: T;
  ours: T;
}

/** Runs `n` pairs, raw then ours each time. */
export async function runPairs<T>(n: number, raw: () => Promise<T>, ours: () => Promise<T>): Promise<Array<Pair<T>>> {
  const pairs: Array<Pair<T>> = [];
  for (let i = 0; i < n; i++) pairs.push({ raw: await raw(), ours: await ours() });
  return pairs;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Writes `key` (the median), `key_min` and `key_max` into the JSON line's object. */
export function putSpread(out: Record<string, number>, key: string, values: number[], digits = 3): Spread {
  const s = spread(values);
  out[key] = round(s.median, digits);
  out[`${key}_min`] = round(s.min, digits);
  out[`${key}_max`] = round(s.max, digits);
  return s;
}

/** "0.512 (0.47–0.55)": a median with its range, for the table. */
export function showSpread(s: Spread, digits = 3): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

export interface BenchOptions {
  /** Smaller workloads (same number of pairs). */
  quick: boolean;
  /** Interleaved pairs per ratio (default 5). */
  repeat: number;
  browser: boolean;
}

export const DEFAULT_REPEAT = 5;

/** `--quick`, `--repeat N` (or `--repeat=N`), `--browser`. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let repeat = DEFAULT_REPEAT;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--repeat(?:=(.*))?$/.exec(argv[i]);
    if (m === null) continue;
    const value = m[1] ?? argv[++i];
    repeat = Number(value);
    if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat needs a whole number of pairs ≥ 1, got ${value}`);
  }
  return { quick: argv.includes('--quick'), repeat, browser: argv.includes('--browser') };
}

/** One line of the printed table. */
export interface Row {
  name: string;
  ours: string;
  raw: string;
  ratio: string;
}
