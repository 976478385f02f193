/**
 * Byte ↔ text conversions for the traffic view and the composer: a display decoding that never
 * hides a byte (control and invalid bytes come out as escapes), the escape syntax the composer
 * accepts, and hex in both directions. DOM-free so the tests run in Node.
 */

/** A run of display text; `esc` marks text that stands for bytes rather than being them. */
export interface Segment {
  readonly text: string;
  readonly esc?: true;
}

const NAMED_ESCAPES: Readonly<Record<number, string>> = {
  0x00: '\\0',
  0x09: '\\t',
  0x0a: '\\n',
  0x0d: '\\r',
  0x1b: '\\e',
  0x5c: '\\\\',
};

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function byteEscape(byte: number): string {
  return NAMED_ESCAPES[byte] ?? `\\x${hex2(byte)}`;
}

/** Length of the UTF-8 sequence starting at `i` if it is well formed (no overlongs, no surrogates), else 0. */
function utf8SequenceAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  let need: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    min = 0x10000;
  } else return 0;
  let cp = b0 & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return need + 1;
}

function codePointOf(bytes: Uint8Array, i: number, len: number): number {
  const b0 = bytes[i]!;
  let cp = len === 1 ? b0 : b0 & (0x7f >> len);
  for (let k = 1; k < len; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
  return cp;
}

/** Bytes [from, to) as one char each (only called on printable ASCII). */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  let out = '';
  // Bounded chunks: spreading a huge array into fromCharCode overflows the call stack.
  for (let k = from; k < to; k += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(k, Math.min(to, k + 4096)) as unknown as number[]);
  }
  return out;
}

/** Code points that would reflow or hide text if shown raw: C1 controls, line/paragraph separators, BOM. */
function isInvisibleCodePoint(cp: number): boolean {
  return (cp >= 0x80 && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff;
}

/**
 * Decodes bytes as UTF-8 for display. Printable text stays as is; every control byte, backslash,
 * invisible code point and byte that is not part of a well-formed sequence becomes an escaped
 * segment, so the displayed text always accounts for every byte. A sequence split across two
 * chunks shows as `\xHH` escapes in each, which is what arrived.
 */
export function decodeForDisplay(bytes: Uint8Array): Segment[] {
  const out: Segment[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ text: plain });
    plain = '';
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) {
      // Printable ASCII runs dominate real traffic: take the whole run at once.
      let j = i + 1;
      while (j < bytes.length && bytes[j]! >= 0x20 && bytes[j]! < 0x7f && bytes[j] !== 0x5c) j++;
      plain += latin1(bytes, i, j);
      i = j;
      continue;
    }
    if (b >= 0x80) {
      const len = utf8SequenceAt(bytes, i);
      if (len > 0) {
        const cp = codePointOf(bytes, i, len);
        if (isInvisibleCodePoint(cp)) {
          flush();
          out.push({ text: `\\u{${cp.toString(16)}}`, esc: true });
        } else {
          plain += String.fromCodePoint(cp);
        }
        i += len;
        continue;
      }
    }
    flush();
    out.push({ text: byteEscape(b), esc: true });
    i++;
  }
  flush();
  return out;
}

/** Plain string form of {@link decodeForDisplay} (for transcripts and previews). */
export function escapeForDisplay(bytes: Uint8Array): string {
  return decodeForDisplay(bytes)
    .map((s) => s.text)
    .join('');
}

/**
 * Splits display segments into lines of at most `cols` characters, breaking after every `\n`
 * escape so line-oriented protocols read naturally. Always returns at least one line.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

export function wrapSegments(segments: readonly Segment[], cols: number): Segment[][] {
  const width = Math.max(8, Math.floor(cols));
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  const endLine = () => {
    lines.push(line);
    line = [];
    used = 0;
  };
  for (const seg of segments) {
    if (seg.esc) {
      // An escape is never split across lines.
      if (used > 0 && used + seg.text.length > width) endLine();
      line.push(seg);
      used += seg.text.length;
      if (seg.text === '\\n') endLine();
      continue;
    }
    // Wrap by code points so a surrogate pair is never split; plain BMP text can slice directly.
    const chars: ArrayLike<string> & { slice(a: number, b: number): string | string[] } = SURROGATE.test(seg.text)
      ? Array.from(seg.text)
      : seg.text;
    let start = 0;
    while (start < chars.length) {
      const room = width - used;
      if (room <= 0) {
        endLine();
        continue;
      }
      const piece = chars.slice(start, start + room);
      line.push({ text: typeof piece === 'string' ? piece : piece.join('') });
      used += Math.min(room, chars.length - start);
      start += room;
    }
  }
  if (line.length > 0 || lines.length === 0) lines.push(line);
  return lines;
}

export type ParseResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly error: string; readonly index: number };

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** UTF-8 encoding of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    pushUtf8(out, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  return Uint8Array.from(out);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '0': 0x00,
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  e: 0x1b,
  '\\': 0x5c,
  '"': 0x22,
  "'": 0x27,
};

const HEX_DIGITS = /^[0-9a-fA-F]+$/;

/**
 * Parses composer text with C-style escapes: `\r \n \t \0 \e \a \b \f \v \\ \" \'`, `\xHH` (one
 * raw byte, not a code point), `\uXXXX` and `\u{X…}` (UTF-8 encoded). Everything else is UTF-8.
 */
