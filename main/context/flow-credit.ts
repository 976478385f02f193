/**
 * A page context's receive credit (flow control): the bytes sent down that the page has not
 * acknowledged yet, and the carrier's own backlog. Over the high-water mark of either the
 * context holds its app's sockets; it lets go once both are down to the low-water mark.
 */

export interface WaterMarks {
  readonly highWaterMark: number;
  readonly lowWaterMark: number;
}

export class FlowCredit {
  /** Receive bytes sent down and not yet acknowledged by the page. */
  private owed = 0;
  /** Whether this context holds its app's sockets (unacked credit or carrier backlog too high). */
  private blocked = false;
  /**
   * The carrier's own backlog is over the high-water mark: the page does not read what it is
   * sent, whatever its acks say. Sockets stop and no call is taken until it drains.
   */
  private carrierHeld = false;
  private closed = false;

  constructor(
    private readonly marks: WaterMarks,
    /** Told when the context starts or stops holding its app's sockets. */
    private readonly onBlocked: (blocked: boolean) => void,
  ) {}

  get unacked(): number {
    return this.owed;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  get isCarrierHeld(): boolean {
    return this.carrierHeld;
  }

  /** Counts what the page has yet to acknowledge; over the high-water mark the app stops reading. */
  add(bytes: number): void {
    this.owed += bytes;
    if (!this.blocked && this.owed > this.marks.highWaterMark) this.recheck();
  }

  /**
   * The page acknowledged `bytes`. A page may lie here (ack more than it was sent); the carrier
   * backlog check does not depend on what it says.
   */
  ack(bytes: number): void {
    this.owed = Math.max(0, this.owed - bytes);
    if (this.blocked && this.owed <= this.marks.lowWaterMark) this.recheck();
  }

  /**
   * Notes the carrier's backlog; returns whether the carrier hold changed. The caller then
   * updates what depends on the hold (reading the page) before `recheck()` tells the app.
   */
  observeBacklog(backlog: number): boolean {
    const held = this.carrierHeld ? backlog > this.marks.lowWaterMark : backlog > this.marks.highWaterMark;
    if (held === this.carrierHeld) return false;
    this.carrierHeld = held;
    return true;
  }

  /** A new page in the same context: it owes nothing for what the old one was sent. */
  reset(): void {
    this.owed = 0;
    this.recheck();
  }

  /** The context ended: it holds nothing any more. */
  close(): void {
    this.closed = true;
    this.carrierHeld = false;
    this.owed = 0;
    this.recheck();
  }

  /** Holds or lets go of the app's sockets, with hysteresis between the water marks. */
  recheck(): void {
    const overCredit = this.blocked ? this.owed > this.marks.lowWaterMark : this.owed > this.marks.highWaterMark;
    const blocked = !this.closed && (overCredit || this.carrierHeld);
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    this.onBlocked(blocked);
  }
}
