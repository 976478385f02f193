/**
 * The browser host's gatekeeping, as pure functions of a request: which `Host` headers, which
 * `Origin`s and which token it accepts. A refusal is a reason string for the log; `undefined`
 * means the check passed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The WebSocket subprotocol the page must offer; the server selects it. */
export const SUBPROTOCOL = 'electron-chrome-sockets';
/** The page offers the token as a second subprotocol, `token.<hex>`, never in a URL. */
export const TOKEN_PROTOCOL_PREFIX = 'token.';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.split('.')[0] === '127';
}

export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '[::]';
}

/** `[::1]` for IPv6 literals, as they appear in a URL or a Host header. */
export function hostForUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/**
 * The Host-header check that defeats DNS rebinding: a page on `evil.example` whose name was
 * rebound to 127.0.0.1 still sends `Host: evil.example:port`. Accepted: the address served
 * (`127.0.0.1:port`), `localhost:port` when serving loopback (browsers never resolve
 * `localhost` through DNS), and, only when bound to a wildcard address with `--host`, any IP
 * literal with the port. Never another name.
 */
export function checkHostHeader(header: string | undefined, bound: string, port: number): string | undefined {
  if (header === undefined || header === '') return 'missing Host header';
  const value = header.toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value);
  // Browsers leave out the port when it is the scheme's default (80 for http).
  if (!match || Number(match[2] ?? 80) !== port) return `Host header '${header}' is not the address:port served`;
  const name = match[1];
  const literal = name.replace(/^\[|\]$/g, '');
  if (name === hostForUrl(bound).toLowerCase()) return undefined;
  if (name === 'localhost' && (isLoopbackAddress(bound) || isWildcardAddress(bound))) return undefined;
  if (isWildcardAddress(bound) && isIP(literal) !== 0) return undefined;
  return `Host header '${header}' is not the address:port served (DNS rebinding?)`;
}

/** `https://Example.com:443/` → `https://example.com`: the form browsers send in `Origin`. */
export function normalizeOrigin(origin: string): string {
  if (origin === 'null') return origin;
  try {
    return new URL(origin).origin;
  } catch {
    throw new Error(`Invalid origin '${origin}' (expected e.g. http://localhost:3000)`);
  }
}

/**
 * The page's own origin is `http://<the Host header it used>`. Other origins need
 * `--allow-origin`. A request without `Origin` comes from a non-browser client (browsers always
 * send it on WebSocket handshakes), which no web page can drive; it still needs the token.
 */
export function checkOrigin(origin: string | undefined, hostHeader: string, allowed: ReadonlySet<string>): string | undefined {
  if (origin === undefined) return undefined;
  if (origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`) return undefined;
  if (allowed.has(origin === 'null' ? origin : safeOrigin(origin))) return undefined;
  return `Origin '${origin}' is not allowed (use --allow-origin)`;
}

function safeOrigin(origin: string): string {
  try {
    return normalizeOrigin(origin);
  } catch {
    return '';
  }
}

/** A fresh random 128-bit token, as 32 hex digits. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Finds `token.<hex>` among the offered subprotocols and compares it with the expected token in
 * constant time (both sides hashed first, so lengths never differ and nothing short-circuits).
 */
export function checkToken(offered: ReadonlySet<string>, expectedDigest: Buffer): string | undefined {
  if (!offered.has(SUBPROTOCOL)) return `subprotocol '${SUBPROTOCOL}' not offered`;
  const tokens = [...offered].filter((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (tokens.length === 0) return 'missing token';
  if (tokens.length > 1) return 'more than one token offered';
  const given = digest(tokens[0].slice(TOKEN_PROTOCOL_PREFIX.length));
  return timingSafeEqual(given, expectedDigest) ? undefined : 'wrong token';
}

/** Checks `Authorization: Bearer <token>` (the inspection endpoint), in constant time. */
export function checkBearer(header: string | undefined, expectedDigest: Buffer): string | undefined {
  const match = /^Bearer ([0-9a-f]+)$/i.exec(header ?? '');
  if (match === null) return 'missing token';
  return timingSafeEqual(digest(match[1]), expectedDigest) ? undefined : 'wrong token';
}

/** Parses `Sec-WebSocket-Protocol` (comma-separated) into a set. */
export function offeredProtocols(header: string | string[] | undefined): Set<string> {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}
