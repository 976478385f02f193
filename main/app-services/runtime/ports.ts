/**
 * Long-lived ports between the pages of an app (chrome.runtime.connect / onConnect), as
 * Chromium's MessageService keeps a channel: one opener end and a receiving end in every other
 * page that listens to onConnect when the channel opens. The opener's messages go to every
 * receiving end, a receiver's to the opener. A page without onConnect listeners closes its end
 * at once; when no page opened one, the opener's port gets onDisconnect with
 * `Could not establish connection. Receiving end does not exist.` An end that disconnects (or
 * whose page goes away) fires onDisconnect at the other end once no end is left there; the end
 * that disconnected gets nothing.
 *
 * Ids on the wire: the opener page numbers its own ports (positive); a receiving end is
 * `-channelId` in the receiving page, so the two never collide within a page.
 */
import { NO_RECEIVER } from '../../../common/runtime-messages';
import { CallError } from '../../call-error';
import type { AppContext, AppState } from '../../app-state';

/** Per app: channels open at once. Beyond it connect fails at once (Chrome has no such bound). */
export const MAX_OPEN_PORTS = 1024;
export const TOO_MANY_PORTS = `Too many open ports (at most ${MAX_OPEN_PORTS} per app)`;

interface Channel {
  readonly id: number;
  readonly app: AppState;
  readonly opener: AppContext;
  /** The opener page's number for its port. */
  readonly openerPort: number;
  /** Receiving ends not yet answered (onConnect on its way to them). */
  readonly asked: Set<AppContext>;
  /** Receiving ends that accepted (the page had onConnect listeners). */
  readonly accepted: Set<AppContext>;
  /** Settles the opener's connect call: once a receiver accepted, or with the error. */
  settle?: (error?: CallError) => void;
}

/** How the ports reach a page: an event for that one context only. */
export type SendToContext = (ctx: AppContext, ev: 'onConnect' | 'onPortMessage' | 'onPortDisconnect', arg: Record<string, unknown>) => void;

export function createPorts(send: SendToContext) {
  const channels = new Map<number, Channel>();
  /** Opener ends by page: the page's port number → channel. */
  const openers = new Map<AppContext, Map<number, Channel>>();
  let nextId = 1;

  function openCount(app: AppState): number {
    let n = 0;
    for (const c of channels.values()) if (c.app === app) n++;
    return n;
  }

  function remove(channel: Channel): void {
    channels.delete(channel.id);
    const mine = openers.get(channel.opener);
    mine?.delete(channel.openerPort);
    if (mine?.size === 0) openers.delete(channel.opener);
    // A connect still waiting is answered; its port is already gone on the page.
    channel.settle?.();
    channel.settle = undefined;
  }

  /** A receiving end went away (declined, disconnected, page gone): the opener hears once none is left. */
  function dropReceiver(channel: Channel, ctx: AppContext): void {
    channel.asked.delete(ctx);
    channel.accepted.delete(ctx);
    if (channel.asked.size > 0 || channel.accepted.size > 0) return;
    const settle = channel.settle;
    channel.settle = undefined;
    remove(channel);
    if (settle !== undefined) settle(new CallError(NO_RECEIVER));
    else send(channel.opener, 'onPortDisconnect', { portId: channel.openerPort });
  }

  /** The opener's end is gone: every receiving end hears, those still deciding too (they may accept meanwhile). */
  function tellReceivers(channel: Channel): void {
    for (const receiver of [...channel.accepted, ...channel.asked]) send(receiver, 'onPortDisconnect', { portId: -channel.id });
  }

  /** The channel `portId` names in `ctx`'s page and whether that page is its opener. */
  function find(ctx: AppContext, portId: number): { channel: Channel; opener: boolean } | undefined {
    if (portId > 0) {
      const channel = openers.get(ctx)?.get(portId);
      return channel === undefined ? undefined : { channel, opener: true };
    }
    const channel = channels.get(-portId);
    return channel !== undefined && channel.accepted.has(ctx) ? { channel, opener: false } : undefined;
  }

  return {
    /** runtime.connect: asks every other listening page; resolves once one accepted. */
    connect(
      app: AppState,
      ctx: AppContext,
      portId: number,
      name: string,
      url: string,
      receivers: AppContext[],
    ): Promise<readonly unknown[]> {
      if (portId <= 0 || openers.get(ctx)?.has(portId) === true) throw new CallError(`Port ${portId} is already open`);
      if (receivers.length === 0) throw new CallError(NO_RECEIVER);
      if (openCount(app) >= MAX_OPEN_PORTS) throw new CallError(TOO_MANY_PORTS);
      const channel: Channel = { id: nextId++, app, opener: ctx, openerPort: portId, asked: new Set(receivers), accepted: new Set() };
      channels.set(channel.id, channel);
      let mine = openers.get(ctx);
      if (mine === undefined) openers.set(ctx, (mine = new Map()));
      mine.set(portId, channel);
      return new Promise((resolve, reject) => {
        channel.settle = (error) => (error === undefined ? resolve([]) : reject(error));
        for (const receiver of receivers) send(receiver, 'onConnect', { portId: -channel.id, name, url });
      });
    },
    /** A page answered onConnect. */
    opened(ctx: AppContext, portId: number, accepted: boolean): void {
      const channel = channels.get(-portId);
      if (channel === undefined || !channel.asked.has(ctx)) return;
      if (!accepted) return dropReceiver(channel, ctx);
      channel.asked.delete(ctx);
      channel.accepted.add(ctx);
      channel.settle?.();
      channel.settle = undefined;
    },
    /** Port.postMessage: to every receiving end from the opener, to the opener from a receiver. */
    post(ctx: AppContext, portId: number, payload: string): void {
      const found = find(ctx, portId);
      // A port the other end closed meanwhile: its onDisconnect is on the way to the page.
      if (found === undefined) return;
      const { channel, opener } = found;
      if (!opener) return send(channel.opener, 'onPortMessage', { portId: channel.openerPort, payload });
      // Ends still deciding get it too: a page that accepts has the port before this arrives.
      for (const receiver of [...channel.accepted, ...channel.asked]) send(receiver, 'onPortMessage', { portId: -channel.id, payload });
    },
    /** Port.disconnect: the other side hears, this end does not. */
    disconnect(ctx: AppContext, portId: number): void {
      const found = find(ctx, portId);
      if (found === undefined) return;
      if (found.opener) {
        const { channel } = found;
        remove(channel);
        tellReceivers(channel);
      } else dropReceiver(found.channel, ctx);
    },
    contextEnded(ctx: AppContext): void {
      for (const channel of [...channels.values()]) {
        if (channel.opener === ctx) {
          remove(channel);
          tellReceivers(channel);
        } else if (channel.asked.has(ctx) || channel.accepted.has(ctx)) dropReceiver(channel, ctx);
      }
    },
    appEnded(app: AppState): void {
      for (const channel of [...channels.values()]) if (channel.app === app) remove(channel);
    },
  };
}
