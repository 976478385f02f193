/**
 * `electron-chrome-sockets serve`: runs a browser host until interrupted and prints its URL.
 */
import { OTHER_SOCKET_APIS, type OtherSocketApi } from '../types';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SocketsManifest } from '../../common/api-types';
import { SocketsPolicy } from '../permissions';
import { DEFAULT_APP, startBrowserHost, type BrowserHost } from './server';

export const SERVE_USAGE = `Usage: electron-chrome-sockets serve [options]

Serves chrome.sockets.tcp / tcpServer / udp to pages in any browser, over a loopback WebSocket.
Prints one URL (with a random token in its #fragment); open it, or pass it to
connectBrowserHost() from 'electron-chrome-sockets/browser'.

Options:
  --port <n>             port to listen on (default: a free one)
  --host <address>       bind this address instead of 127.0.0.1; a non-loopback address makes the
                         server reachable from the network (a warning is printed)
  --allow-origin <url>   also accept pages from this origin, e.g. http://localhost:5173
                         (repeatable; 'null' allows file:// pages)
  --app <name>           the app every page belongs to (default: ${DEFAULT_APP})
  --manifest <file>      grant the permissions of this Chrome App manifest's "sockets" section
  --allow-all            grant every socket permission
  --ca <file>            trust this PEM CA for tcp.secure(), besides Node's roots (repeatable)
  --api <name>           also serve this socket API to pages: mozTCPSocket, direct, w3c or chrome.socket (repeatable)
  --max-connections <n>  page connections served at once (default 16)
  --max-sockets <n>      sockets the app may hold at once (default 4096)
  -h, --help             show this help

Without --manifest or --allow-all pages get Chrome's permission errors for connect, listen,
bind and send.
`;

/** Reads a manifest file and returns its "sockets" section, checked with Chrome's rules. */
export function readManifestSockets(file: string): SocketsManifest {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read manifest ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof manifest !== 'object' || manifest === null || !('sockets' in manifest)) {
    throw new Error(`Manifest ${file} has no "sockets" section`);
  }
  const sockets = (manifest as { sockets: unknown }).sockets;
  // Fails the way Chrome fails to load the app: `Invalid host:port pattern '…'`.
  SocketsPolicy.parse(sockets as SocketsManifest);
  return sockets as SocketsManifest;
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Parses `argv` (after `serve`) and starts the host. Returns it, or undefined after `--help`.
 * Throws on bad arguments.
 */
export async function serve(argv: readonly string[], io: CliIo): Promise<BrowserHost | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      app: { type: 'string' },
      manifest: { type: 'string' },
      'allow-all': { type: 'boolean' },
      ca: { type: 'string', multiple: true },
      api: { type: 'string', multiple: true },
      'max-connections': { type: 'string' },
      'max-sockets': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(SERVE_USAGE);
    return undefined;
  }
  if (values.manifest !== undefined && values['allow-all']) throw new Error('Give --manifest or --allow-all, not both');
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`Invalid --port '${values.port}'`);
  }
  const ca = (values.ca ?? []).map((file) => readFileSync(file, 'utf8'));
  const apis = values.api ?? [];
  for (const api of apis) {
    if (!(OTHER_SOCKET_APIS as readonly string[]).includes(api))
      throw new Error(`Invalid --api '${api}' (one of ${OTHER_SOCKET_APIS.join(', ')})`);
  }
  const positive = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^[1-9]\d{0,8}$/.test(text)) throw new Error(`Invalid --${flag} '${text}' (a positive whole number)`);
    return Number(text);
  };
  const maxConnections = positive('max-connections', values['max-connections']);
  const maxSockets = positive('max-sockets', values['max-sockets']);
  const sockets = values.manifest === undefined ? undefined : readManifestSockets(values.manifest);
  const host = await startBrowserHost({
    port,
    hostname: values.host,
    allowNonLoopback: values.host !== undefined,
    allowOrigins: values['allow-origin'],
    app: values.app,
    sockets,
    allowAll: values['allow-all'],
    apis: apis as OtherSocketApi[],
    hostOptions: {
      ...(ca.length > 0 ? { tls: { ca } } : {}),
      ...(maxSockets !== undefined ? { limits: { maxSocketsPerApp: maxSockets } } : {}),
    },
    maxConnections,
    log: io.err,
  });
  if (sockets === undefined && !values['allow-all']) {
    io.err('browser-host: no --manifest or --allow-all: pages may not connect, listen, bind or send.');
  }
  io.out(host.url);
  return host;
}

/** The `serve` command as a process: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[]): Promise<number> {
  const io: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
  let host: BrowserHost | undefined;
  try {
    host = await serve(argv, io);
  } catch (err) {
    io.err(`electron-chrome-sockets serve: ${err instanceof Error ? err.message : String(err)}`);
    io.err('Run with --help for usage.');
    return 2;
  }
  if (host === undefined) return 0;
  const running = host;
  // The handlers stay until the host has closed: a terminal's Ctrl-C reaches the whole process
  // group, so a parent (npm start) forwarding it sends a second signal while we are closing, and
  // that one must not end the process mid-close with the default action.
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await stopped;
    await running.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
