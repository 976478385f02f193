/** Small helpers shared by the host-level suites. */
import * as net from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { BatchMessage, DownItem } from '../../common/protocol';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import type { AttachOptions, SocketsHostOptions } from '../../main/types';
import { createChromeSockets, type ChromeSockets } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';

/** Runs `fn` on teardown; tests register cleanup right next to the resource. */
export class Cleanup {
  private tasks: Array<() => unknown> = [];
  add(task: () => unknown): void {
    this.tasks.push(task);
  }
  async run(): Promise<void> {
    for (const task of this.tasks.reverse()) await task();
    this.tasks = [];
  }
}

export async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

/** An echo server on 127.0.0.1:0 that closes its connections when it is closed. */
export async function echoServer(cleanup: Cleanup): Promise<{ port: number; server: net.Server }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const port = await listen(server);
  cleanup.add(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { port, server };
}

/** A raw page end: what a hostile or buggy page could put on the port, bypassing the facade. */
export interface RawPage {
  port: MessagePort;
  items: DownItem[];
  send(message: unknown): void;
  /** Waits until an item matches. */
  next(match: (item: DownItem) => boolean, timeoutMs?: number): Promise<DownItem>;
}

export function attachRaw(host: SocketsHost, options: AttachOptions, cleanup: Cleanup): RawPage {
  const { port1, port2 } = new MessageChannel();
  host.attachPort(hostPortFromNodePort(port1), options);
  const items: DownItem[] = [];
  const waiters: Array<() => void> = [];
  port2.on('message', (batch: BatchMessage) => {
    // The welcome (the app id) is not a batch; tests that care read the port themselves.
    if (batch.t !== 'b') return;
    items.push(...batch.m);
    for (const w of waiters.splice(0)) w();
  });
  cleanup.add(() => port2.close());
  return {
    port: port2,
    items,
    send: (message) => port2.postMessage(message),
    next(match, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a down message')), timeoutMs);
        const check = (): void => {
          const found = items.find(match);
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** A facade on its own port to `host`, as a second window of an app would have. */
export function attachFacade(host: SocketsHost, options: AttachOptions, cleanup: Cleanup): { chrome: ChromeSockets; end(): void } {
  const { port1, port2 } = new MessageChannel();
  const handle = host.attachPort(hostPortFromNodePort(port1), options);
  const chrome = createChromeSockets(pagePortFromMessagePort(port2 as never));
  cleanup.add(() => port2.close());
  return { chrome, end: () => handle.end() };
}

export function newHost(options: SocketsHostOptions = {}, cleanup: Cleanup): SocketsHost {
  const host = new SocketsHost({ log: () => {}, ...options });
  cleanup.add(() => host.dispose());
  return host;
}

/** Resolves with the first value `emit` is called with for which `match` holds. */
export function waitFor<T>(
  register: (listener: (value: T) => void) => () => void,
  match: (value: T) => boolean = () => true,
  timeoutMs = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out'));
    }, timeoutMs);
    const off = register((value) => {
      if (!match(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

export { delay, until } from './wait';
