/**
 * `node dist/bench/trace-echo.js [rounds]`: where one 1-byte echo spends its time, across both
 * threads. The host runs in the main thread, the facade in a worker (as in `npm run bench`); each
 * side stamps its steps on one clock (`performance.timeOrigin + performance.now()`), every echo
 * is traced, and the echo with the median round trip is printed step by step, followed by the
 * median offset of each step over all echoes and how many times each thread woke per echo.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import type { HostPort, PagePort } from '../common/port';
import type { DownMessage, UpMessage } from '../common/protocol';
import { SocketsHost } from '../main/host';
import { hostPortFromNodePort } from '../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../main/permissions';
import { createChromeSockets } from '../preload/facade';
import { pagePortFromMessagePort } from '../preload/page-port';
import { median } from './pairs';

interface Mark {
  at: number;
  thread: 'host' | 'page';
  what: string;
}

const now = (): number => performance.timeOrigin + performance.now();

function describeDown(m: DownMessage): string {
  const items = (m as unknown as { m?: ReadonlyArray<{ t: string; ev?: string }> }).m ?? [];
  return items.map((i) => (i.t === 'r' ? 'result' : i.t === 'c' ? 'credit' : `event ${i.ev}`)).join(' + ');
}

async function page(facadePort: MessagePort, echoPort: number, rounds: number): Promise<Mark[]> {
  const marks: Mark[] = [];
  const mark = (what: string) => marks.push({ at: now(), thread: 'page', what });
  const inner = pagePortFromMessagePort(facadePort as never);
  let draining = false;
  const wakeOrTake = (): string => {
    if (draining) return 'takes';
    draining = true;
    setImmediate(() => (draining = false));
    return 'wakes';
  };
  const port: PagePort = {
    postMessage(message: UpMessage, transfer?: ArrayBuffer[]) {
      mark(`page posts ${message.t}${message.t === 'call' ? ` ${(message as { m: string }).m}` : ''}`);
      inner.postMessage(message, transfer);
    },
    onMessage(handler) {
      inner.onMessage((message) => {
        mark(`page ${wakeOrTake()}: batch of ${describeDown(message)}`);
        handler(message);
      });
    },
  };
  const chrome = createChromeSockets(port);
  const tcp = chrome.sockets.tcp as Record<string, any>;
  const { socketId } = await tcp.create({});
  await tcp.connect(socketId, '127.0.0.1', echoPort);
  await tcp.setNoDelay(socketId, true);
  marks.length = 0;
  const one = new Uint8Array([0x70]).buffer;
  await new Promise<void>((resolve) => {
    let n = 0;
    const ping = (): void => {
      mark('ROUND app calls tcp.send');
      tcp.send(socketId, one, () => mark('app send callback runs'));
    };
    tcp.onReceive.addListener(() => {
      mark('app onReceive runs');
      if (++n < rounds) return ping();
      resolve();
    });
    ping();
  });
  await tcp.close(socketId);
  return marks;
}

async function main(rounds: number): Promise<void> {
  const marks: Mark[] = [];
  const mark = (what: string) => marks.push({ at: now(), thread: 'host', what });
  const echo = net.createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
  });
  // The echo peer in this process would share the host's thread; a child keeps it apart.
  const { fork } = await import('node:child_process');
  const peer = fork(path.join(__dirname, 'peer.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<{ echo: number }>((resolve) =>
    peer.once('message', (m: { ports: { echo: number } }) => resolve(m.ports)),
  );
  echo.close();

  // Host-side stamps: the port both ways, and the kernel socket's write and read.
  const write = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
    mark('host socket.write (to kernel)');
    const cb = args.find((a) => typeof a === 'function') as ((e?: Error) => void) | undefined;
    if (cb !== undefined)
      args[args.indexOf(cb)] = (e?: Error) => {
        mark('host write callback');
        cb(e);
      };
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  const emit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
    if (event === 'data') mark('host socket data (echo back)');
    return emit.apply(this, [event, ...args] as never);
  } as typeof emit;

  const host = new SocketsHost({ log: () => {} });
  const { port1, port2 } = new MessageChannel();
  const inner = hostPortFromNodePort(port1);
  // A message that finds the thread idle woke it; the rest of the same drain did not.
  let draining = false;
  const wakeOrTake = (): string => {
    if (draining) return 'takes';
    draining = true;
    setImmediate(() => (draining = false));
    return 'wakes';
  };
  const hostPort: HostPort = {
    postMessage(message, transfer) {
      mark(`host posts batch of ${describeDown(message)}`);
      inner.postMessage(message, transfer);
    },
    onMessage(handler) {
      inner.onMessage((message) => {
        const m = message as { t: string; m?: string };
        mark(`host ${wakeOrTake()}: ${m.t}${m.t === 'call' ? ` ${m.m}` : ''}`);
        handler(message);
      });
    },
    onClose: (h) => inner.onClose(h),
    close: () => inner.close(),
  };
  host.attachPort(hostPort, { app: 'trace', sockets: ALLOW_ALL_SOCKETS, background: true });
  const worker = new Worker(__filename, { workerData: { facadePort: port2, echo: ports.echo, rounds }, transferList: [port2] });
  const pageMarks = await new Promise<Mark[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  await host.dispose();
  peer.kill();
  net.Socket.prototype.write = write;
  net.Socket.prototype.emit = emit;

  const all = [...marks, ...pageMarks].sort((a, b) => a.at - b.at);
  const starts = all.flatMap((m, i) => (m.thread === 'page' && m.what.startsWith('ROUND') ? [i] : []));
  const echoes = starts.slice(1, -1).map((s, k) => all.slice(s, starts[k + 2]));
  const totals = echoes.map((e) => e[e.length - 1].at - e[0].at);
  const mid = median(totals);
  const chosen =
    echoes[
      totals.findIndex((t) => t === mid) >= 0
        ? totals.findIndex((t) => t === mid)
        : totals.indexOf(totals.reduce((a, b) => (Math.abs(b - mid) < Math.abs(a - mid) ? b : a)))
    ];
  console.log(`${echoes.length} echoes traced; median round trip ${(mid * 1000).toFixed(1)} µs. The echo nearest the median:`);
  for (const m of chosen) console.log(`  +${((m.at - chosen[0].at) * 1000).toFixed(1).padStart(7)} µs  ${m.thread.padEnd(4)}  ${m.what}`);
  // Each step's median offset over all echoes (first occurrence in each echo).
  const steps = new Map<string, number[]>();
  for (const e of echoes) {
    const seen = new Set<string>();
    for (const m of e) {
      const key = `${m.thread.padEnd(4)}  ${m.what.replace(/ (wakes|takes):/, ' gets:')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      (steps.get(key) ?? steps.set(key, []).get(key)!).push((m.at - e[0].at) * 1000);
    }
  }
  console.log('median offset of each step over all echoes (steps seen in at least half of them):');
  const rows = [...steps].filter(([, v]) => v.length >= echoes.length / 2).map(([k, v]) => [median(v), k] as const);
  for (const [at, k] of rows.sort((a, b) => a[0] - b[0])) console.log(`  +${at.toFixed(1).padStart(7)} µs  ${k}`);
  const wakes = (thread: string) => median(echoes.map((e) => e.filter((m) => m.thread === thread && m.what.includes(' wakes')).length));
  console.log(`median wake-ups per echo: host thread ${wakes('host')}, page thread ${wakes('page')}`);
}

if (isMainThread) {
  main(Number(process.argv[2] ?? 2000)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  page(workerData.facadePort as MessagePort, workerData.echo as number, workerData.rounds as number).then(
    (m) => parentPort!.postMessage(m),
    (error) => {
      throw error;
    },
  );
}
