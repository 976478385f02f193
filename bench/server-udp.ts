/**
 * tcpServer accept rate and udp receive rate next to raw Node `net` / `dgram`, same client load,
 * same run. The facade runs in a worker thread as a renderer would; the load comes from a child
 * process. Ratios are ours ÷ raw (higher is better, 1 is parity).
 *
 * Run alone: `npx tsc -p . && node dist/bench/server-udp.js` (prints one JSON line).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as path from 'node:path';
import { RECEIVE_BUFFER_BYTES } from '../main/udp/udp-socket';
import { startFacadeWorker, type FacadeWorker } from './harness';
import { CORES, cpuBoundRate, cpuMeter, currentThreadId, type CpuPerUnit } from './thread-cpu';
import {
  DEFAULT_REPEAT,
  median,
  parseBenchArgs,
  putSpread,
  round,
  runPairs,
  showSpread,
  wants,
  type BenchOptions,
  type Row,
} from './pairs';

const scenarios = path.join(__dirname, 'server-udp-scenarios.js');
const tcpScenarios = path.join(__dirname, 'tcp-scenarios.js');

const CONNECTIONS = 5000;
const CONCURRENCY = 64;
const DATAGRAM = 1024;
const FLOOD_MS = 1000;

interface Peer {
  pid: number | undefined;
  command<T = { done: true; sent?: number }>(message: Record<string, unknown>): Promise<T>;
  stop(): void;
}

async function startPeer(): Promise<Peer> {
  const child: ChildProcess = fork(path.join(__dirname, 'server-udp-peer.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`peer exited ${code}`)));
  });
  return {
    pid: child.pid,
    command<T>(message: Record<string, unknown>) {
      return new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(message);
      });
    },
    stop: () => child.kill(),
  };
}

/** Connections per second through a raw net.Server that closes each connection. */
async function rawAccept(peer: Peer): Promise<number> {
  let count = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.destroy();
    if (++count === CONNECTIONS) done();
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const start = performance.now();
  await peer.command({ cmd: 'connect', port: (server.address() as net.AddressInfo).port, count: CONNECTIONS, concurrency: CONCURRENCY });
  await all;
  const ms = performance.now() - start;
  await new Promise((resolve) => server.close(resolve));
  return CONNECTIONS / (ms / 1000);
}

/** Connections per second delivered through tcpServer.onAccept to the facade worker. */
async function oursAccept(peer: Peer, worker: FacadeWorker): Promise<number> {
  const port = await worker.run<number>(scenarios, 'acceptSetup');
  const start = performance.now();
  const load = peer.command({ cmd: 'connect', port, count: CONNECTIONS, concurrency: CONCURRENCY });
  const count = await worker.run<number>(scenarios, 'acceptWait', { count: CONNECTIONS });
  const ms = performance.now() - start;
  await load;
  if (count < CONNECTIONS) throw new Error(`accepted ${count} of ${CONNECTIONS}`);
  return CONNECTIONS / (ms / 1000);
}

