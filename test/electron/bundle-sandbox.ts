/**
 * Runs a preload bundle the way a sandboxed preload runs: a wrapper whose `require` has
 * `electron` only (a fake that records what the bundle does with it), in a fresh vm realm.
 */
import * as vm from 'node:vm';

export interface Recorded {
  required: string[];
  sent: Array<[string, unknown]>;
  /** Channels asked with ipcRenderer.sendSync. */
  synced: string[];
  on: string[];
  executed: Array<{ func: (...args: unknown[]) => unknown; args?: unknown[] }>;
  exposed: Map<string, unknown>;
  invoked: string[];
}

/** Runs the bundle the way a sandboxed preload runs: a wrapper with a `require` for `electron` only. */
export function loadBundle(
  text: string,
  processInfo: { contextIsolated: boolean } = { contextIsolated: true },
  /** ipcRenderer.sendSync's answers by channel (the app preload asks for its config). */
  syncAnswers: Record<string, unknown> = {},
) {
  const recorded: Recorded = { required: [], sent: [], synced: [], on: [], executed: [], exposed: new Map(), invoked: [] };
  const electron = {
    ipcRenderer: {
      send: (channel: string, payload: unknown) => recorded.sent.push([channel, payload]),
      sendSync: (channel: string) => {
        recorded.synced.push(channel);
        return syncAnswers[channel];
      },
      on: (channel: string) => recorded.on.push(channel),
      invoke: async (channel: string) => {
        recorded.invoked.push(channel);
        return { contexts: [], sockets: [] };
      },
    },
    contextBridge: {
      executeInMainWorld: (script: Recorded['executed'][number]) => recorded.executed.push(script),
      exposeInMainWorld: (key: string, value: unknown) => recorded.exposed.set(key, value),
    },
    webFrame: { executeJavaScript: async () => undefined },
  };
  const sandboxedRequire = (name: string): unknown => {
    recorded.required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name} (a sandboxed preload can only require electron)`);
  };
  const module = { exports: {} as Record<string, unknown> };
  const isolatedWorld = vm.createContext({
    crypto: globalThis.crypto,
    postMessage: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    console: { error: () => undefined },
  });
  const wrapper = vm.runInContext(`(function (require, module, exports, process) {${text}\n})`, isolatedWorld) as (
    ...args: unknown[]
  ) => void;
  wrapper(sandboxedRequire, module, module.exports, processInfo);
  return { recorded, exports: module.exports, world: isolatedWorld };
}
