/**
 * The Chrome App runtime a runner page gets beside chrome.sockets: chrome.runtime, chrome.i18n,
 * chrome.app.runtime, and, as the manifest's `permissions` grant them, chrome.storage,
 * chrome.alarms, chrome.system.network and chrome.power. Host-backed calls go over the
 * sockets facade's port (PortClient) with lastError and promises as for chrome.sockets.
 * Plain TypeScript: what depends on the page (windows, navigation) comes in as `PageEnv`.
 */
import { encodeMessage, NO_RECEIVER } from '../../common/runtime-messages';
import { ChromeEventImpl, type ChromeEvent } from '../chrome-event';
import { portClientOf, type ChromeSockets, type PortClient } from '../facade';
import type { AppConfig } from './app-config';
import { createI18n } from './i18n';
import { createRuntimePorts } from './runtime-ports';

type AnyFunction = (...args: any[]) => any;

/** What the page provides: its URL, the background page, reloading. */
export interface PageEnv {
  /** This page's URL (chrome.runtime.onMessage's sender.url). */
  readonly url: string;
  /** The origin the app's files are served at, e.g. `http://127.0.0.1:4000` (chrome.runtime.getURL). */
  readonly origin: string;
  /** The background page's window object (chrome.runtime.getBackgroundPage). */
  backgroundPage(): unknown;
  /** chrome.runtime.reload: reload the background page (the app). */
  reload(): void;
  /** navigator.platform-like string for getPlatformInfo. */
  readonly platform: string;
}

const json = (value: unknown): ArrayBuffer => encodeMessage(JSON.stringify(value === undefined ? null : value));

function invocationError(signature: string): TypeError {
  return new TypeError(`Error in invocation of ${signature}: No matching signature.`);
}

/** A host call whose callback result needs converting (JSON text → value). */
function callConverted(
  client: PortClient,
  ns: Parameters<PortClient['call']>[0],
  method: string,
  args: unknown[],
  callback: AnyFunction | undefined,
  convert: (value: unknown) => unknown[],
): Promise<unknown> | undefined {
  if (callback !== undefined) {
    void client.call(ns, method, args, (...result: unknown[]) => callback(...(result.length === 0 ? [] : convert(result[0]))));
    return undefined;
  }
  return (client.call(ns, method, args) as Promise<unknown>).then((value) => convert(value)[0]);
}

function storageArea(client: PortClient, area: 'local' | 'sync') {
  const name = `storage.${area}`;
  const parsed = (value: unknown): unknown[] => [typeof value === 'string' ? JSON.parse(value) : {}];
  const keysOk = (keys: unknown, objects: boolean): boolean =>
    keys === undefined ||
    keys === null ||
    typeof keys === 'string' ||
    (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) ||
    (objects && typeof keys === 'object' && !Array.isArray(keys));
  const api: Record<string, unknown> = {
    get(keys?: unknown, callback?: AnyFunction) {
      if (typeof keys === 'function' && callback === undefined) [keys, callback] = [undefined, keys as AnyFunction];
      if (!keysOk(keys, true) || (callback !== undefined && typeof callback !== 'function')) {
        throw invocationError(`${name}.get(optional [string|array|object] keys, optional function callback)`);
      }
      return callConverted(client, 'storage', 'get', [area, keys ?? null], callback, parsed);
    },
    getBytesInUse(keys?: unknown, callback?: AnyFunction) {
      if (typeof keys === 'function' && callback === undefined) [keys, callback] = [undefined, keys as AnyFunction];
      if (!keysOk(keys, false) || (callback !== undefined && typeof callback !== 'function')) {
        throw invocationError(`${name}.getBytesInUse(optional [string|array] keys, optional function callback)`);
      }
      return client.call('storage', 'getBytesInUse', [area, keys ?? null], callback);
    },
    set(items: unknown, callback?: AnyFunction) {
      if (
        typeof items !== 'object' ||
        items === null ||
        Array.isArray(items) ||
        (callback !== undefined && typeof callback !== 'function')
      ) {
        throw invocationError(`${name}.set(object items, optional function callback)`);
      }
      return client.call('storage', 'set', [area, json(items)], callback);
    },
    remove(keys: unknown, callback?: AnyFunction) {
      if (keys === undefined || keys === null || !keysOk(keys, false) || (callback !== undefined && typeof callback !== 'function')) {
        throw invocationError(`${name}.remove([string|array] keys, optional function callback)`);
      }
      return client.call('storage', 'remove', [area, keys], callback);
    },
    clear(callback?: AnyFunction) {
      if (callback !== undefined && typeof callback !== 'function') throw invocationError(`${name}.clear(optional function callback)`);
      return client.call('storage', 'clear', [area], callback);
    },
  };
  // Chrome's constants (extensions/common/api/storage.json).
  if (area === 'sync') {
    Object.assign(api, {
      QUOTA_BYTES: 102400,
      QUOTA_BYTES_PER_ITEM: 8192,
      MAX_ITEMS: 512,
      MAX_WRITE_OPERATIONS_PER_HOUR: 1800,
      MAX_WRITE_OPERATIONS_PER_MINUTE: 120,
      // Deprecated in Chrome, and never enforced there either.
      MAX_SUSTAINED_WRITE_OPERATIONS_PER_MINUTE: 1000000,
    });
  } else {
    api.QUOTA_BYTES = 10485760;
  }
  return api;
}

