/** The same workloads on raw Node `net`, in the main thread: the baseline. */
import * as net from 'node:net';
import { once } from 'node:events';

export async function rawConnect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

export async function rawRecv(port: number, bytes: number): Promise<number> {
  const socket = await rawConnect(port);
  const start = performance.now();
  socket.write(`${bytes}\n`);
  let got = 0;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= bytes) resolve();
    });
  });
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}

export async function rawSend(port: number, bytes: number, chunk: number): Promise<number> {
  const socket = await rawConnect(port);
  const payload = Buffer.alloc(chunk, 0x62);
  const start = performance.now();
  const done = once(socket, 'data');
  socket.write(`${bytes}\n`);
  let queued = 0;
  while (queued < bytes) {
    const size = Math.min(chunk, bytes - queued);
    queued += size;
    if (!socket.write(size === chunk ? payload : payload.subarray(0, size))) await once(socket, 'drain');
  }
  await done;
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}

export async function rawRtt(port: number, rounds: number): Promise<number[]> {
  const socket = await rawConnect(port);
  socket.setNoDelay(true);
  const one = Buffer.from([0x70]);
  const times: number[] = [];
  await new Promise<void>((resolve) => {
    let start = 0;
    const ping = (): void => {
      start = performance.now();
      socket.write(one);
    };
    socket.on('data', () => {
      times.push((performance.now() - start) * 1000);
      if (times.length < rounds) ping();
      else resolve();
    });
    ping();
  });
  socket.destroy();
  return times;
}

/**
 * Web Server for Chrome's way of sending: `chunk` bytes per write, the next write issued in the
 * previous write's callback. Milliseconds until the sink confirms it got all `bytes`.
 */
export async function rawSendLoop(port: number, bytes: number, chunk: number): Promise<number> {
  const socket = await rawConnect(port);
  const payload = Buffer.alloc(chunk, 0x62);
  const start = performance.now();
  const done = once(socket, 'data');
  let queued = 0;
  await new Promise<void>((resolve, reject) => {
    const next = (error?: Error | null): void => {
      if (error) return reject(error);
      if (queued >= bytes) return resolve();
      const size = Math.min(chunk, bytes - queued);
      queued += size;
      socket.write(size === chunk ? payload : payload.subarray(0, size), next);
    };
    socket.write(`${bytes}\n`, next);
  });
  await done;
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}
