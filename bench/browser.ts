/**
 * `npm run bench -- --browser`: chrome.sockets in a Chromium page through the browser host,
 * next to a raw page ↔ Node `ws` WebSocket measured in the same run and the same page.
 *
 * Chromium is launched directly (no Playwright/CDP attached: CDP slows WebSocket traffic several
 * times). The page runs every workload itself and POSTs its figures back to a Node endpoint.
 * The debugging window is timed the same way: its built page plus a driver script.
 * Run alone: `node dist/bench/browser.js [--quick] [--repeat N]`.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { startBrowserHost } from '../main/browser-host/server';
import { buildPageBundle, CHROMIUM_ARGS, findChromium } from '../test/support/chromium';
import { MiB, startPeers } from './harness';
import { DEFAULT_REPEAT, median, parseBenchArgs, putSpread, round, showSpread, wants, type BenchOptions, type Row } from './pairs';

const RENDERER_DIR = path.join(__dirname, '..', 'renderer');

interface PageParams {
  control: string;
  flood: number;
  echo: number;
  bytes: number;
  repeats: number;
  rounds: number;
  bufferSizes: number[];
  /** Which page workloads run (`--only`). */
  recv: boolean;
  rtt: boolean;
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
    // A page cannot force a collection; a pause lets the last side's garbage and sockets go.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; p.recv && i < p.repeats; i++) {
      // Interleaved pairs, alternating which side goes first, so drift on a shared machine hits
      // both alike.
      const sides = [
        async () => add(result.recv, 'raw', await rawRecv(p.bytes)),
        ...p.bufferSizes.map((size) => async () => add(result.recv, `ours_${size}`, await oursRecv(p.bytes, size))),
      ];
      if (i % 2 === 1) sides.reverse();
      for (const side of sides) {
        await settle();
        await side();
      }
    }

    // Round trips: one byte out, one back, `rounds` times in a row. Timed as a whole: a page's
    // clock is coarsened to 100 µs without cross-origin isolation, too coarse for one trip.
    const one = new Uint8Array([0x70]).buffer;
    const { socketId } = await tcp.create({});
    await tcp.connect(socketId, '127.0.0.1', p.echo);
    await tcp.setNoDelay(socketId, true);
    for (let i = 0; p.rtt && i < p.repeats; i++) {
      const rawRtt = async () =>
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
      const oursRtt = async () =>
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
      for (const side of i % 2 === 0 ? [rawRtt, oursRtt] : [oursRtt, rawRtt]) {
        await settle();
        await side();
      }
    }
    await tcp.close(socketId);
    raw.close();
    await post(result);
  } catch (error) {
    await post({ recv: {}, rtt: {}, error: String((error as Error)?.stack ?? error) });
  }
}

interface WindowParams {
  control: string;
  flood: number;
  bytes: number;
  repeats: number;
}

interface WindowResult {
  /** Milliseconds per pair: raw WebSocket receive, and the window's flood (submit → counter). */
  raw: number[];
  window: number[];
  error?: string;
}

/**
 * Runs inside the debugging window's own page (a script added after app.js), as a person would
 * use it: the New TCP client form, then the shown socket's rx counter (text view, following, the
 * window's defaults). Each pair first times the raw WebSocket receive in this same page.
 * Self-contained: no closure over Node values.
 */
async function windowDriver(p: WindowParams): Promise<void> {
  const ws: any = new WebSocket(`${p.control.replace(/^http/, 'ws')}/raw`);
  ws.binaryType = 'arraybuffer';
  const report = (body: WindowResult) => ws.send(`result ${JSON.stringify(body)}`);
  const result: WindowResult = { raw: [], window: [] };
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    while (document.querySelector('.topbar') === null) await wait(20);
    const rawSide = async () =>
      result.raw.push(
        await new Promise<number>((resolve) => {
          let got = 0;
          const start = performance.now();
          ws.onmessage = (e: { data: ArrayBuffer }) => {
            got += e.data.byteLength;
            if (got >= p.bytes) resolve(performance.now() - start);
          };
          ws.send(`recv ${p.bytes}`);
        }),
      );
    const windowSide = async () => {
      const form = document.querySelector('form[aria-label="New TCP client"]');
      const [host, port] = form.querySelectorAll('input[type="text"]');
      host.value = '127.0.0.1';
      port.value = String(p.flood);
      const before = document.querySelector('main .socket-view');
      const start = performance.now();
      form.requestSubmit();
      // The new socket's view replaces the shown one; then its exact rx counter (the cell's title).
      for (;;) {
        const view = document.querySelector('main .socket-view');
        const title: string = (view !== before && view?.querySelector('.s-rx')?.title) || '';
        if (title === `${p.bytes} bytes`) break;
        if (performance.now() - start > 300_000) throw new Error(`window flood stalled at ${title}`);
        await wait(5);
      }
      result.window.push(performance.now() - start);
    };
    for (let i = 0; i < p.repeats; i++) {
      // Alternating which side goes first; a pause before each lets the last one settle.
      for (const side of i % 2 === 0 ? [rawSide, windowSide] : [windowSide, rawSide]) {
        await wait(200);
        await side();
      }
    }
  } catch (error) {
    result.error = String((error as Error)?.stack ?? error);
  }
  report(result);
}

