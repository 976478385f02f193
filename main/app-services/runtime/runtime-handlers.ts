/**
 * The parts of chrome.runtime the host takes part in: why the app starts (onInstalled /
 * onStartup), one-time messages between the app's pages (sendMessage / onMessage) and
 * long-lived ports (connect / onConnect, ports.ts). A message goes to every other page of the
 * app, and each page looks at its onMessage listeners when the message arrives, as Chrome
 * decides at dispatch time in the receiving renderer: a listener registered before the message
 * arrives gets it, even when the page's word that it listens is still on its way. The first page
 * that answers (sendResponse) gives the sender its response. Texts from Chromium's messaging
 * (extensions/renderer/resources and extensions/common/constants): no page with a listener
 * gives `Could not establish connection. Receiving end does not exist.`, listeners that all
 * decline give `The message port closed before a response was received.`
 */
import { MAX_MESSAGE_BYTES, MESSAGE_TOO_LONG, NO_RECEIVER } from '../../../common/runtime-messages';
import { toBuffer } from '../../shared-handlers';
import { CallError } from '../../call-error';
import type { AppContext, AppState } from '../../app-state';
import type { CallScope, NamespaceHandlers } from '../../dispatch';
import type { SocketEnv } from '../../socket-env';
import { servedApp, type ServedApps } from '../served-app';
import { createPorts } from './ports';

export const PORT_CLOSED = 'The message port closed before a response was received.';
/** Per app: messages waiting for an answer. Beyond it sendMessage fails at once (Chrome has no such bound). */
export const MAX_PENDING_MESSAGES = 1024;

interface PendingMessage {
  readonly app: AppState;
  readonly sender: AppContext;
  readonly waiting: Set<AppContext>;
  /** Whether a page that had onMessage listeners got it (then declining is PORT_CLOSED, not NO_RECEIVER). */
  heard: boolean;
  resolve(args: readonly unknown[]): void;
  reject(error: CallError): void;
}

function utf8(bytes: ArrayBuffer | ArrayBufferView): string {
  // The page refuses longer messages itself; one that did not keeps to the protocol. (The
  // sendMessage wrapper adds the sender's url to the message's JSON, hence the allowance.)
  if (bytes.byteLength > MAX_MESSAGE_BYTES + 128 * 1024) throw new CallError(MESSAGE_TOO_LONG);
  return toBuffer(bytes).toString('utf8');
}

/**
 * `launched` hears when an app's background page has loaded (its first launchInfo of this host),
 * for what the app gets back from an earlier run (alarms).
 */
export function createRuntime(env: Pick<SocketEnv, 'emit'>, apps: ServedApps, onLaunched: (app: AppState) => void = () => undefined) {
  const pending = new Map<number, PendingMessage>();
  const launched = new Set<string>();
  let nextId = 1;

  const ports = createPorts((ctx, ev, arg) => ctx.enqueueEvent('runtime', ev, arg));

  function declined(id: number, entry: PendingMessage, ctx: AppContext, heard: boolean): void {
    entry.waiting.delete(ctx);
    if (heard) entry.heard = true;
    if (entry.waiting.size > 0) return;
    pending.delete(id);
    entry.reject(new CallError(entry.heard ? PORT_CLOSED : NO_RECEIVER));
  }

  /** The app's other pages: each listens to the runtime's wire events from its first message on. */
  const others = (scope: CallScope, ev: string): AppContext[] =>
    [...scope.app.contexts].filter((c) => c !== scope.ctx && c.listens('runtime', ev));

  const handlers: NamespaceHandlers<'runtime'> = {
    /** Once per app and host: the reasons to fire; later calls (a reloaded background page) get `{ first: false }`. */
    launchInfo(scope) {
      const app = servedApp(apps, scope.app.name, 'runtime');
      const first = !launched.has(app.name);
      launched.add(app.name);
      if (first) onLaunched(scope.app);
      return [first ? { ...app.launch, first } : { first }];
    },
    sendMessage(scope, [message]) {
      servedApp(apps, scope.app.name, 'runtime');
      const receivers = others(scope, 'onMessage');
      if (receivers.length === 0) throw new CallError(NO_RECEIVER);
      let open = 0;
      for (const p of pending.values()) if (p.app === scope.app) open++;
      if (open >= MAX_PENDING_MESSAGES) throw new CallError(`Too many messages waiting for a response (${MAX_PENDING_MESSAGES})`);
      const payload = utf8(message);
      const id = nextId++;
      return new Promise<readonly unknown[]>((resolve, reject) => {
        pending.set(id, { app: scope.app, sender: scope.ctx, waiting: new Set(receivers), heard: false, resolve, reject });
        env.emit(scope.app, 'runtime', 'onMessage', { messageId: id, payload }, undefined, { except: scope.ctx });
      });
    },
    respond(scope, [messageId, responded, response]) {
      const entry = pending.get(messageId);
      // A late or foreign answer is ignored, as Chrome ignores a second sendResponse.
      if (entry === undefined || entry.app !== scope.app || !entry.waiting.has(scope.ctx)) return [];
      if (responded) {
        pending.delete(messageId);
        entry.resolve([response === undefined ? undefined : utf8(response)]);
      } else {
        declined(messageId, entry, scope.ctx, true);
      }
      return [];
    },
    unheard(scope, [messageId]) {
      const entry = pending.get(messageId);
      if (entry !== undefined && entry.app === scope.app && entry.waiting.has(scope.ctx)) declined(messageId, entry, scope.ctx, false);
      return [];
    },
    connect(scope, [portId, name, url]) {
      servedApp(apps, scope.app.name, 'runtime');
      return ports.connect(scope.app, scope.ctx, portId, name, url, others(scope, 'onConnect'));
    },
    portOpened(scope, [portId, accepted]) {
      ports.opened(scope.ctx, portId, accepted);
      return [];
    },
    postPortMessage(scope, [portId, message]) {
      ports.post(scope.ctx, portId, utf8(message));
      return [];
    },
    disconnectPort(scope, [portId]) {
      ports.disconnect(scope.ctx, portId);
      return [];
    },
  };

  return {
    handlers,
    contextEnded(ctx: AppContext): void {
      for (const [id, entry] of [...pending]) {
        if (entry.sender === ctx) pending.delete(id);
        // A page that goes away while holding a message had a listener that kept it open.
        else if (entry.waiting.has(ctx)) declined(id, entry, ctx, true);
      }
      ports.contextEnded(ctx);
    },
    appEnded(app: AppState): void {
      ports.appEnded(app);
      for (const [id, entry] of [...pending]) if (entry.app === app) pending.delete(id);
      launched.delete(app.name);
    },
  };
}
