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
  type DownMessage,
  type EventMessage,
  type ResultMessage,
  type UpMessage,
} from '../common/protocol';
import { SendCredit } from './send-credit';

/** The lastError every call gets once the port to the host has ended. */
export const HOST_GONE_MESSAGE = 'The connection to the sockets host has closed';

const APP_ID = /^[a-p]{32}$/;

/** Dispatches one event item; returns the data bytes it consumed (for the credit ack). */
export type EventRoute = (message: EventMessage, bufs: readonly ArrayBuffer[], wholeUsed: Set<number>) => number;

export class PageChannel {
  private readonly pending = new Map<number, (result: ResultMessage) => void>();
  private readonly routes = new Map<Namespace, EventRoute>();
  private nextCallId = 1;
  private closed = false;
  private welcomeHandlers: Array<(appId: string) => void> = [];
  /** The app's id from the host's welcome (chrome.runtime.id); undefined until it arrives. */
  appId: string | undefined;
  /** tcp send credit the host granted this page (preload/send-credit.ts). */
  readonly credit = new SendCredit();

  constructor(private readonly port: PagePort) {
    port.onMessage((message: DownMessage) => this.onMessage(message));
    // Calls in flight when the port ends would otherwise never settle: an app awaiting one hangs.
    port.onClose?.(() => this.onClose());
    port.postMessage({ t: 'hello', v: PROTOCOL_VERSION });
  }

  /** Runs `handler` once with the app id when the host's welcome arrives (at once if it has). */
  onWelcome(handler: (appId: string) => void): void {
    if (this.appId !== undefined) handler(this.appId);
    else this.welcomeHandlers.push(handler);
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
    if (this.closed) {
      // Nothing will ever answer: fail on a later task, as a real answer would arrive.
      setTimeout(() => this.settleGone(id), 0);
      return;
    }
    this.port.postMessage({ t: 'call', id, ns, m: method, a: args }, transfer);
  }

  /**
   * Sends the bytes of a tcp send the page answers itself; the caller took them from `credit`.
   * False once the port has ended (the send must then fail as calls do).
   */
  postCreditedSend(socketId: number, grant: number, data: ArrayBuffer, transfer: ArrayBuffer[]): boolean {
    if (this.closed) return false;
    this.port.postMessage({ t: 'send', s: socketId, g: grant, d: data }, transfer);
    return true;
  }

  /** Routes a namespace's events to one facade. */
  route(ns: Namespace, handler: EventRoute): void {
    this.routes.set(ns, handler);
  }

  post(message: UpMessage): void {
    this.port.postMessage(message);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settleGone(id);
  }

  private settleGone(id: number): void {
    const onResult = this.pending.get(id);
    if (onResult === undefined) return;
    this.pending.delete(id);
    onResult({ t: 'r', id, a: [], e: { message: HOST_GONE_MESSAGE } });
  }

  private onMessage(message: DownMessage): void {
    if (message?.t === 'w') {
      if (this.appId === undefined && typeof message.appId === 'string' && APP_ID.test(message.appId)) {
        this.appId = message.appId;
        for (const handler of this.welcomeHandlers.splice(0)) handler(message.appId);
      }
      return;
    }
    if (message?.t !== 'b') return;
    // Sends the page answered itself came before anything in this batch.
    this.credit.runAnswers();
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
      if (item.t === 'c') {
        // A revocation is answered at once: every send answered under the grant is on the port before it.
        if (this.credit.update(item) && !this.closed) this.port.postMessage({ t: 'cr', s: item.s, g: item.g });
        continue;
      }
      const route = this.routes.get(item.ns);
      bytes += (route?.(item, message.bufs, wholeUsed) ?? item.d?.[2] ?? 0) + EVENT_CREDIT;
    }
    // Credit goes back after the listeners ran: a slow page slows the sockets, nothing piles up.
    if (bytes > 0) this.port.postMessage({ t: 'ack', n: bytes });
  }
}