/** 1 KiB datagrams per second read by a raw dgram socket under a flood. */
async function rawRecv(peer: Peer, recvBufferSize?: number): Promise<{ rate: number; count: number; sent: number }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize });
  let count = 0;
  let first = 0;
  let last = 0;
  socket.on('message', () => {
    const now = performance.now();
    if (count++ === 0) first = now;
    last = now;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { sent } = await peer.command({ cmd: 'flood', port: socket.address().port, size: DATAGRAM, ms: FLOOD_MS });
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.close();
  return { rate: (count - 1) / ((last - first) / 1000), count, sent: sent ?? 0 };
}

/** 1 KiB datagrams per second delivered through udp.onReceive to the facade worker. */
async function oursRecv(peer: Peer, worker: FacadeWorker): Promise<{ rate: number; count: number; sent: number; dropped: number }> {
  const port = await worker.run<number>(scenarios, 'udpSetup');
  const { sent } = await peer.command({ cmd: 'flood', port, size: DATAGRAM, ms: FLOOD_MS });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { count, ms } = await worker.run<{ count: number; ms: number }>(scenarios, 'udpStats');
  const dropped = worker.host.inspect().sockets.reduce((n, s) => n + (s.kind === 'udp' ? (s.dropped ?? 0) : 0), 0);
  await worker.run(scenarios, 'udpClose');
  return { rate: (count - 1) / (ms / 1000), count, sent: sent ?? 0, dropped };
}

/** A side's result with the CPU milliseconds each part spent per unit (connection, datagram). */
type Costed<T> = T & { cost: CpuPerUnit };

/** Runs one side and divides the CPU its threads and the peer spent by `units(result)` (cpuMeter). */
async function costed<T>(peer: Peer, pageTid: number, run: () => Promise<T>, units: (result: T) => number): Promise<Costed<T>> {
  const meter = cpuMeter(currentThreadId(), pageTid, peer.pid);
  const result = await run();
  return Object.assign(result as object, { cost: meter(units(result)) }) as Costed<T>;
}

/**
 * Puts each part's median CPU µs per unit into the JSON line (`cpu_us_per_<unit>_host`, `…_page`,
 * `…_process`, `…_peer`, and raw's `raw_cpu_us_per_<unit>`, `…_process`, `…_peer`) and the
 * ratio's ceiling from them (`<key>_cpu_ceiling`), with rows for the table.
 */
function putCosts(
  out: Record<string, number>,
  rows: Row[],
  key: string,
  unit: string,
  pairs: Array<{ raw: { rate: number; cost: CpuPerUnit }; ours: { rate: number; cost: CpuPerUnit } }>,
): void {
  const us = (values: number[]) => round(median(values) * 1000, 1);
  const ours = (part: keyof CpuPerUnit) => (out[`cpu_us_per_${unit}_${part}`] = us(pairs.map((p) => p.ours.cost[part])));
  const raw = (part: 'process' | 'peer') => (out[`raw_cpu_us_per_${unit}_${part}`] = us(pairs.map((p) => p.raw.cost[part])));
  out[`raw_cpu_us_per_${unit}`] = us(pairs.map((p) => p.raw.cost.host));
  rows.push({
    name: `  CPU µs per ${unit}: host + page threads | raw thread`,
    ours: `${ours('host')} + ${ours('page')}`,
    raw: String(out[`raw_cpu_us_per_${unit}`]),
    ratio: '',
  });
  rows.push({
    name: `  CPU µs per ${unit}, all threads: process + load peer`,
    ours: `${ours('process')} + ${ours('peer')}`,
    raw: `${raw('process')} + ${raw('peer')}`,
    ratio: '',
  });
  const ceiling = round(median(pairs.map((p) => cpuBoundRate(p.ours.cost, CORES) / p.raw.rate)), 3);
  out[`${key}_cpu_ceiling`] = ceiling;
  rows.push({ name: `  ratio's ceiling from the CPU per ${unit} on ${CORES} cores`, ours: '', raw: '', ratio: String(ceiling) });
}

/**
 * accept_ratio: connections/s through onAccept ÷ raw net.Server; udp_recv_ratio: 1 KiB
 * datagrams/s through onReceive ÷ raw dgram given the 1 MiB kernel receive buffer the host asks
 * for (udp_recv_ratio_default_rcvbuf divides by raw dgram with the OS default buffer, what an
 * app would write). Interleaved pairs (raw, ours); each ratio is the median of the per-pair
 * ratios, with `_min` / `_max`.
 */
export async function runServerUdpBench(
  options: Pick<BenchOptions, 'repeat' | 'only'> = { repeat: DEFAULT_REPEAT },
): Promise<{ out: Record<string, number>; rows: Row[] }> {
  const peer = await startPeer();
  const worker = await startFacadeWorker();
  const pageTid = await worker.run<number>(tcpScenarios, 'threadId');
  const out: Record<string, number> = {};
  const rows: Row[] = [];
  try {
    if (wants(options, 'accept_ratio')) {
      const accepts = await runPairs(
        options.repeat,
        () =>
          costed(
            peer,
            NaN,
            async () => ({ rate: await rawAccept(peer) }),
            () => CONNECTIONS,
          ),
        () =>
          costed(
            peer,
            pageTid,
            async () => ({ rate: await oursAccept(peer, worker) }),
            () => CONNECTIONS,
          ),
        worker.settle,
      );
      const accept = putSpread(
        out,
        'accept_ratio',
        accepts.map((p) => p.ours.rate / p.raw.rate),
      );
      out.accepts_per_s = round(median(accepts.map((p) => p.ours.rate)), 0);
      out.raw_accepts_per_s = round(median(accepts.map((p) => p.raw.rate)), 0);
      rows.push({
        name: 'accepts through onAccept',
        ours: `${out.accepts_per_s}/s`,
        raw: `${out.raw_accepts_per_s}/s`,
        ratio: showSpread(accept),
      });
      putCosts(out, rows, 'accept_ratio', 'accept', accepts);
    }
    if (!wants(options, 'udp_recv_ratio')) return { out, rows };

    // Raw with the host's kernel buffer, ours, then raw with the default buffer: the fair pair is
    // the first two; the third is kept for reference.
    const recvs: Array<{
      raw: Costed<{ rate: number; count: number; sent: number }>;
      ours: Costed<{ rate: number; count: number; sent: number; dropped: number }>;
      rawDefault: { rate: number };
    }> = [];
    const pairs = await runPairs(
      options.repeat,
      () =>
        costed(
          peer,
          NaN,
          () => rawRecv(peer, RECEIVE_BUFFER_BYTES),
          (r) => r.count,
        ),
      () =>
        costed(
          peer,
          pageTid,
          () => oursRecv(peer, worker),
          (r) => r.count,
        ),
      worker.settle,
    );
    for (const { raw, ours } of pairs) {
      await worker.settle();
      recvs.push({ raw, ours: ours as Costed<Awaited<ReturnType<typeof oursRecv>>>, rawDefault: await rawRecv(peer) });
    }
    const udp = putSpread(
      out,
      'udp_recv_ratio',
      recvs.map((p) => p.ours.rate / p.raw.rate),
    );
    putSpread(
      out,
      'udp_recv_ratio_default_rcvbuf',
      recvs.map((p) => p.ours.rate / p.rawDefault.rate),
    );
    out.udp_datagrams_per_s = round(median(recvs.map((p) => p.ours.rate)), 0);
    out.raw_udp_datagrams_per_s_same_rcvbuf = round(median(recvs.map((p) => p.raw.rate)), 0);
    out.raw_udp_datagrams_per_s = round(median(recvs.map((p) => p.rawDefault.rate)), 0);
    out.udp_received = recvs.reduce((n, p) => n + p.ours.count, 0);
    out.udp_sent = recvs.reduce((n, p) => n + p.ours.sent, 0);
    out.udp_host_queue_drops = recvs.reduce((n, p) => n + p.ours.dropped, 0);
    rows.push({
      name: '1 KiB datagrams through udp onReceive',
      ours: `${out.udp_datagrams_per_s}/s`,
      raw: `${out.raw_udp_datagrams_per_s_same_rcvbuf}/s`,
      ratio: showSpread(udp),
    });
    putCosts(out, rows, 'udp_recv_ratio', 'datagram', recvs);
    return { out, rows };
  } finally {
    await worker.close();
    peer.stop();
  }
}

if (require.main === module) {
  runServerUdpBench(parseBenchArgs(process.argv.slice(2))).then(
    (result) => console.log(JSON.stringify(result.out)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
