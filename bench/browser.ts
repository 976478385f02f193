/**
 * `npm run bench -- --browser`: chrome.sockets in a Chromium page through the browser host,
 * next to a raw page ↔ Node `ws` WebSocket measured in the same run and the same page.
 *
 * Chromium is launched directly (no Playwright/CDP attached: CDP slows WebSocket traffic several
 * times). The page runs every workload itself and POSTs its figures back to a Node endpoint.
 * Run alone: `node dist/bench/browser.js [--quick]`.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { startBrowserHost } from '../main/browser-host/server';
import { buildPageBundle, CHROMIUM_ARGS, findChromium } from '../test/support/chromium';
import { MiB, startPeers } from './harness';

export interface BrowserBenchOptions {
  /** Smaller workloads, one repeat. */
  quick?: boolean;
  /** Print the table (default true); the runnable main adds the JSON line. */
  print?: boolean;
}

interface PageParams {
  control: string;
  flood: number;
  echo: number;
  bytes: number;
  repeats: number;
  rounds: number;
  bufferSizes: number[];
}

interface PageResult {
  /** Milliseconds per repeat, per workload name. */
  recv: Record<string, number[]>;
  /** Mean round-trip time in microseconds, per repeat. */
  rtt: Record<string, number[]>;
  error?: string;
}

// The page's globals; pageMain runs in Chromium, serialised with Function#toString.
declare const location: { href: string };
declare function fetch(url: string, init: Record<string, unknown>): Promise<unknown>;
declare const WebSocket: any;

