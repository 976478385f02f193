/**
 * The page's side of tcp send credit (README "How faithful"): the host grants a connected
 * socket a number of bytes the page may answer `send` for by itself, Chrome's result on a later
 * task, as Chrome answers once the bytes are in its pipe to the network service. The host owns
 * those bytes from then on and gives the credit back once they are written.
 */
import type { CreditMessage } from '../common/protocol';

interface Grant {
  readonly g: number;
  readonly limit: number;
  /** Bytes sent under this grant. */
  sent: number;
  /** Bytes of this grant the host has written (its latest count). */
  written: number;
  /** Sends answered under this grant. */
  sends: number;
  /** Of those, writes the host has completed (its latest count). */
  done: number;
}

interface DomChannel {
  readonly port1: { onmessage: (() => void) | null };
  readonly port2: { postMessage(message: null): void };
}

/** Runs `fn` on a later task: setImmediate where there is one, else a MessageChannel task (never clamped like setTimeout). */
function laterTaskRunner(): (fn: () => void) => void {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return (fn) => void immediate(fn);
  // A page's DOM MessageChannel (Node has setImmediate).
  const channel = new (globalThis as unknown as { MessageChannel: new () => DomChannel }).MessageChannel();
  let queued: Array<() => void> = [];
  channel.port1.onmessage = () => {
    const run = queued;
    queued = [];
    for (const fn of run) fn();
  };
  return (fn) => {
    queued.push(fn);
    if (queued.length === 1) channel.port2.postMessage(null);
  };
}

/** Calls still waiting for their answer, counted per socket. */
class PendingPerSocket {
  private readonly counts = new Map<number, number>();

  has(socketId: number): boolean {
    return this.counts.has(socketId);
  }

  add(socketId: number): void {
    this.counts.set(socketId, (this.counts.get(socketId) ?? 0) + 1);
  }

  remove(socketId: number): void {
    const left = (this.counts.get(socketId) ?? 1) - 1;
    if (left > 0) this.counts.set(socketId, left);
    else this.counts.delete(socketId);
  }
}

export class SendCredit {
  private readonly grants = new Map<number, Grant>();
  /** Sends answered under the grants held, less the writes the host said it completed. */
  private writesInFlight = 0;
  /** The host's bound on this context's credited writes in flight (CreditMessage `w`). */
  private maxWrites = 0;
  /** Sends answered by the host and not settled yet, per socket: no local answer may overtake one. */
  private readonly roundTrips = new PendingPerSocket();
  /**
   * Sockets this page called disconnect(), close() or secure() on, with the calls not answered
   * yet: a grant arriving meanwhile was earned by a send before the call (the host queued it
   * before it took the call) and is already gone at the host, so it is ignored.
   */
  private readonly holding = new PendingPerSocket();
  /** Local answers waiting for their task, in order. */
  private answers: Array<() => void> = [];
  private runLater?: (fn: () => void) => void;

  /**
   * Applies a credit item from the host. True for a revocation, which the page must answer
   * (CreditReleasedMessage) once the sends it answered before are on the port.
   */
  update(item: CreditMessage): boolean {
    if (item.n !== undefined) {
      if (item.n > 0) {
        if (this.holding.has(item.s)) return false;
        this.revoke(item.s);
        this.grants.set(item.s, { g: item.g, limit: item.n, sent: 0, written: 0, sends: 0, done: 0 });
        if (typeof item.w === 'number') this.maxWrites = item.w;
        return false;
      }
      if (this.grants.get(item.s)?.g === item.g) this.revoke(item.s);
      return true;
    }
    const grant = this.grants.get(item.s);
    if (grant === undefined || grant.g !== item.g) return false;
    if (typeof item.r === 'number' && item.r > grant.written) grant.written = item.r;
    if (typeof item.k === 'number' && item.k > grant.done && item.k <= grant.sends) {
      this.writesInFlight -= item.k - grant.done;
      grant.done = item.k;
    }
    return false;
  }

  /**
   * Takes `bytes` of the socket's credit when they fit, the context's credited writes in flight
   * stay under the host's bound, and no host-answered send of the socket is still unsettled
   * (callbacks keep their order). Gives the grant the send goes under; undefined when the send
   * must go to the host.
   */
  take(socketId: number, bytes: number): number | undefined {
    const grant = this.grants.get(socketId);
    if (grant === undefined || this.roundTrips.has(socketId)) return undefined;
    if (grant.sent + bytes - grant.written > grant.limit || this.writesInFlight >= this.maxWrites) return undefined;
    grant.sent += bytes;
    grant.sends++;
    this.writesInFlight++;
    return grant.g;
  }

  /** The app disconnected, closed or secured the socket: its next sends go to the host. */
  revoke(socketId: number): void {
    const grant = this.grants.get(socketId);
    if (grant === undefined) return;
    this.writesInFlight -= grant.sends - grant.done;
    this.grants.delete(socketId);
  }

  /**
   * The app called disconnect(), close() or secure() on the socket: its credit goes at once, and
   * no grant counts until `callAnswered` (grants come in order with results, so one after the
   * call's result was earned by a send after it).
   */
  revokeForCall(socketId: number): void {
    this.revoke(socketId);
    this.holding.add(socketId);
  }

  callAnswered(socketId: number): void {
    this.holding.remove(socketId);
  }

  /** A send went to the host; `settled` must be called once its result is handled. */
  roundTripStarted(socketId: number): void {
    this.roundTrips.add(socketId);
  }

  roundTripSettled(socketId: number): void {
    this.roundTrips.remove(socketId);
  }

  /** Queues a local answer for a later task. */
  answerLater(answer: () => void): void {
    this.answers.push(answer);
    if (this.answers.length > 1) return;
    this.runLater ??= laterTaskRunner();
    this.runLater(this.runAnswers);
  }

  /**
   * Runs the local answers still waiting. Called before anything the host sent is dispatched:
   * those sends happened first, so their callbacks come first.
   */
  readonly runAnswers = (): void => {
    // Only those queued so far: a send made in one of these callbacks is answered on a later task.
    const run = this.answers;
    this.answers = [];
    for (const answer of run) answer();
  };
}
