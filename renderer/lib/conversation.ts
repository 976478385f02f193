/**
 * One socket's conversation: sent and received chunks, errors and notes in arrival order, held in
 * a bounded ring, plus the counters and rate meters that must stay exact even after the ring has
 * dropped old entries.
 */
import { decodeForDisplay, hexDump, wrapSegments } from './bytes';
import { formatBytes, formatClock, formatCount, formatDateTime } from './format';
import { RingLog } from './ring-log';
import { ThroughputMeter } from './throughput';

/** `tx` sent, `rx` received, `error` an error event or failed call, `note` a lifecycle line. */
export type Direction = 'tx' | 'rx' | 'error' | 'note';

export interface LogEntry {
  /** Increases by one per entry over the conversation's life; survives eviction. */
  readonly seq: number;
  /** Epoch ms. */
  readonly time: number;
  readonly dir: Direction;
  readonly bytes?: Uint8Array;
  /** Where `bytes` starts in its direction's stream (TCP offsets, like Wireshark's Follow Stream). */
  readonly offset?: number;
  /** UDP: the datagram's remote `host:port` (source for rx, destination for tx). */
  readonly peer?: string;
  /** Text of an error or note. */
  readonly text?: string;
  /** The net error code of an error entry, when there is one. */
  readonly code?: number;
}

export interface ConversationLimits {
  /** Default 20 000 entries. */
  readonly maxEntries?: number;
  /** Default 8 MiB of payload. */
  readonly maxBytes?: number;
}

/** Fixed cost charged per entry on top of its payload, so empty datagrams still count. */
const ENTRY_OVERHEAD = 64;

export interface Counters {
  txBytes: number;
  rxBytes: number;
  txMessages: number;
  rxMessages: number;
  errors: number;
}

export class Conversation {
  readonly log: RingLog<LogEntry>;
  readonly rxRate = new ThroughputMeter();
  readonly txRate = new ThroughputMeter();
  readonly counters: Counters = { txBytes: 0, rxBytes: 0, txMessages: 0, rxMessages: 0, errors: 0 };
  /** Bumped on every change; views compare it to know whether to repaint. */
  version = 0;
  private nextSeq = 0;

  constructor(limits: ConversationLimits = {}) {
    this.log = new RingLog<LogEntry>({
      maxEntries: limits.maxEntries ?? 20_000,
      maxBytes: limits.maxBytes ?? 8 * 1024 * 1024,
      sizeOf: (e) => ENTRY_OVERHEAD + (e.bytes?.byteLength ?? 0) + (e.text?.length ?? 0) * 2,
    });
  }

  /** `offset` defaults to this conversation's own stream offset (a merged log passes the connection's). */
  addRx(bytes: Uint8Array, time: number, peer?: string, offset = this.counters.rxBytes): LogEntry {
    // Built whole, not spread: an object spread costs microseconds per entry in Chromium.
    const entry = this.append({ seq: this.nextSeq++, dir: 'rx', time, bytes, offset, peer });
    this.counters.rxBytes += bytes.byteLength;
    this.counters.rxMessages++;
    this.rxRate.record(bytes.byteLength, time);
    return entry;
  }

  addTx(bytes: Uint8Array, time: number, peer?: string, offset = this.counters.txBytes): LogEntry {
    const entry = this.append({ seq: this.nextSeq++, dir: 'tx', time, bytes, offset, peer });
    this.counters.txBytes += bytes.byteLength;
    this.counters.txMessages++;
    this.txRate.record(bytes.byteLength, time);
    return entry;
  }

  addError(text: string, time: number, code?: number): LogEntry {
    this.counters.errors++;
    return this.push({ dir: 'error', time, text, code });
  }

  /** A note may carry a net code that is not a fault (a peer close, -100). */
  addNote(text: string, time: number, code?: number): LogEntry {
    return this.push(code === undefined ? { dir: 'note', time, text } : { dir: 'note', time, text, code });
  }

  /** Empties the log and zeroes counters and rates. */
  clear(): void {
    this.log.clear();
    this.rxRate.reset();
    this.txRate.reset();
    Object.assign(this.counters, { txBytes: 0, rxBytes: 0, txMessages: 0, rxMessages: 0, errors: 0 });
    this.version++;
  }

  private push(fields: Omit<LogEntry, 'seq'>): LogEntry {
    return this.append({ seq: this.nextSeq++, ...fields });
  }

  private append(entry: LogEntry): LogEntry {
    this.log.push(entry);
    this.version++;
    return entry;
  }
}

export type TranscriptMode = 'text' | 'hex';

const ARROWS: Readonly<Record<Direction, string>> = { tx: '→', rx: '←', error: '!', note: '·' };

/** The header line of one entry in a transcript: time, direction, size, stream offset, peer. */
export function entryHeadline(entry: LogEntry): string {
  const parts = [formatClock(entry.time), ARROWS[entry.dir]];
  if (entry.bytes) {
    parts.push(`${formatCount(entry.bytes.byteLength)} B`);
    if (entry.offset !== undefined) parts.push(`@${entry.offset}`);
    if (entry.peer) parts.push(entry.dir === 'tx' ? `to ${entry.peer}` : `from ${entry.peer}`);
  } else if (entry.text !== undefined) {
    parts.push(entry.text);
  }
  return parts.join('  ');
}

export interface TranscriptInfo {
  /** One line describing the socket, e.g. `tcp 3 "probe" 10.0.0.2:51544 → 10.0.0.1:80`. */
  readonly title: string;
  readonly savedAt: number;
}

/**
 * A plain-text transcript of a conversation: a `#` header with the socket, counters and how much
 * the bounded log dropped, then every held entry with its payload as escaped text or a hex dump.
 */
export function formatTranscript(conversation: Conversation, info: TranscriptInfo, mode: TranscriptMode): string {
  const { counters, log } = conversation;
  const lines = [
    '# electron-chrome-sockets transcript',
    `# socket: ${info.title}`,
    `# saved: ${formatDateTime(info.savedAt)}`,
    `# sent: ${formatBytes(counters.txBytes)} (${counters.txBytes} B) in ${counters.txMessages} messages;` +
      ` received: ${formatBytes(counters.rxBytes)} (${counters.rxBytes} B) in ${counters.rxMessages} messages;` +
      ` errors: ${counters.errors}`,
  ];
  if (log.droppedEntries > 0) {
    lines.push(
      `# the bounded log dropped the ${log.droppedEntries} oldest entries (${log.droppedBytes} B); offsets below are still stream offsets`,
    );
  }
  lines.push('');
  for (const entry of log) {
    lines.push(entryHeadline(entry));
    if (!entry.bytes) continue;
    if (mode === 'hex') {
      for (const line of hexDump(entry.bytes, entry.offset ?? 0)) lines.push(`  ${line}`);
    } else {
      // Break after each \n so line protocols stay readable; escapes keep every byte visible.
      for (const line of wrapSegments(decodeForDisplay(entry.bytes), Infinity)) {
        lines.push(`  ${line.map((s) => s.text).join('')}`);
      }
    }
  }
  lines.push('');
  return lines.join('\n');
}