/** The whole benchmark, as it runs in the page. Self-contained: no closure over Node values. */
async function pageMain(p: PageParams): Promise<void> {
  const post = (body: unknown) => fetch(`${p.control}/result`, { method: 'POST', mode: 'no-cors', body: JSON.stringify(body) });
  try {
    const api = await (await import('/browser/index.mjs' as string)).connectBrowserHost(location.href);
    const tcp = api.sockets.tcp;

    const raw: any = new WebSocket(`${p.control.replace(/^http/, 'ws')}/raw`);
    raw.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => {
      raw.onopen = resolve;
      raw.onerror = reject;
    });

    /** Raw: the Node side sends `bytes` from memory in 64 KiB binary messages. */
    const rawRecv = (bytes: number) =>
      new Promise<number>((resolve) => {
        let got = 0;
        const start = performance.now();
        raw.onmessage = (e: { data: ArrayBuffer }) => {
          got += e.data.byteLength;
          if (got >= bytes) resolve(performance.now() - start);
        };
        raw.send(`recv ${bytes}`);
      });

    /** Ours: the flood peer sends `bytes` over TCP; the page receives them as onReceive events. */
    const oursRecv = async (bytes: number, bufferSize: number) => {
      const { socketId } = await tcp.create({ bufferSize });
      await tcp.connect(socketId, '127.0.0.1', p.flood);
      let got = 0;
      let start = 0;
      const done = new Promise<number>((resolve) => {
        const onReceive = (info: { socketId: number; data: ArrayBuffer }) => {
          if (info.socketId !== socketId) return;
          got += info.data.byteLength;
          if (got >= bytes) {
            tcp.onReceive.removeListener(onReceive);
            resolve(performance.now() - start);
          }
        };
        tcp.onReceive.addListener(onReceive);
      });
      start = performance.now();
      await tcp.send(socketId, new TextEncoder().encode(`${bytes}\n`).buffer);
      const ms = await done;
      await tcp.close(socketId);
      return ms;
    };

    const result: PageResult = { recv: {}, rtt: {} };
    const add = (table: Record<string, number[]>, key: string, value: number) => (table[key] ??= []).push(value);
    for (let i = 0; i < p.repeats; i++) {
      // Alternate raw and ours so drift on a shared machine hits both alike.
      add(result.recv, 'raw', await rawRecv(p.bytes));
      for (const size of p.bufferSizes) add(result.recv, `ours_${size}`, await oursRecv(p.bytes, size));
    }

    // Round trips: one byte out, one back, `rounds` times in a row. Timed as a whole: a page's
    // clock is coarsened to 100 µs without cross-origin isolation, too coarse for one trip.
    const one = new Uint8Array([0x70]).buffer;
    const { socketId } = await tcp.create({});
    await tcp.connect(socketId, '127.0.0.1', p.echo);
    await tcp.setNoDelay(socketId, true);
    for (let i = 0; i < p.repeats; i++) {
      add(
        result.rtt,
        'raw',
        await new Promise<number>((resolve) => {
          let n = 0;
          const start = performance.now();
          raw.onmessage = () => {
            if (++n === p.rounds) return resolve(((performance.now() - start) * 1000) / p.rounds);
            raw.send(one);
          };
          raw.send(one);
        }),
      );
      add(
        result.rtt,
        'ours',
        await new Promise<number>((resolve) => {
          let n = 0;
          const start = performance.now();
          const onReceive = () => {
            if (++n === p.rounds) {
              tcp.onReceive.removeListener(onReceive);
              return resolve(((performance.now() - start) * 1000) / p.rounds);
            }
            tcp.send(socketId, one);
          };
          tcp.onReceive.addListener(onReceive);
          tcp.send(socketId, one);
        }),
      );
    }
    await tcp.close(socketId);
    raw.close();
    await post(result);
  } catch (error) {
    await post({ recv: {}, rtt: {}, error: String((error as Error)?.stack ?? error) });
  }
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Serves the raw WebSocket baseline and receives the page's results. */
async function startControl(): Promise<{ url: string; result: Promise<PageResult>; close(): Promise<void> }> {
  let deliver!: (r: PageResult) => void;
  const result = new Promise<PageResult>((resolve) => (deliver = resolve));
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.writeHead(204).end();
        deliver(JSON.parse(body) as PageResult);
      });
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/raw', perMessageDeflate: false });
  const block = Buffer.alloc(64 * 1024, 0x61);
  wss.on('connection', (ws, req) => {
    req.socket.setNoDelay(true);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return ws.send(data);
      const bytes = Number(/^recv (\d+)$/.exec(data.toString())?.[1] ?? 0);
      // Respect the socket's backpressure like the host does, so memory stays flat.
      let left = bytes;
      const pump = (): void => {
        while (left > 0) {
          const size = Math.min(left, block.length);
          left -= size;
          ws.send(size === block.length ? block : block.subarray(0, size));
          if (ws.bufferedAmount > 8 * MiB) return void setImmediate(waitDrain);
        }
      };
      const waitDrain = (): void => {
        if (ws.bufferedAmount > 2 * MiB) return void setTimeout(waitDrain, 1);
        pump();
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    result,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Runs the browser bench and returns its figures: `browser_recv_ratio` (ours ÷ raw WebSocket,
 * receive throughput at bufferSize 65536), `browser_recv_ratio_4096`, `browser_rtt_ratio`
 * (ours ÷ raw, mean round trip; lower is better), and the raw figures behind them.
 */
export async function runBrowserBench(options: BrowserBenchOptions = {}): Promise<Record<string, number>> {
  const { executablePath: executable, env: chromiumEnv } = await findChromium();
  await buildPageBundle();
  const quick = options.quick ?? false;
  const params: Omit<PageParams, 'control' | 'flood' | 'echo'> = {
    bytes: (quick ? 64 : 256) * MiB,
    repeats: quick ? 1 : 3,
    rounds: quick ? 500 : 2000,
    bufferSizes: [65536, 4096],
  };

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-browser-bench-'));
  const peers = await startPeers();
  const control = await startControl();
  const pageDir = path.join(work, 'page');
  await fs.mkdir(pageDir);
  const host = await startBrowserHost({ allowAll: true, rendererDir: pageDir, log: () => {} });
  const full: PageParams = { ...params, control: control.url, flood: peers.ports.flood, echo: peers.ports.echo };
  await fs.writeFile(
    path.join(pageDir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">(${pageMain.toString()})(${JSON.stringify(full)});</script>`,
  );

  const chromium = spawn(
    executable,
    [
      ...CHROMIUM_ARGS,
      '--headless',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      `--user-data-dir=${path.join(work, 'profile')}`,
      host.url,
    ],
    { stdio: 'ignore', detached: true, env: chromiumEnv },
  );
  // Never leave the browser behind, even when this process is interrupted.
  const killBrowser = (): void => {
    try {
      if (chromium.pid !== undefined && chromium.exitCode === null) process.kill(-chromium.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killBrowser);
  const interrupted = (): void => {
    killBrowser();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const exited = new Promise<void>((resolve) => chromium.once('exit', () => resolve()));
  let result: PageResult;
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('browser bench timed out')), 10 * 60_000).unref());
    const died = exited.then(() => Promise.reject(new Error('Chromium exited before the bench finished')));
    result = await Promise.race([control.result, timeout, died]);
  } finally {
    // The whole group: the browser's helper processes too (detached gave it its own group).
    if (chromium.pid !== undefined && chromium.exitCode === null) {
      try {
        process.kill(-chromium.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    killBrowser();
    process.off('exit', killBrowser);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await host.close();
    await control.close();
    peers.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
  if (result.error !== undefined) throw new Error(`browser bench page failed: ${result.error}`);

  const mibps = (ms: number) => params.bytes / MiB / (ms / 1000);
  const best = (key: string) => mibps(Math.min(...result.recv[key]));
  const rawRecv = best('raw');
  const out: Record<string, number> = {};
  const rows: string[][] = [['workload (Chromium page)', 'chrome.sockets via browser host', 'raw page WebSocket', 'ratio']];
  for (const size of params.bufferSizes) {
    const ours = best(`ours_${size}`);
    const suffix = size === 65536 ? '' : `_${size}`;
    out[`browser_recv_ratio${suffix}`] = round(ours / rawRecv, 3);
    out[`browser_recv_mibps${suffix}`] = round(ours);
    rows.push([
      `receive ${params.bytes / MiB} MiB, bufferSize ${size}`,
      `${round(ours)} MiB/s`,
      `${round(rawRecv)} MiB/s`,
      (ours / rawRecv).toFixed(3),
    ]);
  }
  out.browser_raw_ws_recv_mibps = round(rawRecv);
  const rttOurs = Math.min(...result.rtt.ours);
  const rttRaw = Math.min(...result.rtt.raw);
  out.browser_rtt_ratio = round(rttOurs / rttRaw, 3);
  out.browser_rtt_us = round(rttOurs);
  out.browser_raw_ws_rtt_us = round(rttRaw);
  rows.push([
    `1-byte round trip, mean of ${params.rounds} (best of ${params.repeats})`,
    `${round(rttOurs)} µs`,
    `${round(rttRaw)} µs`,
    (rttOurs / rttRaw).toFixed(3),
  ]);

  if (options.print ?? true) {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
    console.log('(receive: ratio = ours ÷ raw, higher is better; round trip: ours ÷ raw, lower is better)');
  }
  return out;
}

if (require.main === module) {
  runBrowserBench({ quick: process.argv.includes('--quick') }).then(
    (out) => console.log(JSON.stringify(out)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