declare const document: any;

/** Serves the raw WebSocket baseline and receives the pages' results. */
async function startControl(): Promise<{
  url: string;
  result: Promise<PageResult>;
  windowResult: Promise<WindowResult>;
  close(): Promise<void>;
}> {
  let deliver!: (r: PageResult) => void;
  const result = new Promise<PageResult>((resolve) => (deliver = resolve));
  let deliverWindow!: (r: WindowResult) => void;
  const windowResult = new Promise<WindowResult>((resolve) => (deliverWindow = resolve));
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
      const text = data.toString();
      if (text.startsWith('result ')) return deliverWindow(JSON.parse(text.slice('result '.length)) as WindowResult);
      const bytes = Number(/^recv (\d+)$/.exec(text)?.[1] ?? 0);
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
    windowResult,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A TCP server that sends `bytes` of printable text to each connection at once, then ends it. */
async function startTextFlood(bytes: number): Promise<{ port: number; close(): Promise<void> }> {
  const chunk = Buffer.alloc(64 * 1024);
  // Printable with line breaks, so the text view lays out real lines.
  for (let i = 0; i < chunk.length; i++) chunk[i] = i % 100 === 99 ? 0x0a : 0x20 + (i % 95);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(chunk.length, left);
        left -= n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Launches headless Chromium at `url` (no CDP attached) and waits for `until`, then ends it. */
async function withChromium<T>(
  executable: string,
  env: Record<string, string>,
  profile: string,
  url: string,
  until: Promise<T>,
): Promise<T> {
  const chromium = spawn(
    executable,
    [
      ...CHROMIUM_ARGS,
      '--headless',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      `--user-data-dir=${profile}`,
      url,
    ],
    { stdio: 'ignore', detached: true, env },
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
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('browser bench timed out')), 15 * 60_000);
    });
    const died = exited.then(() => Promise.reject(new Error('Chromium exited before the bench finished')));
    try {
      return await Promise.race([until, timeout, died]);
    } finally {
      clearTimeout(timer);
    }
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
  }
}

/**
 * Runs the browser bench and returns its figures, each a median of per-pair ratios with
 * `_min`/`_max`: `browser_recv_ratio` (ours ÷ raw WebSocket, receive throughput at bufferSize
 * 65536), `browser_recv_ratio_4096`, `browser_rtt_ratio` (ours ÷ raw, mean round trip; lower is
 * better), `window_flood_ratio` (the debugging window receiving a flood ÷ the raw WebSocket
 * receive in the same page), and the absolute figures behind them.
 */
