/**
 * Interleaved pairs: the one way this bench compares ours with raw. Each pair runs the raw
 * workload and ours back to back, in the same process layout, so drift on a shared machine
 * lands on both sides of a pair alike; a ratio is the median of the per-pair ratios, with the
 * smallest and largest beside it. The side that goes first alternates from pair to pair, and
 * every side starts after a settle (full collections, a short pause), so what one run leaves
 * behind (garbage, kernel buffers, a busy peer) is not always charged to the same side.
 */

export interface Pair<T> {
  raw: T;
  ours: T;
}

/**
 * Runs `n` pairs: raw first in even pairs, ours first in odd ones, `settle` awaited before each
 * side.
 */
export async function runPairs<T>(
  n: number,
  raw: () => Promise<T>,
  ours: () => Promise<T>,
  settle: () => Promise<void> = settleMainThread,
): Promise<Array<Pair<T>>> {
  const pairs: Array<Pair<T>> = [];
  const side = async (run: () => Promise<T>): Promise<T> => {
    await settle();
    return run();
  };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const r = await side(raw);
      pairs.push({ raw: r, ours: await side(ours) });
    } else {
      const o = await side(ours);
      pairs.push({ raw: await side(raw), ours: o });
    }
  }
  return pairs;
}

let exposedGc: (() => void) | undefined;

/**
 * A full collection in this thread. The bench needs no `--expose-gc`: the flag is set at run
 * time, and worker threads started after that have `gc` too.
 */
export function collectGarbage(): void {
  if (exposedGc === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exposedGc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  }
  exposedGc();
}

/** How long a settle waits after collecting: sockets closed by the last side finish closing. */
export const SETTLE_MS = 20;

/** Collects this thread's garbage and pauses briefly. */
export async function settleMainThread(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
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
  /** `--only a,b`: run only the workloads whose keys are listed (all when undefined). */
  only?: ReadonlySet<string>;
}

export const DEFAULT_REPEAT = 5;

/**
 * The workload keys `--only` takes; each names one ratio of the JSON line (and what is measured
 * with it), or a group.
 */
export const WORKLOADS = [
  'recv_ratio_65536',
  'recv_ratio_4096',
  'direct_recv_ratio',
  'moz_recv_ratio',
  'send_ratio',
  'send_loop_ratio',
  'rtt',
  'flood',
  'sockets_10k',
  'accept_ratio',
  'udp_recv_ratio',
  'browser_recv_ratio',
  'browser_rtt_ratio',
  'window_flood_ratio',
] as const;

/** `--quick`, `--repeat N` (or `--repeat=N`), `--browser`, `--only key,key` (see WORKLOADS). */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let repeat = DEFAULT_REPEAT;
  let only: Set<string> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(repeat|only)(?:=(.*))?$/.exec(argv[i]);
    if (m === null) continue;
    const value = m[2] ?? argv[++i];
    if (m[1] === 'only') {
      only = new Set(String(value).split(','));
      const unknown = [...only].filter((k) => !(WORKLOADS as readonly string[]).includes(k));
      if (unknown.length > 0) throw new Error(`--only: unknown workload ${unknown.join(', ')}; known: ${WORKLOADS.join(', ')}`);
      continue;
    }
    repeat = Number(value);
    if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat needs a whole number of pairs ≥ 1, got ${value}`);
  }
  const browser = argv.includes('--browser') || (only !== undefined && [...only].some((k) => /^(browser|window)_/.test(k)));
  const options: BenchOptions = { quick: argv.includes('--quick'), repeat, browser };
  if (only !== undefined) options.only = only;
  return options;
}

/** Whether this run measures `key` (one of WORKLOADS). */
export function wants(options: Pick<BenchOptions, 'only'>, key: (typeof WORKLOADS)[number]): boolean {
  return options.only === undefined || options.only.has(key);
}

/** One line of the printed table. */
export interface Row {
  name: string;
  ours: string;
  raw: string;
  ratio: string;
}