export function parseEscapedText(input: string): ParseResult {
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '\\') {
      const cp = input.codePointAt(i)!;
      pushUtf8(out, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const next = input[i + 1];
    if (next === undefined) return { ok: false, error: 'A lone \\ at the end: write \\\\ for a backslash', index: i };
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out.push(simple);
      i += 2;
      continue;
    }
    if (next === 'x') {
      const digits = input.slice(i + 2, i + 4);
      if (digits.length !== 2 || !HEX_DIGITS.test(digits)) {
        return { ok: false, error: '\\x needs two hex digits, e.g. \\x1b', index: i };
      }
      out.push(parseInt(digits, 16));
      i += 4;
      continue;
    }
    if (next === 'u') {
      let digits: string;
      let consumed: number;
      if (input[i + 2] === '{') {
        const close = input.indexOf('}', i + 3);
        digits = close < 0 ? '' : input.slice(i + 3, close);
        consumed = close < 0 ? 0 : close + 1 - i;
      } else {
        digits = input.slice(i + 2, i + 6);
        consumed = digits.length === 4 ? 6 : 0;
      }
      const cp = HEX_DIGITS.test(digits) && digits.length <= 6 ? parseInt(digits, 16) : NaN;
      if (!consumed || !(cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) {
        return { ok: false, error: '\\u needs four hex digits or \\u{…} with a valid code point', index: i };
      }
      pushUtf8(out, cp);
      i += consumed;
      continue;
    }
    return { ok: false, error: `Unknown escape \\${next}: write \\\\ for a backslash`, index: i };
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/**
 * Parses hex as people paste it: `48 65 6c`, `48656c`, `0x48,0x65`, `48:65:6c`, across lines.
 * A token is a run between separators; a one-digit token is one byte, longer tokens need an
 * even number of digits.
 */
export function parseHex(input: string): ParseResult {
  const out: number[] = [];
  const tokenRe = /[^\s,;:\-]+/g;
  let m: RegExpExecArray | null;
  while ((m = tokenRe.exec(input)) !== null) {
    let token = m[0];
    let index = m.index;
    if (/^0x/i.test(token)) {
      token = token.slice(2);
      index += 2;
    }
    if (!HEX_DIGITS.test(token)) {
      const bad = token.search(/[^0-9a-fA-F]/);
      return { ok: false, error: `Not a hex digit: "${token[bad] ?? token}"`, index: index + Math.max(0, bad) };
    }
    if (token.length === 1) {
      out.push(parseInt(token, 16));
      continue;
    }
    if (token.length % 2 !== 0) {
      return { ok: false, error: `Odd number of hex digits in "${m[0]}"`, index: m.index };
    }
    for (let k = 0; k < token.length; k += 2) out.push(parseInt(token.slice(k, k + 2), 16));
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/** `48 65 6c` — spaced lowercase hex. */
export function toHex(bytes: Uint8Array, separator = ' '): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i ? separator : '') + hex2(bytes[i]!);
  return s;
}

export const HEX_BYTES_PER_LINE = 16;

/** Number of lines {@link hexDumpLine} yields for `length` bytes (at least one). */
export function hexDumpLineCount(length: number): number {
  return Math.max(1, Math.ceil(length / HEX_BYTES_PER_LINE));
}

/**
 * One line of a classic hex dump: `00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a        |Hello world.|`.
 * `baseOffset` is where `bytes` sits in its stream, so offsets continue across chunks.
 */
export function hexDumpLine(bytes: Uint8Array, line: number, baseOffset = 0): string {
  const start = line * HEX_BYTES_PER_LINE;
  const end = Math.min(bytes.length, start + HEX_BYTES_PER_LINE);
  let hex = '';
  let ascii = '';
  for (let k = 0; k < HEX_BYTES_PER_LINE; k++) {
    const b = start + k < end ? bytes[start + k] : undefined;
    hex += (k === 8 ? '  ' : k ? ' ' : '') + (b === undefined ? '  ' : hex2(b));
    if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  const offset = (baseOffset + start).toString(16).padStart(8, '0');
  return `${offset}  ${hex}  |${ascii}|`;
}

/** The whole hex dump of `bytes`, one string per line. */
export function hexDump(bytes: Uint8Array, baseOffset = 0): string[] {
  const lines: string[] = [];
  const n = bytes.length === 0 ? 0 : hexDumpLineCount(bytes.length);
  for (let i = 0; i < n; i++) lines.push(hexDumpLine(bytes, i, baseOffset));
  return lines;
}
