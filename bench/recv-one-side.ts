/**
 * `node dist/bench/recv-one-side.js ours|direct|moz|raw [runs] [holdMiB]`: one side of
 * `recv_ratio_65536` (or of `direct_recv_ratio`, `moz_recv_ratio`) alone, `runs` times 1 GiB (default 6), for a profiler to look at (`perf record -g -- node …`)
 * without the other side in the same samples. Each run prints MiB/s, then the CPU milliseconds and
 * minor page faults per MiB of the thread that reads the socket (the host thread but for `raw`).
 * `holdMiB` (raw only) keeps each chunk alive until that many MiB more have arrived, as a window
 * of chunks handed to another thread stays alive: what that alone costs a raw reader.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import * as path from 'node:path';
import { MiB, startFacadeWorker, startPeers } from './harness';
import { currentThreadId, threadCpuMs, threadMinorFaults } from './thread-cpu';

async function rawHolding(port: number, bytes: number, hold: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`${bytes}\n`);
  const held: Buffer[] = [];
  let heldBytes = 0;
  let got = 0;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (hold > 0) {
        held.push(chunk);
        heldBytes += chunk.length;
        while (heldBytes > hold) heldBytes -= held.shift()!.length;
      }
      if (got >= bytes) resolve();
    });
  });
  socket.destroy();
}

/** The facade sides: scenario module and export. */
const SCENARIOS: Record<string, [string, string] | undefined> = {
  ours: ['tcp-scenarios.js', 'recv'],
  direct: ['other-apis-scenarios.js', 'directRecv'],
  moz: ['other-apis-scenarios.js', 'mozRecv'],
};

async function main(): Promise<void> {
  const [side = 'ours', runsArg = '6', holdArg = '0'] = process.argv.slice(2);
  const scenario = SCENARIOS[side];
  if (scenario === undefined && side !== 'raw') throw new Error('usage: recv-one-side.js ours|direct|moz|raw [runs] [holdMiB]');
  const runs = Number(runsArg);
  const hold = Number(holdArg) * MiB;
  const bytes = 1024 * MiB;
  const peers = await startPeers();
  const worker = scenario !== undefined ? await startFacadeWorker() : undefined;
  const tid = currentThreadId();
  try {
    for (let i = 0; i < runs; i++) {
      const cpu0 = threadCpuMs(tid);
      const faults0 = threadMinorFaults(tid);
      const start = performance.now();
      if (worker && scenario)
        await worker.run<number>(path.join(__dirname, scenario[0]), scenario[1], { port: peers.ports.flood, bytes, bufferSize: 65536 });
      else await rawHolding(peers.ports.flood, bytes, hold);
      const ms = performance.now() - start;
      const perMib = (v: number) => (v / (bytes / MiB)).toFixed(2);
      console.log(
        `${side}: ${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s, reading thread ${perMib(threadCpuMs(tid) - cpu0)} CPU ms and ${perMib(threadMinorFaults(tid) - faults0)} minor faults per MiB`,
      );
    }
  } finally {
    await worker?.close();
    peers.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
