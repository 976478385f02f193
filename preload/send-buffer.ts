/**
 * The send side mozTCPSocket and the W3C 2013 sockets share (Gecko's content-process model):
 * `bufferedAmount` counts the bytes of every send() until the host says the OS took them,
 * send()'s hint turns false once more than the threshold is buffered, and exactly one `drain`
 * follows when the buffer is empty again. Items go to the host in order, behind the host's own
 * queue (STARTTLS); a Blob is read first and what follows it waits (W3C).
 */
import { isArrayBuffer, type RawCallError } from './raw-client';

export interface SendItem {
  payload: ArrayBuffer | Blob;
  size: number;
  /** UDP: where the datagram goes. */
  address?: string;
  port?: number;
}

export interface SendSink {
  /** Hands one item's bytes to the host; `done` runs when the host answered. */
  write(payload: ArrayBuffer, item: SendItem, done: (error?: RawCallError) => void): void;
  /** The buffer emptied after a send() that returned false. */
  drain(): void;
  /**
   * A write failed. Returns whether that ends the socket (no drain follows); without this, or
   * when it returns false, a failed write counts as written.
   */
  failed?(error: RawCallError): boolean;
}

export class SendBuffer {
  #bufferedAmount = 0;
  #waitingForDrain = false;
  #outbox: SendItem[] = [];
  #reading = false;
  #afterOutbox: Array<() => void> = [];

  constructor(
    private readonly sink: SendSink,
    /** send() returns false once more than this is buffered. */
    private readonly threshold: number,
    /** A send that would buffer more than this is refused (undefined from queue()). */
    private readonly max = Infinity,
  ) {}

  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }

  /** Counts and queues one send; returns send()'s hint, or undefined when it cannot be buffered. */
  queue(payload: ArrayBuffer | Blob, address?: string, port?: number): boolean | undefined {
    const size = isArrayBuffer(payload) ? payload.byteLength : payload.size;
    if (this.#bufferedAmount + size > this.max) return undefined;
    this.#bufferedAmount += size;
    const full = this.#bufferedAmount > this.threshold;
    if (full) this.#waitingForDrain = true;
    this.#outbox.push({ payload, size, address, port });
    this.#flush();
    return !full;
  }

  /** Runs `fn` once everything queued before it went to the host (close and halfclose wait). */
  afterOutbox(fn: () => void): void {
    if (this.#outbox.length === 0) fn();
    else this.#afterOutbox.push(fn);
  }

  /** Nothing more goes out (the socket ended). */
  drop(): void {
    this.#outbox = [];
    this.#afterOutbox = [];
  }

  #flush(): void {
    while (this.#outbox.length > 0 && !this.#reading) {
      const item = this.#outbox[0];
      if (!isArrayBuffer(item.payload)) {
        this.#reading = true;
        item.payload.arrayBuffer().then(
          (buffer) => {
            this.#reading = false;
            item.payload = buffer;
            this.#flush();
          },
          () => {
            this.#reading = false;
            item.payload = new ArrayBuffer(0);
            this.#flush();
          },
        );
        return;
      }
      this.#outbox.shift();
      this.sink.write(item.payload, item, (error) => {
        this.#bufferedAmount -= item.size;
        if (error !== undefined && this.sink.failed?.(error) === true) return;
        if (this.#bufferedAmount === 0 && this.#waitingForDrain) {
          this.#waitingForDrain = false;
          this.sink.drain();
        }
      });
    }
    if (this.#outbox.length === 0 && !this.#reading) for (const fn of this.#afterOutbox.splice(0)) fn();
  }
}
