/** Shared helpers for the other socket APIs' suites: a host with a raw client, local peers. */
import * as net from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import type { SocketsManifest } from '../../common/api-types';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import type { AttachOptions, SocketsHostOptions } from '../../main/types';
import { PageChannel } from '../../preload/channel';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { RawClient } from '../../preload/raw-client';

export class Cleanup {
  private tasks: Array<() => unknown> = [];
  add(task: () => unknown): void {
    this.tasks.push(task);
  }
  async run(): Promise<void> {
    for (const task of this.tasks.reverse()) {
      try {
        await task();
      } catch {
        // One failed closer must not keep the rest open.
      }
    }
    this.tasks = [];
  }
}

export function useCleanup(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());
  return cleanup;
}

export interface RawHost {
  host: SocketsHost;
  channel: PageChannel;
  client: RawClient;
  end(): void;
}

/** A host with one context reached through a real MessageChannel, and a raw client on it. */
export function openRawHost(
  cleanup: Cleanup,
  options: SocketsHostOptions & { sockets?: SocketsManifest; apis?: AttachOptions['apis'] } = {},
): RawHost {
  const { sockets, apis, ...hostOptions } = options;
  const host = new SocketsHost({ log: () => {}, ...hostOptions });
  const { port1, port2 } = new MessageChannel();
  const handle = host.attachPort(hostPortFromNodePort(port1), {
    app: 'apis',
    sockets: sockets ?? ALLOW_ALL_SOCKETS,
    background: true,
    apis: apis ?? ['direct'],
  });
  const channel = new PageChannel(pagePortFromMessagePort(port2 as never));
  cleanup.add(async () => {
    await host.dispose();
    port2.close();
  });
  return { host, channel, client: new RawClient(channel), end: () => handle.end() };
}

/** A server on 127.0.0.1:0 whose connections are handed to `onSocket`; closed with the test. */
export async function tcpServer(cleanup: Cleanup, onSocket: (socket: net.Socket) => void = () => {}, options: net.ServerOpts = {}) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(options, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve(undefined)));
  });
  return { server, port: (server.address() as net.AddressInfo).port, sockets };
}

/** Resolves with the next connection a server accepts. */
export function nextConnection(server: net.Server): Promise<net.Socket> {
  return new Promise((resolve) => server.once('connection', resolve));
}

/** Collects a Node socket's bytes until it ends. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => socket.once('end', () => resolve(Buffer.concat(chunks))));
}

export function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

export function bytes(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/**
 * Waits until nothing more can be on its way to the page: two round trips (`roundTrip`, any call
 * on the context's one ordered port). The host runs in this process on the same event loop, so
 * bytes a peer had handed to the kernel (see {@link peerWrite}), or a datagram whose send had
 * completed, are already in the receiving socket's queue (loopback); a socket that reads would
 * have read them, and the host sends their event ahead of the second answer. The "nothing
 * arrives while suspended" check, without a clock.
 */
export async function quiet(roundTrip: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2; i++) await roundTrip();
}

/** Writes on a peer's socket and resolves once Node handed the bytes to the kernel. */
export function peerWrite(socket: net.Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/**
 * Resolves after `quietMs` of no change in `value()`. Only for a stall, where a bound is the
 * subject: a writer or a flooding peer that stops growing has no event saying it stopped, and
 * what is checked is that the figure it stopped at is far below what it wanted. Never for
 * "nothing arrives" (use {@link quiet}).
 */
export async function settled(value: () => number, quietMs = 300, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  let last = value();
  let since = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 20));
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return now;
  }
  return value();
}
