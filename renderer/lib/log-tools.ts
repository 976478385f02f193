/**
 * What the window does with log entries besides showing them: find them (search and filter),
 * time them (clock, since the first held entry, since the previous entry) and copy their bytes
 * (hex, a C array, base64). Pure functions, tested in Node.
 */
import { toHex } from './bytes';
import type { LogEntry } from './conversation';
import { formatClock } from './format';

/** How the log's time column reads. */
export type TimeMode = 'clock' | 'relative' | 'delta';

/** `clock` 14:03:27.120; `relative` seconds since `base`; `delta` seconds since `previous`. */
export function formatEntryTime(mode: TimeMode, time: number, base: number | undefined, previous: number | undefined): string {
  if (mode === 'clock') return formatClock(time);
  const from = mode === 'relative' ? base : previous;
  if (from === undefined) return mode === 'delta' ? '+0.000s' : '0.000s';
  const s = ((time - from) / 1000).toFixed(3);
  return mode === 'delta' ? `+${s}s` : `${s}s`;
}

const HEX_QUERY = /^(?:0x)?[0-9a-f]{2}(?:[\s:]?[0-9a-f]{2})*$/i;

/**
 * A predicate for `query`: case-insensitive text in a payload (decoded as UTF-8) or in a note or
 * error; a query that reads as hex bytes (`de ad be ef`, `0xdeadbeef`, `de:ad`) also matches those
 * bytes anywhere in a payload. An empty query matches everything.
 */
export function entryMatcher(query: string): (entry: LogEntry) => boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return () => true;
  const hex = HEX_QUERY.test(q) ? toHex(fromHexQuery(q)) : undefined;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return (entry) => {
    if (!entry.bytes) return (entry.text ?? '').toLowerCase().includes(q) || (entry.peer ?? '').toLowerCase().includes(q);
    if (decoder.decode(entry.bytes).toLowerCase().includes(q)) return true;
    if ((entry.peer ?? '').toLowerCase().includes(q)) return true;
    return hex !== undefined && toHex(entry.bytes).includes(hex);
  };
}

function fromHexQuery(q: string): Uint8Array {
  const digits = q.replace(/^0x/, '').replace(/[\s:]/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export type CopyFormat = 'hex' | 'c' | 'base64';

/** `bytes` as text to paste: spaced hex, a C array (12 bytes a line), or base64. */
export function copyText(bytes: Uint8Array, format: CopyFormat, name = 'data'): string {
  if (format === 'hex') return toHex(bytes);
  if (format === 'base64') {
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    lines.push(`  ${[...bytes.subarray(i, i + 12)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `const unsigned char ${name}[${bytes.length}] = {\n${lines.join('\n')}\n};`;
}
