/**
 * Client load for the tcpServer and udp benchmarks, in a child process so it shares no thread
 * with the servers being measured. Commands arrive over IPC:
 * - `{ cmd: 'connect', port, count, concurrency }`: opens `count` connections, `concurrency` at a
 *   time; each closes as soon as it is connected. Answers `{ done: true }`.
 * - `{ cmd: 'flood', port, size, ms }`: sends `size`-byte datagrams as fast as it can for `ms`.
 *   Answers `{ done: true, sent }`.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

function connectMany(port: number, count: number, concurrency: number): Promise<void> {
  return new Promise((resolve) => {
    let started = 0;
    let finished = 0;
    const next = (): void => {
      if (started >= count) return;
      started++;
      const socket = net.connect({ port, host: '127.0.0.1' });
      const done = (): void => {
        socket.destroy();
        if (++finished === count) resolve();
        else next();
      };
      socket.once('connect', done);
      socket.once('error', done);
    };
    for (let i = 0; i < Math.min(concurrency, count); i++) next();
  });
}

function flood(port: number, size: number, ms: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  const payload = Buffer.alloc(size, 0x75);
  let sent = 0;
  return new Promise((resolve) => {
    const end = performance.now() + ms;
    const burst = (): void => {
      if (performance.now() >= end) {
        socket.close();
        return resolve(sent);
      }
      for (let i = 0; i < 64; i++) {
        socket.send(payload, port, '127.0.0.1');
        sent++;
      }
      setImmediate(burst);
    };
    socket.bind(0, '127.0.0.1', burst);
  });
}

async function handle(m: { cmd: string; port: number; count?: number; concurrency?: number; size?: number; ms?: number }): Promise<void> {
  if (m.cmd === 'connect') {
    await connectMany(m.port, m.count!, m.concurrency!);
    process.send?.({ done: true });
  } else if (m.cmd === 'flood') {
    process.send?.({ done: true, sent: await flood(m.port, m.size!, m.ms!) });
  }
}

// A failed workload ends the peer with its reason, instead of an unhandled rejection the parent never hears of.
process.on('message', (m: Parameters<typeof handle>[0]) => {
  handle(m).catch((error: unknown) => {
    process.send?.({ done: true, error: String((error as Error)?.stack ?? error) });
    process.exitCode = 1;
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
