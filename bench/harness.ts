/**
 * Shared bench plumbing: the peer child process, a facade worker attached to a real host, and
 * small statistics helpers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { SocketsHost } from '../main/host';
import { hostPortFromNodePort } from '../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../main/permissions';
import type { SocketsHostOptions } from '../main/types';
import { collectGarbage, settleMainThread } from './pairs';

const SCENARIOS = path.join(__dirname, 'tcp-scenarios.js');

export interface Peers {
  ports: { flood: number; sink: number; echo: number };
  /** The peer process, for its CPU time. */
  pid: number | undefined;
  stop(): void;
}

export async function startPeers(): Promise<Peers> {
  const child: ChildProcess = fork(path.join(__dirname, 'peer.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<Peers['ports']>((resolve, reject) => {
    child.once('message', (m: { ports: Peers['ports'] }) => resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`peer exited ${code}`)));
  });
  return { ports, pid: child.pid, stop: () => child.kill() };
}

export interface FacadeWorker {
  host: SocketsHost;
  /** Runs `fn` exported by `module` (an absolute path) in the worker with the worker's chrome. */
  run<T>(module: string, fn: string, params?: Record<string, unknown>): Promise<T>;
  /** Full collections in the worker and this thread, then a short pause: between pair sides. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startFacadeWorker(options: SocketsHostOptions = {}): Promise<FacadeWorker> {
  // Exposes gc before the worker starts, so the worker has it too.
  collectGarbage();
  const host = new SocketsHost({ log: () => {}, ...options });
  const { port1, port2 } = new MessageChannel();
  host.attachPort(hostPortFromNodePort(port1), {
    app: 'bench',
    sockets: ALLOW_ALL_SOCKETS,
    background: true,
    apis: ['mozTCPSocket', 'direct'],
  });
  const worker = new Worker(path.join(__dirname, 'worker-facade.js'), { workerData: { facadePort: port2 }, transferList: [port2] });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  worker.on('error', (e) => waiting.forEach((w) => w.reject(e)));
  const run = <T>(module: string, fn: string, params: Record<string, unknown> = {}): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, module, fn, params });
    });
  };
  return {
    host,
    run,
    async settle() {
      await run(SCENARIOS, 'gc');
      await settleMainThread();
    },
    async close() {
      await host.dispose();
      await worker.terminate();
    },
  };
}

export { median } from './pairs';

export const MiB = 1024 * 1024;
