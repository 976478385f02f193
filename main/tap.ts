/**
 * The debugging window's tap: while the window follows a socket of any app, the host records that
 * socket's traffic both ways and the app's calls on it (method, arguments, result code, lastError,
 * latency) in a bounded ring. Nothing is recorded while nobody watches: the host's hooks check
 * one boolean (`active`). A watch lapses when the window stops reading it for LEASE_MS, so a
 * window that went away leaves no ring behind. Reached only from the window's privileged channel
 * (Electron IPC for its own webContents, the browser host's token-guarded POST /tap), never from
 * an app's port.
 */
import type { Namespace } from '../common/methods';
import type { InspectCertificate, InspectSocket, TapRecordFields } from '../common/inspect-types';

export interface TapLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxWatches: number;
  readonly leaseMs: number;
}

/** Defaults of the tap's bounds (README "Tap"). */
export const TAP_LIMITS: TapLimits = Object.freeze({
  /** Records kept per watched socket; the oldest go first. */
  maxRecords: 4096,
  /** Payload bytes kept per watched socket. */
  maxBytes: 4 * 1024 * 1024,
  /** Sockets followed at once. */
  maxWatches: 32,
  /** A watch not read for this long ends. */
  leaseMs: 15_000,
});

export interface TapRecord extends TapRecordFields {
  readonly bytes?: Uint8Array;
}

export interface TapRead {
  readonly records: TapRecord[];
  /** Pass as `since` next time. */
  readonly next: number;
  /** Records the ring dropped so far (oldest first). */
  readonly dropped: number;
  /** The socket now, when it still exists. */
  readonly socket?: InspectSocket;
}

export type TapRequest =
  | { op: 'watch'; kind: Namespace; id: number }
  | { op: 'unwatch'; kind: Namespace; id: number }
  | { op: 'read'; kind: Namespace; id: number; since: number }
  | { op: 'trust'; app: string; fingerprint256: string };

/** What a `trust` request answers: the certificate now trusted for the app. */
export interface TapTrusted {
  readonly trusted: { readonly app: string; readonly certificate: InspectCertificate };
}

/** Trusts, for `app` and this session, a certificate the host saw rejected; throws when it cannot. */
export type TrustRejected = (app: string, fingerprint256: string) => TapTrusted['trusted'];

const FINGERPRINT = /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/;

interface Watch {
  records: TapRecord[];
  bytes: number;
  seq: number;
  dropped: number;
  lastRead: number;
  rxOffset: number;
  txOffset: number;
}

const KINDS: readonly string[] = ['tcp', 'tcpServer', 'udp'];

/** Checks a request from the window's channel (it is still data from a page: validate it). */
export function parseTapRequest(value: unknown): TapRequest {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) throw new TypeError('tap request must be an object');
  if (r.op === 'trust') {
    if (typeof r.app !== 'string' || r.app === '' || r.app.length > 256) throw new TypeError('tap request: app must be an app name');
    if (typeof r.fingerprint256 !== 'string' || !FINGERPRINT.test(r.fingerprint256))
      throw new TypeError('tap request: fingerprint256 must be a SHA-256 fingerprint (AB:CD:…, 32 bytes)');
    return { op: 'trust', app: r.app, fingerprint256: r.fingerprint256 };
  }
  if (!KINDS.includes(r.kind as string)) throw new TypeError('tap request: kind must be tcp, tcpServer or udp');
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 1) throw new TypeError('tap request: id must be a positive integer');
  const kind = r.kind as Namespace;
  const id = r.id as number;
  if (r.op === 'watch' || r.op === 'unwatch') return { op: r.op, kind, id };
  if (r.op === 'read') {
    const since = r.since ?? 0;
    if (!Number.isSafeInteger(since) || (since as number) < 0) throw new TypeError('tap request: since must be a whole number');
    return { op: 'read', kind, id, since: since as number };
  }
  throw new TypeError('tap request: op must be watch, unwatch, read or trust');
}

function summarise(all: readonly unknown[]): string {
  // Optional arguments the app left out arrive as trailing undefined: not worth showing.
  let n = all.length;
  while (n > 0 && all[n - 1] === undefined) n--;
  return all
    .slice(0, n)
    .map((a) => {
      if (a instanceof ArrayBuffer) return `<${a.byteLength} bytes>`;
      if (ArrayBuffer.isView(a)) return `<${a.byteLength} bytes>`;
      if (a === undefined) return 'undefined';
      const s = JSON.stringify(a);
      return s.length > 200 ? `${s.slice(0, 199)}…` : s;
    })
    .join(', ');
}