/**
 * A public ChromeEvent fed by a host event: the host is asked for the event only while the
 * public event has listeners, and each host item becomes the listener arguments `toArgs` gives.
 */
function relayEvent(
  client: PortClient,
  qualified: string,
  ns: Parameters<PortClient['event']>[0],
  ev: string,
  toArgs: (arg: any) => unknown[],
) {
  const source = client.event(ns, ev);
  const relay = (arg: unknown): void => event.dispatch(...toArgs(arg));
  const event: ChromeEventImpl<AnyFunction> = new ChromeEventImpl<AnyFunction>(
    qualified,
    (has) => (has ? source.addListener(relay) : source.removeListener(relay)),
    client.console,
  );
  return event;
}

function localEvent(client: PortClient, qualified: string): ChromeEventImpl<AnyFunction> {
  return new ChromeEventImpl<AnyFunction>(qualified, () => undefined, client.console);
}

export interface AppApis {
  readonly chrome: Record<string, any>;
  /** Events the page's glue fires: onLaunched, onInstalled, onStartup, onSuspend, onRestarted. */
  readonly fire: {
    launched(launchData: Record<string, unknown>): void;
    installed(details: Record<string, unknown>): void;
    startup(): void;
    suspend(): void;
  };
  /** Asks the host why the app starts (background page only). */
  launchInfo(): Promise<{ first: boolean; installReason?: string; previousVersion?: string }>;
}

