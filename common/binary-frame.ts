/**
 * The WebSocket carrier's binary framing: one protocol message per binary WebSocket message.
 *
 *   [u32 LE header length][UTF-8 JSON header][buffer 0 bytes][buffer 1 bytes]…
 *
 * The header is `{ m, b?, u? }`: `m` is the message with every ArrayBuffer / typed array (and
 * every `undefined`) replaced by `null`; `b` lists, in payload order, `[path, byteLength, kind?]`
 * for each buffer; `u` lists the paths that held `undefined`, so the decoded message matches
 * what a structured clone would have delivered. Payload bytes are copied once into the frame and
 * never pass through JSON or base64.
 *
 * Paths name slots by own keys and array indexes, never markers inside `m`: a page's own object
 * that happens to look like a marker cannot be mistaken for a buffer.
 *
 * Used on both sides (Node and the page), so it imports neither Node nor the DOM.
 */

/** A frame the decoder cannot accept. The only error `decodeFrame` throws. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

type PathKey = string | number;
type Path = PathKey[];

/** Typed-array kinds restored on decode; anything else is rejected. */
const VIEW_KINDS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type ViewKind = keyof typeof VIEW_KINDS | 'DataView';

/** Deeper nesting than any protocol message has; also stops cycles. */
const MAX_DEPTH = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // Brand check: instanceof fails across realms.
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

function viewKind(view: ArrayBufferView): ViewKind {
  const tag = Object.prototype.toString.call(view).slice(8, -1);
  if (tag === 'DataView' || Object.prototype.hasOwnProperty.call(VIEW_KINDS, tag)) return tag as ViewKind;
  throw new TypeError(`Cannot encode a ${tag}`);
}

interface Collected {
  readonly bufs: Uint8Array[];
  readonly b: Array<[Path, number] | [Path, number, ViewKind]>;
  readonly u: Path[];
}

function strip(value: unknown, path: Path, out: Collected, depth: number): unknown {
  if (value === undefined) {
    out.u.push(path.slice());
    return null;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value !== 'object') throw new TypeError(`Cannot encode a ${typeof value}`);
  if (isArrayBuffer(value)) {
    out.bufs.push(new Uint8Array(value));
    out.b.push([path.slice(), value.byteLength]);
    return null;
  }
  if (ArrayBuffer.isView(value)) {
    const kind = viewKind(value);
    out.bufs.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    out.b.push([path.slice(), value.byteLength, kind]);
    return null;
  }
  if (depth >= MAX_DEPTH) throw new TypeError('Cannot encode: message nested too deeply (or cyclic)');
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      copy[i] = strip(value[i], path, out, depth + 1);
      path.pop();
    }
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    path.push(key);
    copy[key] = strip((value as Record<string, unknown>)[key], path, out, depth + 1);
    path.pop();
  }
  return copy;
}

/**
 * Encodes one message as the parts of one frame: `[length prefix + header, ...payload buffers]`
 * (payloads as views on the caller's memory, not copies). A carrier that can write a message in
 * fragments sends them as they are; `encodeFrame` joins them. Throws a TypeError (like a
 * structured clone's DataCloneError) for values a message cannot hold: functions, symbols,
 * bigints, cycles.
 */
export function encodeFrameParts(message: unknown): Uint8Array[] {
  const { json, bufs } = encodeHeader(message);
  return frameParts(json, bufs);
}

/** The frame of a header's JSON: its length, its UTF-8 bytes, then the buffers it lists. */
function frameParts(json: string, bufs: Uint8Array[]): Uint8Array[] {
  // UTF-8 needs at most 3 bytes per UTF-16 unit; encodeInto fills what it needs.
  const head = new Uint8Array(4 + json.length * 3);
  const { written } = encoder.encodeInto(json, head.subarray(4));
  new DataView(head.buffer).setUint32(0, written, true);
  return [head.subarray(0, 4 + written), ...bufs];
}

function encodeHeader(message: unknown): { json: string; bufs: Uint8Array[] } {
  const out: Collected = { bufs: [], b: [], u: [] };
  const m = strip(message, [], out, 0);
  const header: { m: unknown; b?: unknown; u?: unknown } = { m };
  if (out.b.length > 0) header.b = out.b;
  if (out.u.length > 0) header.u = out.u;
  return { json: JSON.stringify(header), bufs: out.bufs };
}

/** Encodes one message into one contiguous frame (see encodeFrameParts). */
export function encodeFrame(message: unknown): Uint8Array {
  const parts = encodeFrameParts(message);
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const frame = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    frame.set(part, at);
    at += part.byteLength;
  }
  return frame;
}

