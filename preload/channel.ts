/**
 * One page context's end of the port, shared by every facade installed on it (chrome.sockets,
 * mozTCPSocket, the W3C 2013 draft, Direct Sockets, chrome.socket): one hello, one call id
 * space, results handed back synchronously while the batch is dispatched (so a facade can set
 * up a socket before the events that follow it in the same batch), events routed by namespace,
 * and one credit ack per batch after every listener ran.
 */
import type { WireNamespace as Namespace } from '../common/methods';
import type { PagePort } from '../common/port';
import {
  EVENT_CREDIT,
  PROTOCOL_VERSION,
  type BatchMessage,
  type EventMessage,
  type ResultMessage,
  type UpMessage,
} from '../common/protocol';

/** Dispatches one event item; returns the data bytes it consumed (for the credit ack). */
export type EventRoute = (message: EventMessage, bufs: readonly ArrayBuffer[], wholeUsed: Set<number>) => number;

export class PageChannel {
  private readonly pending = new Map<number, (result: ResultMessage) => void>();
  private readonly routes = new Map<Namespace, EventRoute>();
  private nextCallId = 1;

  constructor(private readonly port: PagePort) {
    port.onMessage((message: BatchMessage) => this.onBatch(message));
    port.postMessage({ t: 'hello', v: PROTOCOL_VERSION });
  }

  /** Sends a call; `onResult` runs synchronously when its result is dispatched. */
  request(
    ns: Namespace,
    method: string,
    args: readonly unknown[],
    transfer: ArrayBuffer[],
    onResult: (result: ResultMessage) => void,
  ): void {
    const id = this.nextCallId++;
    this.pending.set(id, onResult);
    this.port.postMessage({ t: 'call', id, ns, m: method, a: args }, transfer);
  }

  /** Routes a namespace's events to one facade. */
  route(ns: Namespace, handler: EventRoute): void {
    this.routes.set(ns, handler);
  }

  post(message: UpMessage): void {
    this.port.postMessage(message);
  }

  private onBatch(message: BatchMessage): void {
    if (message?.t !== 'b') return;
    let bytes = 0;
    const wholeUsed = new Set<number>();
    for (const item of message.m) {
      if (item.t === 'r') {
        const onResult = this.pending.get(item.id);
        if (onResult === undefined) continue;
        this.pending.delete(item.id);
        onResult(item);
        continue;
      }
      const route = this.routes.get(item.ns);
      bytes += (route?.(item, message.bufs, wholeUsed) ?? item.d?.[2] ?? 0) + EVENT_CREDIT;
    }
    // Credit goes back after the listeners ran: a slow page slows the sockets, nothing piles up.
    if (bytes > 0) this.port.postMessage({ t: 'ack', n: bytes });
  }
}
