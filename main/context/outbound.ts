/**
 * A page context's outbound batch: results and events queued in one order and sent as one
 * message per task (events) or per event-loop turn (results), or earlier once a batch is large.
 * Payload bytes travel in the batch's buffer list, moved instead of copied where allowed.
 */
import type { WireNamespace } from '../../common/methods';
import type { BatchMessage, CreditMessage, DownItem, WireError } from '../../common/protocol';

/** A flush happens at least this often: once per event-loop turn, or earlier at this size. */
export const BATCH_BYTES = 1 << 20;

export class OutboundBatch {
  private items: DownItem[] = [];
  private bufs: ArrayBuffer[] = [];
  private transfer: ArrayBuffer[] = [];
  /** The batch's last payload source, so slices of one read share one buffer. */
  private lastSource?: ArrayBuffer;
  private queuedBytes = 0;
  private flushScheduled: 'task' | 'turn' | undefined;
  private flushImmediate?: NodeJS.Immediate;

  constructor(
    /** Sends the batch (the context's flush: it posts what `take` gives). */
    private readonly flushDue: () => void,
  ) {}

  /** Whether the batch is large enough to go down now. */
  get isFull(): boolean {
    return this.queuedBytes >= BATCH_BYTES;
  }

  /**
   * Queues a call's result. Results count towards the batch size too (getSockets can be
   * large), so a page that calls fast cannot pile up more than one batch before the carrier's
   * backlog is checked.
   */
  pushResult(id: number, a: readonly unknown[], e: WireError | undefined): void {
    this.items.push(e === undefined ? { t: 'r', id, a } : { t: 'r', id, a, e });
    this.queuedBytes += estimateSize(a, 0);
  }

  /** Queues a send-credit item (a grant, a revocation or a written count), in order. */
  pushCredit(item: CreditMessage): void {
    this.items.push(item);
  }

  /**
   * Queues an event. When `transferable`, the data's whole ArrayBuffer may be moved to the page
   * instead of copied; `sliceSize` has the page cut the data into events of that size.
   */
  pushEvent(ns: WireNamespace, ev: string, arg: Record<string, unknown>, data?: Uint8Array, transferable = false, sliceSize = 0): void {
    if (data === undefined) {
      this.items.push({ t: 'e', ns, ev, arg });
      return;
    }
    let source = data.buffer as ArrayBuffer;
    let offset = data.byteOffset;
    if (source !== this.lastSource) {
      if (!transferable) {
        // Copy just the bytes: a Node Buffer may view a shared pool, and cloning would send it
        // all. (Buffer#slice is a view, not a copy: copy explicitly.)
        const copy = new Uint8Array(data.byteLength);
        copy.set(data);
        source = copy.buffer;
        offset = 0;
      } else {
        this.transfer.push(source);
      }
      this.bufs.push(source);
      this.lastSource = source;
    }
    const d = [this.bufs.length - 1, offset, data.byteLength] as const;
    this.items.push(sliceSize > 0 && sliceSize < data.byteLength ? { t: 'e', ns, ev, arg, d, s: sliceSize } : { t: 'e', ns, ev, arg, d });
    this.queuedBytes += data.byteLength;
  }

  /**
   * Socket events and results go down once per turn of the event loop, at the end of its poll
   * phase (setImmediate): the events of every read libuv made for the sockets that were ready,
   * the answers to all the calls one drain of the port brought, and a call's result together
   * with the events queued beside it (an echo's reply), so the page wakes once for them, not
   * once per task. That costs an echo no latency: the check phase follows the poll phase before
   * the loop can wait again. `urgent` (the app services' events: runtime messages and ports)
   * goes down at the end of the current task instead, so what separate host tasks produced
   * reaches the page in separate batches, dispatched on separate page tasks, as Chrome
   * dispatches each extension message (a listener added in a promise continuation after
   * onConnect still gets the port's first message).
   */
  schedule(urgent: boolean): void {
    if (this.flushScheduled === 'task') return;
    if (urgent) {
      this.flushScheduled = 'task';
      queueMicrotask(this.flushTask);
    } else if (this.flushScheduled === undefined) {
      this.flushScheduled = 'turn';
      this.flushImmediate = setImmediate(this.flushTask);
    }
  }

  /** Everything queued as one batch, with the buffers to move; undefined when nothing is queued. */
  take(): { batch: BatchMessage; transfer: ArrayBuffer[] } | undefined {
    this.cancelScheduled();
    if (this.items.length === 0) return undefined;
    const batch: BatchMessage = { t: 'b', m: this.items, bufs: this.bufs };
    const transfer = this.transfer;
    this.items = [];
    this.bufs = [];
    this.transfer = [];
    this.lastSource = undefined;
    this.queuedBytes = 0;
    return { batch, transfer };
  }

  /** Drops what is queued (its page has gone) and any scheduled flush. */
  clear(): void {
    this.cancelScheduled();
    this.items = [];
    this.bufs = [];
    this.transfer = [];
    this.lastSource = undefined;
    this.queuedBytes = 0;
  }

  private cancelScheduled(): void {
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    this.flushScheduled = undefined;
  }

  private readonly flushTask = (): void => {
    this.flushDue();
  };
}

/** A cheap upper-bound-ish guess of a result's encoded size, for batching. */
function estimateSize(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null || depth > 4) return 8;
  let size = 16;
  if (Array.isArray(value)) for (const item of value) size += estimateSize(item, depth + 1);
  else for (const [key, item] of Object.entries(value)) size += key.length + 3 + estimateSize(item, depth + 1);
  return size;
}