export async function runBrowserBench(options: Partial<BenchOptions> = {}): Promise<{ out: Record<string, number>; rows: Row[] }> {
  const { executablePath: executable, env: chromiumEnv } = await findChromium();
  await buildPageBundle();
  const quick = options.quick ?? false;
  const repeats = options.repeat ?? DEFAULT_REPEAT;
  const params: Omit<PageParams, 'control' | 'flood' | 'echo'> = {
    bytes: (quick ? 64 : 256) * MiB,
    repeats,
    rounds: quick ? 500 : 2000,
    bufferSizes: [65536, 4096],
    recv: wants(options, 'browser_recv_ratio'),
    rtt: wants(options, 'browser_rtt_ratio'),
  };
  const runWindow = wants(options, 'window_flood_ratio');
  const windowBytes = (quick ? 16 : 64) * MiB;

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-browser-bench-'));
  const peers = await startPeers();
  const control = await startControl();
  const textFlood = await startTextFlood(windowBytes);
  const pageDir = path.join(work, 'page');
  const windowDir = path.join(work, 'window');
  await fs.mkdir(pageDir);
  let result: PageResult = { recv: {}, rtt: {} };
  let windowResult: WindowResult = { raw: [], window: [] };
  try {
    if (params.recv || params.rtt) {
      const host = await startBrowserHost({ allowAll: true, rendererDir: pageDir, log: () => {} });
      try {
        const full: PageParams = { ...params, control: control.url, flood: peers.ports.flood, echo: peers.ports.echo };
        await fs.writeFile(
          path.join(pageDir, 'index.html'),
          `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">(${pageMain.toString()})(${JSON.stringify(full)});</script>`,
        );
        result = await withChromium(executable, chromiumEnv, path.join(work, 'profile'), host.url, control.result);
      } finally {
        await host.close();
      }
      if (result.error !== undefined) throw new Error(`browser bench page failed: ${result.error}`);
    }
    if (runWindow) {
      // The debugging window itself: the built window plus a driver script (same origin, so the
      // window's CSP admits it), served by its own browser host.
      await fs.cp(RENDERER_DIR, windowDir, { recursive: true });
      const windowParams: WindowParams = { control: control.url, flood: textFlood.port, bytes: windowBytes, repeats };
      await fs.writeFile(path.join(windowDir, 'bench-driver.js'), `(${windowDriver.toString()})(${JSON.stringify(windowParams)});\n`);
      const index = await fs.readFile(path.join(windowDir, 'index.html'), 'utf8');
      await fs.writeFile(
        path.join(windowDir, 'index.html'),
        index.replace('</head>', '<script src="bench-driver.js" defer></script>\n</head>'),
      );
      const windowHost = await startBrowserHost({ allowAll: true, rendererDir: windowDir, log: () => {} });
      try {
        windowResult = await withChromium(executable, chromiumEnv, path.join(work, 'profile-window'), windowHost.url, control.windowResult);
      } finally {
        await windowHost.close();
      }
      if (windowResult.error !== undefined) throw new Error(`window flood page failed: ${windowResult.error}`);
    }
  } finally {
    await textFlood.close();
    await control.close();
    peers.stop();
    await fs.rm(work, { recursive: true, force: true });
  }

  const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
  const out: Record<string, number> = {};
  const rows: Row[] = [];
  const rawMs = result.recv.raw ?? [];
  for (const size of params.recv ? params.bufferSizes : []) {
    const oursMs = result.recv[`ours_${size}`];
    const suffix = size === 65536 ? '' : `_${size}`;
    const s = putSpread(
      out,
      `browser_recv_ratio${suffix}`,
      oursMs.map((ms, i) => rawMs[i] / ms),
    );
    out[`browser_recv_mibps${suffix}`] = round(median(oursMs.map((ms) => mibps(params.bytes, ms))));
    rows.push({
      name: `Chromium page: receive ${params.bytes / MiB} MiB, bufferSize ${size}`,
      ours: `${out[`browser_recv_mibps${suffix}`]} MiB/s`,
      raw: `${round(median(rawMs.map((ms) => mibps(params.bytes, ms))))} MiB/s (WebSocket)`,
      ratio: showSpread(s),
    });
  }
  if (params.recv) out.browser_raw_ws_recv_mibps = round(median(rawMs.map((ms) => mibps(params.bytes, ms))));
  if (params.rtt) {
    const rtt = putSpread(
      out,
      'browser_rtt_ratio',
      result.rtt.ours.map((us, i) => us / result.rtt.raw[i]),
    );
    out.browser_rtt_us = round(median(result.rtt.ours));
    out.browser_raw_ws_rtt_us = round(median(result.rtt.raw));
    rows.push({
      name: `Chromium page: 1-byte round trip, mean of ${params.rounds} (lower is better)`,
      ours: `${out.browser_rtt_us} µs`,
      raw: `${out.browser_raw_ws_rtt_us} µs (WebSocket)`,
      ratio: showSpread(rtt),
    });
  }
  if (runWindow) {
    const flood = putSpread(
      out,
      'window_flood_ratio',
      windowResult.window.map((ms, i) => mibps(windowBytes, ms) / mibps(windowBytes, windowResult.raw[i])),
    );
    out.window_flood_mibps = round(median(windowResult.window.map((ms) => mibps(windowBytes, ms))));
    out.window_raw_ws_recv_mibps = round(median(windowResult.raw.map((ms) => mibps(windowBytes, ms))));
    rows.push({
      name: `debugging window (text view, following): ${windowBytes / MiB} MiB flood`,
      ours: `${out.window_flood_mibps} MiB/s`,
      raw: `${out.window_raw_ws_recv_mibps} MiB/s (WebSocket)`,
      ratio: showSpread(flood),
    });
  }
  return { out, rows };
}

if (require.main === module) {
  runBrowserBench(parseBenchArgs(process.argv.slice(2))).then(
    ({ out, rows }) => {
      for (const r of rows) console.log(`${r.name}  ${r.ours}  ${r.raw}  ${r.ratio}`);
      console.log(JSON.stringify(out));
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