function isPath(value: unknown): value is Path {
  return (
    Array.isArray(value) &&
    value.length <= MAX_DEPTH &&
    value.every((k) => (typeof k === 'string' && k !== '__proto__') || (typeof k === 'number' && Number.isInteger(k) && k >= 0))
  );
}

/**
 * Puts `value` at `path` inside `root`, which must hold a `null` placeholder there.
 * Returns the new root (a path of `[]` replaces the root itself).
 */
function place(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) {
    if (root !== null) throw new FrameError('Slot [] is not a placeholder');
    return value;
  }
  let holder: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof holder !== 'object' || holder === null) throw new FrameError('Path runs through a non-object');
    if (Array.isArray(holder) !== (typeof key === 'number')) throw new FrameError('Path key does not fit its container');
    if (!Object.prototype.hasOwnProperty.call(holder, key)) throw new FrameError('Path names a missing slot');
    const slots = holder as Record<PathKey, unknown>;
    if (i === path.length - 1) {
      if (slots[key] !== null) throw new FrameError('Slot is not a placeholder');
      slots[key] = value;
    } else {
      holder = slots[key];
    }
  }
  return root;
}

export interface DecodeOptions {
  /** Largest JSON header accepted, in bytes (checked before it is parsed). Default: no limit. */
  maxHeaderBytes?: number;
}

/**
 * Decodes one frame from an untrusted peer. The result's buffers are fresh ArrayBuffers (never
 * views on `frame`). Throws only FrameError, for any frame that is not exactly what
 * `encodeFrame` produces: short, bad lengths, bad UTF-8 or JSON, bad paths, trailing bytes.
 */
