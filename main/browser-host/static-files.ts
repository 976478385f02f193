/**
 * The browser host's static files: the debugging window (dist/renderer/) at `/`, and the page
 * bundle (dist/browser/) under `/browser/`. Read-only, GET/HEAD, no directory listings, no path
 * outside the two folders.
 */
import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
};

/** Where the package's built pages live, relative to this compiled file (dist/main/browser-host). */
export const DEFAULT_RENDERER_DIR = path.resolve(__dirname, '../../renderer');
export const DEFAULT_BROWSER_DIR = path.resolve(__dirname, '../../browser');

/** Served at `/` until the debugging window is built. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>electron-chrome-sockets</title></head>
<body>
<h1>electron-chrome-sockets browser host</h1>
<p>The socket debugging window is not built: build the renderer (<code>npm run build</code>) and reload.</p>
<p>Pages can still use the API: <code>import { connectBrowserHost } from '/browser/index.mjs'</code>,
then <code>const chrome = await connectBrowserHost(location.href)</code>
(or load <code>/browser/electron-chrome-sockets.js</code> and use <code>ElectronChromeSockets.connectBrowserHost</code>).</p>
</body></html>
`;

export interface StaticFilesOptions {
  rendererDir: string;
  browserDir: string;
  /** Origins other than its own that may load `/browser/` (CORS for module scripts). */
  allowedOrigins: ReadonlySet<string>;
}

/** Resolves a URL path under `root`, or undefined for anything that escapes it or is hidden. */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '..' || p.startsWith('.') || p.includes('\\'))) return undefined;
  const file = path.join(root, ...parts);
  return file.startsWith(root + path.sep) ? file : undefined;
}

export async function readFile(file: string): Promise<Buffer | undefined> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : undefined;
  } catch {
    return undefined;
  }
}

export function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: Buffer | string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // No other page may frame the window (clickjacking its buttons); only a response header
    // can say so, a <meta> CSP cannot carry frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "frame-ancestors 'none'",
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers one HTTP request that already passed the Host check. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, opts: StaticFilesOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, req, 405, 'text/plain; charset=utf-8', 'Method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  const urlPath = (req.url ?? '/').split(/[?#]/, 1)[0];
  let file: string | undefined;
  const extra: Record<string, string> = {};
  if (urlPath.startsWith('/browser/')) {
    file = resolveUnder(opts.browserDir, urlPath.slice('/browser'.length));
    const origin = req.headers.origin;
    if (origin !== undefined && opts.allowedOrigins.has(origin)) {
      extra['Access-Control-Allow-Origin'] = origin;
      extra.Vary = 'Origin';
    }
  } else {
    file = resolveUnder(opts.rendererDir, urlPath === '/' ? '/index.html' : urlPath);
  }
  const body = file === undefined ? undefined : await readFile(file);
  if (body !== undefined && file !== undefined) {
    send(res, req, 200, CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body, extra);
  } else if (urlPath === '/' || urlPath === '/index.html') {
    send(res, req, 200, CONTENT_TYPES['.html'], NOT_BUILT_PAGE);
  } else if (urlPath === '/favicon.ico') {
    // Browsers ask for it unprompted; a 404 would be console noise in every page.
    res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
  } else {
    send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
  }
}
