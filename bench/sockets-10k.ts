/**
 * Many idle sockets: host RSS per connected socket next to raw Node holding as many, and the
 * time to connect them through the facade. Each side runs in a fresh child process (RSS is per
 * process), connected to a server in a third process that a new listener port per run keeps
 * clear of the last run's TIME_WAIT ports.
 *
 * The "ours" process holds the host and the facade worker (the renderer stand-in), so its growth
 * counts the facade's per-socket state too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { rawConnect } from './raw';
import { startFacadeWorker } from './harness';
import { runPairs } from './pairs';

const scenarios = path.join(__dirname, 'tcp-scenarios.js');
/** Opened before the baseline so code loading and JIT warm-up do not count per socket. */
const WARM_UP = 64;
const CONCURRENCY = 256;

export interface ManyResult {
  /** RSS growth per socket, bytes. */
  rssPerSocket: number;
  connectSeconds: number;
}

interface ChildMessage extends Partial<ManyResult> {
  port?: number;
  error?: string;
}

function child(args: string[]): { proc: ChildProcess; next(): Promise<ChildMessage> } {
  const proc = fork(__filename, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: ChildMessage[] = [];
  const waiting: Array<(m: ChildMessage) => void> = [];
  proc.on('message', (m: ChildMessage) => (waiting.length > 0 ? waiting.shift()!(m) : queue.push(m)));
  proc.once('exit', (code) => {
    for (const w of waiting.splice(0)) w({ error: `child exited ${code}` });
  });
  return {
    proc,
    next: () => new Promise((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiting.push(resolve))),
  };
}

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().rss;
}

async function connectRaw(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      sockets.push(await rawConnect(port));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
  return sockets;
}

async function measure(mode: 'raw' | 'ours', port: number, count: number): Promise<ManyResult> {
  if (mode === 'raw') {
    const sockets = await connectRaw(port, WARM_UP);
    const before = await settle();
    const start = performance.now();
    sockets.push(...(await connectRaw(port, count)));
    const connectSeconds = (performance.now() - start) / 1000;
    const after = await settle();
    for (const s of sockets) s.destroy();
    return { rssPerSocket: (after - before) / count, connectSeconds };
  }
  // Past the default per-app socket limit (4096): this workload holds `count` at once.
  const worker = await startFacadeWorker({ limits: { maxSocketsPerApp: count + WARM_UP } });
  try {
    await worker.run(scenarios, 'connectMany', { port, count: WARM_UP, concurrency: CONCURRENCY });
    await worker.run(scenarios, 'gc');
    const before = await settle();
    const start = performance.now();
    const got = await worker.run<number>(scenarios, 'connectMany', { port, count, concurrency: CONCURRENCY });
    const connectSeconds = (performance.now() - start) / 1000;
    if (got !== count + WARM_UP) throw new Error(`connected ${got} of ${count + WARM_UP}`);
    await worker.run(scenarios, 'gc');
    const after = await settle();
    return { rssPerSocket: (after - before) / count, connectSeconds };
  } finally {
    await worker.close();
  }
}

/** The idle server: accepts and holds; a new listener per `listen` command. */
function serve(): void {
  const servers = new Map<number, { server: net.Server; sockets: Set<net.Socket> }>();
  process.on('message', (m: { cmd: string; port?: number }) => {
    if (m.cmd === 'listen') {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      });
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
        const port = (server.address() as net.AddressInfo).port;
        servers.set(port, { server, sockets });
        process.send?.({ port });
      });
    } else if (m.cmd === 'close' && m.port !== undefined) {
      const entry = servers.get(m.port);
      servers.delete(m.port);
      for (const s of entry?.sockets ?? []) s.destroy();
      entry?.server.close(() => process.send?.({ port: m.port }));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** One side of one pair, in a fresh process. */
async function runSide(server: ReturnType<typeof child>, mode: 'raw' | 'ours', count: number): Promise<ManyResult> {
  server.proc.send({ cmd: 'listen' });
  const { port } = await server.next();
  const side = child([mode, String(port), String(count)]);
  const result = await side.next();
  side.proc.kill();
  server.proc.send({ cmd: 'close', port });
  await server.next();
  if (result.error !== undefined || result.rssPerSocket === undefined) throw new Error(`sockets ${mode}: ${result.error}`);
  return result as ManyResult;
}

/** `pairs` interleaved pairs (raw and ours, alternating which goes first) each holding `count` idle sockets. */
export async function runManySockets(pairs: number, count: number): Promise<Array<{ raw: ManyResult; ours: ManyResult }>> {
  const server = child(['server']);
  try {
    // Fresh processes on each side; the pause lets the last side's sockets finish closing.
    return await runPairs(
      pairs,
      () => runSide(server, 'raw', count),
      () => runSide(server, 'ours', count),
    );
  } finally {
    server.proc.kill();
  }
}

if (require.main === module) {
  const [mode, port, count] = process.argv.slice(2);
  if (mode === 'server') serve();
  else if (mode === 'raw' || mode === 'ours') {
    measure(mode, Number(port), Number(count)).then(
      (r) => process.send?.(r, () => process.exit(0)),
      (e: Error) => process.send?.({ error: e.stack ?? String(e) }, () => process.exit(1)),
    );
  } else {
    // Run alone: `node dist/bench/sockets-10k.js` prints one pair.
    runManySockets(1, 10_000).then(
      (r) => console.log(JSON.stringify(r, (k, v) => (typeof v === 'number' && k === 'rssPerSocket' ? Math.round(v) : v))),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
}
