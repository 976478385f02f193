/**
 * Small helpers for the tcpServer and udp suites: callback calls that capture lastError, event
 * waits that time out on their own, and a second app attached to the same host.
 */
import { MessageChannel } from 'node:worker_threads';
import type { SocketsManifest } from '../../common/api-types';
import type { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { createChromeSockets, type ChromeEvent, type ChromeSockets } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { createTestHost, type TestHost, type TestHostOptions } from '../../testing';

export interface CallResult {
  /** The callback's arguments. */
  args: unknown[];
  /** chrome.runtime.lastError.message inside the callback, if set. */
  lastError?: string;
}

type AnyFn = (...args: any[]) => any;

/** Calls a chrome.sockets function with a callback; resolves with its arguments and lastError. */
export function call(chrome: ChromeSockets, fn: unknown, ...args: unknown[]): Promise<CallResult> {
  return new Promise((resolve) => {
    (fn as AnyFn)(...args, (...cbArgs: unknown[]) => {
      const lastError = chrome.runtime.lastError?.message;
      resolve(lastError === undefined ? { args: cbArgs } : { args: cbArgs, lastError });
    });
  });
}

export { delay as sleep } from './wait';
import { until, WAIT_TIMEOUT_MS } from './wait';

/** Every event of `event` from now on, until `stop()`. */
export function collect<T = any>(event: unknown): { events: T[]; stop(): void } {
  const events: T[] = [];
  const ev = event as ChromeEvent<(arg: T) => void>;
  const listener = (arg: T): void => void events.push(arg);
  ev.addListener(listener);
  return { events, stop: () => ev.removeListener(listener) };
}

/** The first event matching `filter`, or a rejection after `timeoutMs`. */
export function nextEvent<T = any>(event: unknown, filter: (arg: T) => boolean = () => true, timeoutMs = 3000): Promise<T> {
  const ev = event as ChromeEvent<(arg: T) => void>;
  return new Promise((resolve, reject) => {
    const listener = (arg: T): void => {
      if (!filter(arg)) return;
      clearTimeout(timer);
      ev.removeListener(listener);
      resolve(arg);
    };
    const timer = setTimeout(() => {
      ev.removeListener(listener);
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    ev.addListener(listener);
  });
}

/**
 * Waits until nothing more can be on its way: two udp.getSockets round trips. The host runs in this
 * process on the same event loop, so a datagram whose send has completed is already in the
 * receiving socket's queue (loopback); a socket that reads would have read it, and the host sends
 * the event ahead of the second answer. The "nothing arrives" check, without a clock.
 */
export async function settled(chrome: ChromeSockets): Promise<void> {
  for (let i = 0; i < 2; i++) await call(chrome, chrome.sockets.udp.getSockets);
}

/** `until` (test/support/wait.ts) with this suite's argument order. */
export function waitFor(condition: () => boolean, timeoutMs = WAIT_TIMEOUT_MS, what = 'condition'): Promise<void> {
  return until(condition, what, timeoutMs);
}

/**
 * Gives each test of the suite a fresh test host (`this.t` style is avoided: the getter reads
 * the current one) and closes it after the test, whatever happened.
 */
export function useTestHost(options: () => TestHostOptions = () => ({})): () => TestHost {
  let current: TestHost | undefined;
  beforeEach(async () => {
    current = await createTestHost({ log: () => {}, console: { error: () => {}, warn: () => {}, log: () => {} } as never, ...options() });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error('no test host outside a test');
    return current;
  };
}

/** Attaches another page context to `host` as `app`; `end()` detaches it. */
export function attachContext(
  host: SocketsHost,
  app: string,
  options: { sockets?: SocketsManifest; background?: boolean } = {},
): { chrome: ChromeSockets; end(): void } {
  const { port1, port2 } = new MessageChannel();
  const handle = host.attachPort(hostPortFromNodePort(port1), {
    app,
    sockets: options.sockets ?? ALLOW_ALL_SOCKETS,
    background: options.background ?? false,
  });
  const chrome = createChromeSockets(pagePortFromMessagePort(port2 as never), {
    console: { error: () => {}, warn: () => {}, log: () => {} } as never,
  });
  return {
    chrome,
    end() {
      handle.end();
      port2.close();
    },
  };
}

/** The kinds of live handles this process holds, counted (process.getActiveResourcesInfo). */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