export function decodeFrame(frame: Uint8Array, options: DecodeOptions = {}): unknown {
  try {
    return decodeUnchecked(frame, options.maxHeaderBytes ?? Number.POSITIVE_INFINITY);
  } catch (err) {
    if (err instanceof FrameError) throw err;
    throw new FrameError(`Malformed frame: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function decodeUnchecked(frame: Uint8Array, maxHeaderBytes: number): unknown {
  if (frame.byteLength < 4) throw new FrameError('Frame shorter than its length prefix');
  const headLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (headLength > frame.byteLength - 4) throw new FrameError('Header length exceeds the frame');
  // Checked before parsing: a huge header of tiny JSON values costs far more heap than bytes.
  if (headLength > maxHeaderBytes) throw new FrameError(`Header of ${headLength} bytes exceeds the limit of ${maxHeaderBytes}`);
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headLength)));
  } catch {
    throw new FrameError('Header is not UTF-8 JSON');
  }
  return rebuild(header, frame, 4 + headLength);
}

/** The message of a parsed header, its buffers taken from `frame` from `at` on. */
function rebuild(header: unknown, frame: Uint8Array, start: number): unknown {
  if (typeof header !== 'object' || header === null || Array.isArray(header) || !('m' in header)) {
    throw new FrameError('Header is not a frame header');
  }
  const { m, b = [], u = [] } = header as { m: unknown; b?: unknown; u?: unknown };
  if (!Array.isArray(b) || !Array.isArray(u)) throw new FrameError('Header lists are not arrays');
  let root = m;
  let at = start;
  for (const entry of b) {
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3 || !isPath(entry[0])) {
      throw new FrameError('Bad buffer entry');
    }
    const [path, length, kind] = entry as [Path, unknown, unknown];
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > frame.byteLength - at) {
      throw new FrameError('Bad buffer length');
    }
    const start = frame.byteOffset + at;
    const bytes = frame.buffer.slice(start, start + length) as ArrayBuffer;
    at += length;
    root = place(root, path, kind === undefined ? bytes : makeView(kind, bytes));
  }
  if (at !== frame.byteLength) throw new FrameError('Trailing bytes after the last buffer');
  for (const path of u) {
    if (!isPath(path)) throw new FrameError('Bad undefined entry');
    root = place(root, path, undefined);
  }
  return root;
}

function makeView(kind: unknown, bytes: ArrayBuffer): ArrayBufferView {
  if (kind === 'DataView') return new DataView(bytes);
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(VIEW_KINDS, kind)) {
    throw new FrameError('Unknown view kind');
  }
  const View = VIEW_KINDS[kind as keyof typeof VIEW_KINDS];
  if (bytes.byteLength % View.BYTES_PER_ELEMENT !== 0) throw new FrameError('View length not a whole number of elements');
  return new View(bytes);
}

// ---- down batches with payloads of their own --------------------------------------------------

/**
 * Over the WebSocket, a down batch's payload buffers of at least this size travel as binary
 * WebSocket messages of their own, right after the frame of the batch: the page takes each as the
 * ArrayBuffer the browser made for that message and hands it to a listener whole, with no copy
 * in the page. Smaller payloads stay inside the frame (one message per batch for a round trip).
 */
export const SEPARATE_PAYLOAD_BYTES = 16 * 1024;

interface SplitBatch {
  readonly t: 'b';
  readonly m: unknown;
  readonly bufs: ReadonlyArray<ArrayBuffer | null>;
  /** Indexes in `bufs` of the payloads that follow as messages of their own, in this order. */
  readonly sep?: readonly number[];
}

/**
 * Splits a down message for the WebSocket: the frame's parts (see encodeFrameParts) and the
 * payloads to send after it, each as one binary message. A message that is no batch, or whose
 * payloads are all small, is one frame as before.
 */
export function encodeDownParts(message: unknown): { frame: Uint8Array[] | string; payloads: ArrayBuffer[] } {
  const batch = message as SplitBatch;
  const bufs = batch !== null && typeof batch === 'object' && batch.t === 'b' && Array.isArray(batch.bufs) ? batch.bufs : undefined;
  let sep: number[] | undefined;
  if (bufs !== undefined) {
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i];
      if (buf !== null && isArrayBuffer(buf) && buf.byteLength >= SEPARATE_PAYLOAD_BYTES) (sep ??= []).push(i);
    }
  }
  let toEncode = message;
  const payloads: ArrayBuffer[] = [];
  if (bufs !== undefined && sep !== undefined) {
    const inline = bufs.slice();
    for (const i of sep) {
      payloads.push(bufs[i] as ArrayBuffer);
      inline[i] = null;
    }
    toEncode = { ...batch, bufs: inline, sep };
  }
  return { frame: encodeDownFrame(toEncode), payloads };
}

/**
 * A down message with no buffer inside it goes as a text WebSocket message holding just the
 * frame's JSON header: the page gets a string to parse, where a binary message would cost it an
 * ArrayBuffer (an allocation that is slow in a browser page) and a UTF-8 decode.
 */
function encodeDownFrame(message: unknown): Uint8Array[] | string {
  const { json, bufs } = encodeHeader(message);
  return bufs.length === 0 ? json : frameParts(json, bufs);
}

/** Decodes a text frame of encodeDownParts: a frame header with no buffers. */
export function decodeTextFrame(text: string): unknown {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new FrameError('Text frame is not JSON');
  }
  if (typeof header === 'object' && header !== null && 'b' in header) throw new FrameError('Text frame lists buffers');
  try {
    return rebuild(header, new Uint8Array(0), 0);
  } catch (err) {
    if (err instanceof FrameError) throw err;
    throw new FrameError(`Malformed frame: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The page's side of encodeDownParts: feed it every message in order (a text message as its
 * string, a binary one as its bytes); it returns each whole message once its frame and the
 * payloads that follow it have arrived (undefined while it waits for payloads). A payload given as an exact ArrayBuffer is kept as it is (no copy).
 * Throws FrameError for anything encodeDownParts would not have sent.
 */
export class DownFrameAssembler {
  private waiting: { bufs: Array<ArrayBuffer | null>; sep: readonly number[]; next: number; message: Record<string, unknown> } | undefined;

  push(data: ArrayBuffer | Uint8Array | string): unknown {
    const waiting = this.waiting;
    if (typeof data === 'string' && waiting !== undefined) throw new FrameError('Text frame where a payload was due');
    if (waiting !== undefined && typeof data !== 'string') {
      const buffer = isArrayBuffer(data) ? data : (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
      waiting.bufs[waiting.sep[waiting.next++]] = buffer;
      if (waiting.next < waiting.sep.length) return undefined;
      this.waiting = undefined;
      // A batch is { t, m, bufs } (built whole: an object spread costs microseconds in Chromium).
      return { t: 'b', m: waiting.message.m, bufs: waiting.bufs };
    }
    const message = (
      typeof data === 'string' ? decodeTextFrame(data) : decodeFrame(isArrayBuffer(data) ? new Uint8Array(data) : data)
    ) as Record<string, unknown>;
    if (message === null || typeof message !== 'object' || !('sep' in message)) return message;
    const { bufs, sep } = message as { bufs?: unknown; sep?: unknown };
    if (message.t !== 'b' || !Array.isArray(bufs) || !Array.isArray(sep) || sep.length === 0)
      throw new FrameError('Bad separate payload list');
    const seen = new Set<number>();
    for (const i of sep) {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= bufs.length || bufs[i] !== null || seen.has(i)) {
        throw new FrameError('Bad separate payload index');
      }
      seen.add(i);
    }
    this.waiting = { bufs: bufs as Array<ArrayBuffer | null>, sep: sep as number[], next: 0, message };
    return undefined;
  }
}
