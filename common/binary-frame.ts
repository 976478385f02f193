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
 * Split form (host → page on the browser host): the header carries `x: 1` and nothing follows
 * it in its WebSocket message; each buffer then travels as a binary WebSocket message of its
 * own, in `b` order. The page's WebSocket hands each one over as an exact ArrayBuffer, which
 * becomes the slot's value as it is: no copy in the page, and an event whose data is a whole
 * buffer reaches its listener without one either. `FrameAssembler` reads both forms.
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
export function encodeFrameParts(message: unknown, options: { split?: boolean } = {}): Uint8Array[] {
  const out: Collected = { bufs: [], b: [], u: [] };
  const m = strip(message, [], out, 0);
  const header: { m: unknown; b?: unknown; u?: unknown; x?: 1 } = { m };
  if (out.b.length > 0) header.b = out.b;
  if (out.u.length > 0) header.u = out.u;
  if (options.split === true && out.b.length > 0) header.x = 1;
  const json = JSON.stringify(header);
  // UTF-8 needs at most 3 bytes per UTF-16 unit; encodeInto fills what it needs.
  const head = new Uint8Array(4 + json.length * 3);
  const { written } = encoder.encodeInto(json, head.subarray(4));
  new DataView(head.buffer).setUint32(0, written, true);
  return [head.subarray(0, 4 + written), ...out.bufs];
}

/**
 * Encodes one message in the split form: the header (as a frame of its own) and then each
 * buffer, each to be sent as a message of its own (views on the caller's memory). Without
 * buffers it is one ordinary frame.
 */
export function encodeSplitFrame(message: unknown): Uint8Array[] {
  return encodeFrameParts(message, { split: true });
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

interface Header {
  root: unknown;
  b: unknown[];
  u: unknown[];
  split: boolean;
  /** Where the payloads start in the frame. */
  at: number;
}

function readHeader(frame: Uint8Array, maxHeaderBytes: number): Header {
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
  if (typeof header !== 'object' || header === null || Array.isArray(header) || !('m' in header)) {
    throw new FrameError('Header is not a frame header');
  }
  const { m, b = [], u = [], x } = header as { m: unknown; b?: unknown; u?: unknown; x?: unknown };
  if (!Array.isArray(b) || !Array.isArray(u)) throw new FrameError('Header lists are not arrays');
  if (x !== undefined && x !== 1) throw new FrameError('Bad split marker');
  return { root: m, b, u, split: x === 1, at: 4 + headLength };
}

function bufferEntry(entry: unknown): [Path, number, unknown] {
  if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3 || !isPath(entry[0])) {
    throw new FrameError('Bad buffer entry');
  }
  const [path, length, kind] = entry as [Path, unknown, unknown];
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) throw new FrameError('Bad buffer length');
  return [path, length, kind];
}

/** Places the buffers (`bytes(i, length)` gives the i-th) and the undefineds; returns the message. */
function finish(header: Header, bytes: (index: number, length: number) => ArrayBuffer): unknown {
  let root = header.root;
  header.b.forEach((entry, i) => {
    const [path, length, kind] = bufferEntry(entry);
    const buffer = bytes(i, length);
    root = place(root, path, kind === undefined ? buffer : makeView(kind, buffer));
  });
  for (const path of header.u) {
    if (!isPath(path)) throw new FrameError('Bad undefined entry');
    root = place(root, path, undefined);
  }
  return root;
}

function decodeUnchecked(frame: Uint8Array, maxHeaderBytes: number): unknown {
  return decodeWhole(frame, readHeader(frame, maxHeaderBytes));
}

function decodeWhole(frame: Uint8Array, header: Header): unknown {
  if (header.split) throw new FrameError('Split frame where a whole frame was expected');
  let at = header.at;
  const root = finish(header, (_i, length) => {
    if (length > frame.byteLength - at) throw new FrameError('Bad buffer length');
    const start = frame.byteOffset + at;
    at += length;
    return frame.buffer.slice(start, start + length) as ArrayBuffer;
  });
  if (at !== frame.byteLength) throw new FrameError('Trailing bytes after the last buffer');
  return root;
}

/** The exact ArrayBuffer of `bytes`: itself when it is one or views one whole, else a copy. */
function exactBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (isArrayBuffer(bytes)) return bytes;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && isArrayBuffer(bytes.buffer)) return bytes.buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Reads a stream of WebSocket messages in either form: `push` each binary message in order; it
 * returns the decoded message once one is whole, else `undefined` (a split header waiting for
 * its buffers). A split buffer arriving as an ArrayBuffer (a page's WebSocket) becomes its
 * slot's value without a copy. Throws FrameError as `decodeFrame` does, and for a buffer
 * message whose length is not the one its header announced.
 */
export class FrameAssembler {
  private header: Header | undefined;
  private lengths: number[] = [];
  private payloads: ArrayBuffer[] = [];

  constructor(private readonly options: DecodeOptions = {}) {}

  /** Whether a split header is still waiting for buffers. */
  get waiting(): boolean {
    return this.header !== undefined;
  }

  push(data: ArrayBuffer | Uint8Array): unknown {
    try {
      return this.pushUnchecked(data);
    } catch (err) {
      this.header = undefined;
      this.payloads = [];
      if (err instanceof FrameError) throw err;
      throw new FrameError(`Malformed frame: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private pushUnchecked(data: ArrayBuffer | Uint8Array): unknown {
    if (this.header === undefined) {
      const frame = isArrayBuffer(data) ? new Uint8Array(data) : data;
      const header = readHeader(frame, this.options.maxHeaderBytes ?? Number.POSITIVE_INFINITY);
      if (!header.split) return decodeWhole(frame, header);
      if (header.at !== frame.byteLength) throw new FrameError('Bytes after a split header');
      if (header.b.length === 0) throw new FrameError('Split header without buffers');
      this.lengths = header.b.map((entry) => bufferEntry(entry)[1]);
      this.header = header;
      this.payloads = [];
      return undefined;
    }
    const buffer = exactBuffer(data);
    if (buffer.byteLength !== this.lengths[this.payloads.length]) throw new FrameError('Buffer message of the wrong length');
    this.payloads.push(buffer);
    if (this.payloads.length < this.lengths.length) return undefined;
    const header = this.header;
    const payloads = this.payloads;
    this.header = undefined;
    this.payloads = [];
    return finish(header, (i) => payloads[i]);
  }
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