export class SocketTap {
  /** The one check on the host's hot paths. */
  active = false;
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly lookup: (kind: Namespace, id: number) => InspectSocket | undefined,
    readonly limits: TapLimits = TAP_LIMITS,
    private readonly now: () => number = Date.now,
    /** The host's `trust` (SocketsHost.trustRejectedCertificate); without it `trust` is refused. */
    private readonly trust?: TrustRejected,
  ) {}

  /** Answers one request of the window; throws with a clear message on a bad one. */
  handle(value: unknown): TapRead | { watching: number } | TapTrusted {
    const req = parseTapRequest(value);
    if (req.op === 'trust') {
      if (this.trust === undefined) throw new Error('This host cannot trust certificates at run time');
      return { trusted: this.trust(req.app, req.fingerprint256) };
    }
    const key = `${req.kind}:${req.id}`;
    this.expire();
    if (req.op === 'watch') {
      if (!this.watches.has(key)) {
        if (this.watches.size >= this.limits.maxWatches)
          throw new Error(`The tap follows at most ${this.limits.maxWatches} sockets at once; close one first`);
        if (this.lookup(req.kind, req.id) === undefined) throw new Error(`No ${req.kind} socket ${req.id}`);
        this.watches.set(key, { records: [], bytes: 0, seq: 0, dropped: 0, lastRead: this.now(), rxOffset: 0, txOffset: 0 });
      }
    } else if (req.op === 'unwatch') {
      this.watches.delete(key);
    } else {
      const w = this.watches.get(key);
      if (w === undefined) throw new Error(`Not watching ${req.kind} socket ${req.id}: watch it first`);
      w.lastRead = this.now();
      const records = w.records.filter((r) => r.seq >= req.since);
      this.active = this.watches.size > 0;
      return { records, next: w.seq, dropped: w.dropped, socket: this.lookup(req.kind, req.id) };
    }
    this.active = this.watches.size > 0;
    return { watching: this.watches.size };
  }

  /** A call finished: recorded on the socket it names (first argument, or the created id). */
  onCall(
    ns: string,
    method: string,
    args: readonly unknown[],
    result: readonly unknown[],
    error: string | undefined,
    started: number,
  ): void {
    let id = args[0];
    if (method === 'create') id = (result[0] as { socketId?: unknown } | undefined)?.socketId;
    if (typeof id !== 'number') return;
    const w = this.live(`${ns}:${id}`);
    if (w === undefined) return;
    const first = result[0];
    const resultCode =
      typeof first === 'number'
        ? first
        : typeof (first as { resultCode?: unknown } | undefined)?.resultCode === 'number'
          ? (first as { resultCode: number }).resultCode
          : undefined;
    const time = this.now();
    this.push(w, {
      type: 'call',
      time,
      name: `${ns}.${method}`,
      args: summarise(args),
      resultCode,
      lastError: error,
      latencyMs: time - started,
    });
    // A successful send is the app's outgoing data.
    if (method === 'send' && error === undefined) {
      const data = args[1];
      const bytes =
        data instanceof ArrayBuffer
          ? new Uint8Array(data.slice(0))
          : ArrayBuffer.isView(data)
            ? new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
            : undefined;
      if (bytes === undefined) return;
      const remote =
        ns === 'udp' && typeof args[2] === 'string' && typeof args[3] === 'number' ? { address: args[2], port: args[3] } : undefined;
      this.push(w, { type: 'tx', time, bytes, offset: ns === 'tcp' ? w.txOffset : undefined, remote });
      w.txOffset += bytes.byteLength;
    }
  }

  /** An event went to the app (data or not). `data` is copied: the host may transfer it. */
  onEvent(ns: string, ev: string, arg: Record<string, unknown>, data?: Uint8Array): void {
    const id = arg.socketId;
    if (typeof id !== 'number') return;
    const w = this.live(`${ns}:${id}`);
    if (w === undefined) return;
    const time = this.now();
    if (ev === 'onReceive' && data !== undefined) {
      const remote =
        typeof arg.remoteAddress === 'string' && typeof arg.remotePort === 'number'
          ? { address: arg.remoteAddress, port: arg.remotePort }
          : undefined;
      // A copy (new Uint8Array(view) copies; Buffer#slice would not): the host may transfer `data`.
      this.push(w, { type: 'rx', time, bytes: new Uint8Array(data), offset: ns === 'tcp' ? w.rxOffset : undefined, remote });
      w.rxOffset += data.byteLength;
      return;
    }
    const { socketId: _id, ...rest } = arg;
    this.push(w, {
      type: 'event',
      time,
      name: `${ns}.${ev}`,
      args: summarise([rest]),
      resultCode: typeof arg.resultCode === 'number' ? arg.resultCode : undefined,
    });
  }

  /** Ends every watch (host dispose). */
  clear(): void {
    this.watches.clear();
    this.active = false;
  }

  private push(w: Watch, fields: Omit<TapRecord, 'seq'>): void {
    const record: TapRecord = { seq: w.seq++, ...fields };
    w.records.push(record);
    w.bytes += record.bytes?.byteLength ?? 0;
    while (w.records.length > this.limits.maxRecords || (w.bytes > this.limits.maxBytes && w.records.length > 1)) {
      const old = w.records.shift()!;
      w.bytes -= old.bytes?.byteLength ?? 0;
      w.dropped++;
    }
  }

  /** The watch of `key`, unless its lease ran out (a window that went away stops the recording). */
  private live(key: string): Watch | undefined {
    const w = this.watches.get(key);
    if (w === undefined || this.now() - w.lastRead <= this.limits.leaseMs) return w;
    this.watches.delete(key);
    this.active = this.watches.size > 0;
    return undefined;
  }

  private expire(): void {
    const now = this.now();
    for (const [key, w] of this.watches) if (now - w.lastRead > this.limits.leaseMs) this.watches.delete(key);
    this.active = this.watches.size > 0;
  }
}

/** A tap answer as JSON-safe data: payloads as base64 (`data`), for carriers without binary. */
export function encodeTapAnswer(answer: TapRead | { watching: number } | TapTrusted): unknown {
  if (!('records' in answer)) return answer;
  return {
    ...answer,
    records: answer.records.map(({ bytes, ...rest }) =>
      bytes === undefined ? rest : { ...rest, data: Buffer.from(bytes).toString('base64') },
    ),
  };
}