/** Builds `chrome.*` for one page of a runner app. */
export function createAppApis(sockets: ChromeSockets, config: AppConfig, env: PageEnv): AppApis {
  const client = portClientOf(sockets);
  const permissions = new Set(config.permissions);
  const chrome: Record<string, any> = {};
  const callback = (fn: unknown, signature: string): AnyFunction | undefined => {
    if (fn !== undefined && typeof fn !== 'function') throw invocationError(signature);
    return fn as AnyFunction | undefined;
  };

  // chrome.sockets only for an app whose manifest has a "sockets" section, as in Chrome.
  if (config.manifest.sockets !== undefined) chrome.sockets = sockets.sockets;

  // ---- chrome.runtime ----
  const onMessage = localEvent(client, 'runtime.onMessage');
  // Listened to on the wire from the start: whether this page has a receiver is decided when a
  // message arrives, as Chrome's renderer decides at dispatch time (a listener added while the
  // message was on its way still gets it). No listener then: `unheard`, and if no page had one
  // the sender gets "Could not establish connection. Receiving end does not exist."
  client.event('runtime', 'onMessage').addListener((arg: { messageId: number; payload: string }): void => {
    if (!onMessage.hasListeners()) {
      void client.call('runtime', 'unheard', [arg.messageId], () => undefined);
      return;
    }
    const { message, url } = JSON.parse(arg.payload) as { message: unknown; url: string };
    let answered = false;
    let keepOpen = false;
    const sendResponse = (response?: unknown): void => {
      if (answered) return;
      // A response too long to send throws here and leaves the message open, as in Chrome.
      const bytes = json(response);
      answered = true;
      void client.call('runtime', 'respond', [arg.messageId, true, bytes], () => undefined);
    };
    for (const listener of onMessage.currentListeners()) {
      try {
        if (listener(message, { id: config.id, url }, sendResponse) === true) keepOpen = true;
      } catch (error) {
        client.console.error('Error in event handler for runtime.onMessage:', error);
      }
    }
    if (!answered && !keepOpen) {
      answered = true;
      void client.call('runtime', 'respond', [arg.messageId, false], () => undefined);
    }
  });
  const ports = createRuntimePorts(client, config.id, env.url);

  const onInstalled = localEvent(client, 'runtime.onInstalled');
  const onStartup = localEvent(client, 'runtime.onStartup');
  const onSuspend = localEvent(client, 'runtime.onSuspend');
  const runtime: Record<string, unknown> = {
    id: config.id,
    getManifest: () => JSON.parse(JSON.stringify(config.manifest)),
    getURL(path: unknown) {
      if (typeof path !== 'string') throw invocationError('runtime.getURL(string path)');
      return `${env.origin}/${path.replace(/^\//, '')}`;
    },
    getBackgroundPage(cb?: unknown) {
      const fn = callback(cb, 'runtime.getBackgroundPage(optional function callback)');
      const page = env.backgroundPage();
      if (fn === undefined) return Promise.resolve(page);
      // Chrome answers asynchronously.
      queueMicrotask(() => client.callWithLastError('runtime.getBackgroundPage', undefined, fn, [page]));
      return undefined;
    },
    getPlatformInfo(cb?: unknown) {
      const fn = callback(cb, 'runtime.getPlatformInfo(optional function callback)');
      const p = env.platform.toLowerCase();
      const os = p.includes('mac')
        ? 'mac'
        : p.includes('win')
          ? 'win'
          : p.includes('cros')
            ? 'cros'
            : p.includes('android')
              ? 'android'
              : 'linux';
      const arch = /arm|aarch/.test(p) ? 'arm' : /i[3-6]86/.test(p) ? 'x86-32' : 'x86-64';
      const info = { os, arch, nacl_arch: arch };
      if (fn === undefined) return Promise.resolve(info);
      queueMicrotask(() => client.callWithLastError('runtime.getPlatformInfo', undefined, fn, [info]));
      return undefined;
    },
    reload: () => env.reload(),
    sendMessage(...args: unknown[]) {
      // sendMessage(optional string extensionId, any message, optional object options, optional function responseCallback)
      const fn = typeof args[args.length - 1] === 'function' ? (args.pop() as AnyFunction) : undefined;
      if (args.length === 0 || args.length > 3)
        throw invocationError(
          'runtime.sendMessage(optional string extensionId, any message, optional object options, optional function responseCallback)',
        );
      if (args.length >= 2 && typeof args[0] === 'string' && args[0] !== config.id) {
        // Messages to other extensions and apps have nowhere to go.
        const error = NO_RECEIVER;
        if (fn !== undefined) queueMicrotask(() => client.callWithLastError('runtime.sendMessage', error, fn, []));
        return fn === undefined ? Promise.reject(new Error(error)) : undefined;
      }
      const message = args.length >= 2 && (typeof args[0] === 'string' || args[0] === undefined || args[0] === null) ? args[1] : args[0];
      return callConverted(client, 'runtime', 'sendMessage', [json({ message, url: env.url })], fn, (value) => [
        typeof value === 'string' ? JSON.parse(value) : undefined,
      ]);
    },
    onMessage,
    connect: ports.connect,
    onConnect: ports.onConnect,
    onInstalled,
    onStartup,
    onSuspend,
    onUpdateAvailable: localEvent(client, 'runtime.onUpdateAvailable'),
  };
  Object.defineProperty(runtime, 'lastError', { get: () => sockets.runtime.lastError, enumerable: true });
  chrome.runtime = runtime;

  // ---- chrome.i18n ----
  chrome.i18n = createI18n(config);

  // ---- chrome.app.runtime ----
  const onLaunched = localEvent(client, 'app.runtime.onLaunched');
  const onRestarted = localEvent(client, 'app.runtime.onRestarted');
  chrome.app = { runtime: { onLaunched, onRestarted } };

  // ---- permission-gated namespaces ----
  if (permissions.has('storage')) {
    chrome.storage = {
      local: storageArea(client, 'local'),
      sync: storageArea(client, 'sync'),
      onChanged: relayEvent(client, 'storage.onChanged', 'storage', 'onChanged', (arg: { changes: string; areaName: string }) => [
        JSON.parse(arg.changes),
        arg.areaName,
      ]),
    };
  }
  if (permissions.has('alarms')) {
    const optName = (args: unknown[], signature: string): [string | undefined, AnyFunction | undefined] => {
      const fn = typeof args[args.length - 1] === 'function' ? (args.pop() as AnyFunction) : undefined;
      if (args.length > 1 || (args[0] !== undefined && args[0] !== null && typeof args[0] !== 'string')) throw invocationError(signature);
      return [(args[0] as string | null | undefined) ?? undefined, fn];
    };
    chrome.alarms = {
      create(...args: unknown[]) {
        const fn = typeof args[args.length - 1] === 'function' ? (args.pop() as AnyFunction) : undefined;
        const [name, info] = args.length === 1 ? [undefined, args[0]] : args;
        if (
          args.length < 1 ||
          args.length > 2 ||
          (name !== undefined && name !== null && typeof name !== 'string') ||
          typeof info !== 'object' ||
          info === null
        ) {
          throw invocationError('alarms.create(optional string name, object alarmInfo, optional function callback)');
        }
        return client.call('alarms', 'create', [name ?? undefined, info], fn);
      },
      get(...args: unknown[]) {
        const [name, fn] = optName(args, 'alarms.get(optional string name, optional function callback)');
        return client.call('alarms', 'get', [name], fn);
      },
      getAll(cb?: unknown) {
        return client.call('alarms', 'getAll', [], callback(cb, 'alarms.getAll(optional function callback)'));
      },
      clear(...args: unknown[]) {
        const [name, fn] = optName(args, 'alarms.clear(optional string name, optional function callback)');
        return client.call('alarms', 'clear', [name], fn);
      },
      clearAll(cb?: unknown) {
        return client.call('alarms', 'clearAll', [], callback(cb, 'alarms.clearAll(optional function callback)'));
      },
      onAlarm: relayEvent(client, 'alarms.onAlarm', 'alarms', 'onAlarm', (arg: { alarm: unknown }) => [arg.alarm]),
    };
  }
  if (permissions.has('system.network')) {
    chrome.system = {
      network: {
        getNetworkInterfaces(cb?: unknown) {
          return client.call(
            'systemNetwork',
            'getNetworkInterfaces',
            [],
            callback(cb, 'system.network.getNetworkInterfaces(optional function callback)'),
          );
        },
      },
    };
  }
  if (permissions.has('power')) {
    chrome.power = {
      requestKeepAwake(level: unknown) {
        if (level !== 'system' && level !== 'display') {
          throw new TypeError(
            "Error in invocation of power.requestKeepAwake(power.Level level): Error at parameter 'level': Value must be one of display, system.",
          );
        }
        void client.call('power', 'requestKeepAwake', [level], () => undefined);
      },
      releaseKeepAwake() {
        void client.call('power', 'releaseKeepAwake', [], () => undefined);
      },
    };
  }

  const fireOn = (event: ChromeEventImpl<AnyFunction>, ...args: unknown[]): void => event.dispatch(...args);
  return {
    chrome,
    fire: {
      launched: (data) => fireOn(onLaunched, data),
      installed: (details) => fireOn(onInstalled, details),
      startup: () => fireOn(onStartup),
      suspend: () => fireOn(onSuspend),
    },
    launchInfo: () =>
      client.call('runtime', 'launchInfo', []) as Promise<{ first: boolean; installReason?: string; previousVersion?: string }>,
  };
}

export type { ChromeEvent };
