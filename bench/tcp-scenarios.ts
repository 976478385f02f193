/**
 * tcp scenarios that run in the facade worker, written as a Chrome App would write them.
 */
import type { ChromeSockets } from '../preload/facade';

type Tcp = Record<string, any>;

function tcpOf(chrome: ChromeSockets): Tcp {
  return chrome.sockets.tcp as Tcp;
}

async function connect(tcp: Tcp, port: number, properties: Record<string, unknown> = {}): Promise<number> {
  const { socketId } = await tcp.create(properties);
  const result = await tcp.connect(socketId, '127.0.0.1', port);
  if (result !== 0) throw new Error(`connect failed ${result}`);
  return socketId;
}

const encoder = new TextEncoder();

/** Does nothing: timing it from the main thread gives the bare thread round trip. */
export async function noop(): Promise<number> {
  return 0;
}

/** Receives `bytes` from the flood peer; returns elapsed ms. */
export async function recv(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const tcp = tcpOf(chrome);
  const bytes = params.bytes as number;
  const socketId = await connect(tcp, params.port as number, { bufferSize: params.bufferSize as number });
  return new Promise<number>((resolve) => {
    let got = 0;
    const start = performance.now();
    const onReceive = (info: { socketId: number; data: ArrayBuffer }): void => {
      if (info.socketId !== socketId) return;
      got += info.data.byteLength;
      if (got >= bytes) {
        const elapsed = performance.now() - start;
        tcp.onReceive.removeListener(onReceive);
        tcp.close(socketId, () => resolve(elapsed));
      }
    };
    tcp.onReceive.addListener(onReceive);
    tcp.send(socketId, encoder.encode(`${bytes}\n`), () => {});
  });
}

/** Sends `bytes` to the sink peer in `chunk`-byte sends, `window` in flight; ms until the sink confirms. */
export async function send(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const tcp = tcpOf(chrome);
  const bytes = params.bytes as number;
  const chunk = params.chunk as number;
  const window = params.window as number;
  const socketId = await connect(tcp, params.port as number);
  const payload = new Uint8Array(chunk).fill(0x62).buffer;
  return new Promise<number>((resolve, reject) => {
    const start = performance.now();
    let queued = 0;
    let inFlight = 0;
    const onReceive = (info: { socketId: number }): void => {
      if (info.socketId !== socketId) return;
      const elapsed = performance.now() - start;
      tcp.onReceive.removeListener(onReceive);
      tcp.close(socketId, () => resolve(elapsed));
    };
    tcp.onReceive.addListener(onReceive);
    const pump = (): void => {
      while (inFlight < window && queued < bytes) {
        const size = Math.min(chunk, bytes - queued);
        queued += size;
        inFlight++;
        tcp.send(socketId, size === chunk ? payload : payload.slice(0, size), (info: { resultCode: number }) => {
          inFlight--;
          if (info.resultCode !== 0) return reject(new Error(`send failed ${info.resultCode}`));
          pump();
        });
      }
    };
    tcp.send(socketId, encoder.encode(`${bytes}\n`), () => pump());
  });
}

/** 1-byte ping-pong against the echo peer; returns each round's µs. */
export async function rtt(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number[]> {
  const tcp = tcpOf(chrome);
  const rounds = params.rounds as number;
  const socketId = await connect(tcp, params.port as number);
  const one = new Uint8Array([0x70]).buffer;
  const times: number[] = [];
  return new Promise<number[]>((resolve) => {
    let start = 0;
    const ping = (): void => {
      start = performance.now();
      tcp.send(socketId, one, () => {});
    };
    const onReceive = (info: { socketId: number }): void => {
      if (info.socketId !== socketId) return;
      times.push((performance.now() - start) * 1000);
      if (times.length < rounds) return ping();
      tcp.onReceive.removeListener(onReceive);
      tcp.close(socketId, () => resolve(times));
    };
    tcp.onReceive.addListener(onReceive);
    ping();
  });
}

/**
 * Receives `bytes` from the flood peer with a listener that is slow on purpose (busy for
 * `spinMicros` per event), so the host must hold the socket back. Returns the SHA-free byte count.
 */
export async function slowRecv(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const tcp = tcpOf(chrome);
  const bytes = params.bytes as number;
  const spin = params.spinMicros as number;
  const socketId = await connect(tcp, params.port as number, { bufferSize: 65536 });
  return new Promise<number>((resolve) => {
    let got = 0;
    const onReceive = (info: { socketId: number; data: ArrayBuffer }): void => {
      if (info.socketId !== socketId) return;
      got += info.data.byteLength;
      const until = performance.now() + spin / 1000;
      while (performance.now() < until) {
        // The slow consumer: a page busy with every chunk.
      }
      if (got >= bytes) {
        tcp.onReceive.removeListener(onReceive);
        tcp.close(socketId, () => resolve(got));
      }
    };
    tcp.onReceive.addListener(onReceive);
    tcp.send(socketId, encoder.encode(`${bytes}\n`), () => {});
  });
}

/**
 * Web Server for Chrome's way of sending: `chunk` bytes per send, the next send issued in the
 * previous send's callback. Milliseconds until the sink confirms it got all `bytes`.
 */
export async function sendLoop(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const tcp = tcpOf(chrome);
  const bytes = params.bytes as number;
  const chunk = params.chunk as number;
  const socketId = await connect(tcp, params.port as number);
  const payload = new Uint8Array(chunk).fill(0x62).buffer;
  return new Promise<number>((resolve, reject) => {
    const start = performance.now();
    let queued = 0;
    const onReceive = (info: { socketId: number }): void => {
      if (info.socketId !== socketId) return;
      const elapsed = performance.now() - start;
      tcp.onReceive.removeListener(onReceive);
      tcp.close(socketId, () => resolve(elapsed));
    };
    tcp.onReceive.addListener(onReceive);
    const next = (info: { resultCode: number }): void => {
      if (info.resultCode !== 0) return reject(new Error(`send failed ${info.resultCode}`));
      if (queued >= bytes) return;
      const size = Math.min(chunk, bytes - queued);
      queued += size;
      tcp.send(socketId, size === chunk ? payload : payload.slice(0, size), next);
    };
    tcp.send(socketId, encoder.encode(`${bytes}\n`), next);
  });
}

let held: number[] = [];

/** Connects `count` sockets to `port`, `concurrency` at a time, and keeps them open (idle). */
export async function connectMany(chrome: ChromeSockets, params: Record<string, unknown>): Promise<number> {
  const tcp = tcpOf(chrome);
  const count = params.count as number;
  const concurrency = params.concurrency as number;
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      held.push(await connect(tcp, params.port as number));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return held.length;
}

/** Closes what connectMany opened. */
export async function closeMany(chrome: ChromeSockets): Promise<number> {
  const tcp = tcpOf(chrome);
  const ids = held;
  held = [];
  await Promise.all(ids.map((id) => tcp.close(id)));
  return ids.length;
}

/** A full collection in this thread (the worker inherits --expose-gc when the process has it). */
export async function gc(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
}

/** This worker thread's id, so the main thread can read its CPU time. */
export async function threadId(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./thread-cpu') as typeof import('./thread-cpu')).currentThreadId();
}
