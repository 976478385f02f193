/**
 * The manifest `"sockets"` permission (spec §5), enforced with Chromium's own pattern rules:
 * parsing as in `SocketPermissionEntry::ParseHostPattern` and `SocketsManifestPermission::FromValue`,
 * matching as in `SocketPermissionEntry::Check`, written back as in `GetHostPatternAsString` and
 * `SocketsManifestPermission::ToValue`.
 */
import { isIPv6 } from 'node:net';
import type { SocketsManifest } from '../common/api-types';

/**
 * What a call asks permission for; Chrome's `SocketPermissionRequest::OperationType` values
 * `TCP_CONNECT`, `TCP_LISTEN`, `UDP_BIND`, `UDP_SEND_TO` and `UDP_MULTICAST_MEMBERSHIP`.
 */
export type SocketOperation = 'tcp-connect' | 'tcp-listen' | 'udp-bind' | 'udp-send' | 'udp-multicast-membership';

/** The manifest that grants every operation on every host and port (each value is `""`). */
export const ALLOW_ALL_SOCKETS: SocketsManifest = Object.freeze({
  tcp: Object.freeze({ connect: '' }),
  tcpServer: Object.freeze({ listen: '' }),
  udp: Object.freeze({ bind: '', send: '', multicastMembership: '' }),
});

/**
 * The normalised form `toJSON()` gives: Chrome's `ToValue()`, every value a list of patterns as
 * Chrome writes them back, a namespace left out when it grants nothing.
 */
export interface SocketsPolicyJSON {
  tcp?: { connect: string[] };
  tcpServer?: { listen: string[] };
  udp?: { bind: string[]; multicastMembership: string[]; send: string[] };
}

/**
 * The one table of manifest keys. Its order is the order Chrome parses them in
 * (`SocketsManifestPermission::FromValue`: udp bind, send, multicastMembership, then tcp, then
 * tcpServer), so the first bad pattern reported is the one Chrome would report.
 */
const MANIFEST_KEYS = {
  udp: { bind: 'udp-bind', send: 'udp-send', multicastMembership: 'udp-multicast-membership' },
  tcp: { connect: 'tcp-connect' },
  tcpServer: { listen: 'tcp-listen' },
} as const satisfies Record<string, Record<string, SocketOperation>>;

type ManifestNamespace = keyof typeof MANIFEST_KEYS;

/** Chrome's `kWildcardPortNumber`: a pattern port of 0 matches any port. */
const ANY_PORT = 0;

/**
 * joinGroup, leaveGroup and getJoinedGroups check a fixed request, not their arguments
 * (`kWildcardAddress`, `kWildcardPort` in sockets_udp_api.cc).
 */
const MEMBERSHIP_REQUEST_HOST = '*';
const MEMBERSHIP_REQUEST_PORT = 0;

/** One parsed pattern: Chrome's `SocketPermissionEntry`. */
interface Entry {
  readonly op: SocketOperation;
  /** Lower-cased; `""` with `matchSubdomains` means any host. */
  readonly host: string;
  readonly matchSubdomains: boolean;
  /** 1..65535, or `ANY_PORT`. */
  readonly port: number;
}

/**
 * The app's granted socket operations, parsed once from its manifest section.
 * Immutable; `allows()` is the only question it answers.
 */
export class SocketsPolicy {
  private readonly entries: ReadonlyMap<SocketOperation, readonly Entry[]>;

  private constructor(entries: Map<SocketOperation, Entry[]>) {
    this.entries = entries;
  }

  /**
   * Parses a manifest `"sockets"` section; `undefined` gives a policy that grants nothing.
   * Throws `Error` with Chrome's `Invalid host:port pattern '<pattern>'` for a bad pattern, and
   * an `Error` naming the offending key for a section of the wrong shape.
   */
  static parse(section: SocketsManifest | undefined): SocketsPolicy {
    const entries = new Map<SocketOperation, Entry[]>();
    if (section === undefined) return new SocketsPolicy(entries);

    // Chrome checks the whole section's types (Sockets::FromValue) before parsing any
    // pattern, so a shape error wins over a pattern error wherever each occurs.
    const values = readSection(section);

    for (const { op, patterns } of values) {
      for (const pattern of patterns) {
        const entry = parseHostPattern(op, pattern);
        if (entry === undefined) throw new Error(`Invalid host:port pattern '${pattern}'`);
        addEntry(entries, entry);
      }
    }
    return new SocketsPolicy(entries);
  }

  /**
   * Whether the manifest permits `op` on `host`:`port`, checked as Chrome checks it: against the
   * literal argument (ASCII lower-cased, never resolved), passing if any entry of that operation
   * matches. `port` is the 16-bit value the call will use; other numbers are reduced the way
   * Chrome's `uint16_t` parameter reduces them. For `'udp-multicast-membership'` the arguments
   * are ignored: Chrome always checks the fixed request `"*"`, port 0.
   */
  allows(op: SocketOperation, host: string, port: number): boolean {
    const candidates = this.entries.get(op);
    if (candidates === undefined) return false;
    if (op === 'udp-multicast-membership') {
      host = MEMBERSHIP_REQUEST_HOST;
      port = MEMBERSHIP_REQUEST_PORT;
    }
    const lhost = toLowerAscii(host);
    const port16 = port & 0xffff;
    return candidates.some((entry) => entryMatches(entry, lhost, port16));
  }

  /**
   * The policy as Chrome writes it back (`SocketsManifestPermission::ToValue`): duplicates
   * merged, patterns normalised (`""` → `"*:*"`, `".a.com"` → `"*.a.com:*"`), keys sorted.
   */
  toJSON(): SocketsPolicyJSON {
    const out: SocketsPolicyJSON = {};
    const list = (op: SocketOperation) => (this.entries.get(op) ?? []).map(patternAsString);
    const connect = list('tcp-connect');
    if (connect.length > 0) out.tcp = { connect };
    const listen = list('tcp-listen');
    if (listen.length > 0) out.tcpServer = { listen };
    const bind = list('udp-bind');
    const multicastMembership = list('udp-multicast-membership');
    const send = list('udp-send');
    if (bind.length + multicastMembership.length + send.length > 0) {
      out.udp = { bind, multicastMembership, send };
    }
    return out;
  }
}

/** Validates the section's shape and flattens it into (operation, patterns) in Chrome's order. */
function readSection(section: unknown): Array<{ op: SocketOperation; patterns: string[] }> {
  if (!isPlainObject(section)) throw new Error(`Manifest key 'sockets' must be an object`);
  for (const key of Object.keys(section)) {
    if (!Object.hasOwn(MANIFEST_KEYS, key)) {
      throw new Error(`Unknown key 'sockets.${key}' (expected tcp, tcpServer or udp)`);
    }
  }
  const out: Array<{ op: SocketOperation; patterns: string[] }> = [];
  for (const ns of Object.keys(MANIFEST_KEYS) as ManifestNamespace[]) {
    const opsValue = ownValue(section, ns);
    if (opsValue === undefined) continue;
    if (!isPlainObject(opsValue)) throw new Error(`Manifest key 'sockets.${ns}' must be an object`);
    const table: Record<string, SocketOperation> = MANIFEST_KEYS[ns];
    for (const key of Object.keys(opsValue)) {
      if (!Object.hasOwn(table, key)) {
        throw new Error(`Unknown key 'sockets.${ns}.${key}' (expected ${Object.keys(table).join(', ')})`);
      }
    }
    for (const [key, op] of Object.entries(table)) {
      const value = ownValue(opsValue, key);
      if (value === undefined) continue;
      if (typeof value === 'string') {
        out.push({ op, patterns: [value] });
      } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
        out.push({ op, patterns: [...(value as string[])] });
      } else {
        throw new Error(`Manifest key 'sockets.${ns}.${key}' must be a string or an array of strings`);
      }
    }
  }
  return out;
}

/** Own properties only: a manifest is JSON, and a prototype must not grant anything. */
function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Chrome keeps entries in a std::set: ordered by (host, subdomains, port), no duplicates. */
function addEntry(entries: Map<SocketOperation, Entry[]>, entry: Entry): void {
  let list = entries.get(entry.op);
  if (list === undefined) entries.set(entry.op, (list = []));
  if (list.some((e) => compareEntries(e, entry) === 0)) return;
  list.push(entry);
  list.sort(compareEntries);
}

function compareEntries(a: Entry, b: Entry): number {
  // std::string compares bytes, not UTF-16 code units.
  const byHost = Buffer.compare(Buffer.from(a.host), Buffer.from(b.host));
  if (byHost !== 0) return byHost;
  if (a.matchSubdomains !== b.matchSubdomains) return a.matchSubdomains ? 1 : -1;
  return a.port - b.port;
}

/** Operations a host:port pattern makes sense for; membership takes only `""`. */
function isAddressBound(op: SocketOperation): boolean {
  return op !== 'udp-multicast-membership';
}

/**
 * `SocketPermissionEntry::ParseHostPattern`. Returns undefined where Chrome returns false.
 * The pattern is split on every ':' (so an IPv6 literal can never be written), the empty string
 * gives no tokens at all (which is why only `""` is valid for membership).
 */
function parseHostPattern(op: SocketOperation, pattern: string): Entry | undefined {
  const tokens = pattern === '' ? [] : pattern.split(':');
  if (tokens.length > 2) return undefined;
  if (tokens.length === 0) return { op, host: '', matchSubdomains: true, port: ANY_PORT };
  if (!isAddressBound(op)) return undefined;

  let host = tokens[0]!;
  let matchSubdomains = true;
  if (host !== '') {
    if (startsOrEndsWithWhitespace(host)) return undefined;
    // Chrome trims each dot-separated label, so "a. b.com" quietly becomes "a.b.com"; only
    // whitespace at either end of the whole host is an error.
    const labels = toLowerAscii(host).split('.').map(trimAsciiWhitespace);
    if (labels[0] === '*' || labels[0] === '') labels.shift();
    else matchSubdomains = false;
    host = labels.join('.');
  }

  const portToken = tokens[1];
  if (portToken === undefined || portToken === '' || portToken === '*') {
    return { op, host, matchSubdomains, port: ANY_PORT };
  }
  // base::StringToInt: optional '+' or '-', then decimal digits only. Whitespace (which Chrome
  // rejects before converting) fails this too, and a '-' can never yield a port in range.
  if (!/^\+?[0-9]+$/.test(portToken)) return undefined;
  const port = Number(portToken);
  if (port < 1 || port > 65535) return undefined;
  return { op, host, matchSubdomains, port };
}

/** `SocketPermissionEntry::Check`, after the operation type has matched. */
function entryMatches(entry: Entry, lhost: string, port: number): boolean {
  if (entry.host !== lhost) {
    if (!entry.matchSubdomains) return false;
    if (entry.host !== '') {
      // Never wildcard part of an IP address: "*.168.0.1" must not match 192.168.0.1.
      if (isCanonicalIPAddress(lhost)) return false;
      // One or more characters, a '.', then the pattern host.
      if (lhost.length < entry.host.length + 2) return false;
      if (!lhost.endsWith(`.${entry.host}`)) return false;
    }
  }
  return entry.port === port || entry.port === ANY_PORT;
}

/** `SocketPermissionEntry::GetHostPatternAsString`. */
function patternAsString(entry: Entry): string {
  if (!isAddressBound(entry.op)) return '';
  let host = entry.host;
  if (entry.matchSubdomains) host = host === '' ? '*' : `*.${host}`;
  return `${host}:${entry.port === ANY_PORT ? '*' : String(entry.port)}`;
}

// ---- string helpers with Chromium's ASCII-only semantics ----

/** base's kWhitespaceASCII: TAB, LF, VT, FF, CR, SPACE. */
const ASCII_WHITESPACE = '\t\n\v\f\r ';

function isAsciiWhitespace(c: string): boolean {
  return ASCII_WHITESPACE.includes(c);
}

function startsOrEndsWithWhitespace(s: string): boolean {
  return s !== '' && (isAsciiWhitespace(s[0]!) || isAsciiWhitespace(s[s.length - 1]!));
}

function trimAsciiWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiWhitespace(s[start]!)) start++;
  while (end > start && isAsciiWhitespace(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** base::ToLowerASCII: only A-Z change, so "İ" or "K" (Kelvin) stay as written. */
function toLowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

// ---- url::CanonicalizeIPAddress, reduced to "is this an IP literal?" ----

/**
 * Whether Chrome's URL canonicaliser calls `host` an IP address (family IPV4 or IPV6). IPv4
 * follows the URL standard: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x), the last
 * part filling the remaining bytes, one trailing dot allowed. "BROKEN" look-alikes such as
 * "1.2.3.999" are not addresses, so a domain pattern may match them. IPv6 counts only inside
 * brackets, as in a URL.
 */
function isCanonicalIPAddress(host: string): boolean {
  return isIPv4Literal(host) || isBracketedIPv6(host);
}

function isBracketedIPv6(host: string): boolean {
  if (host.length < 2 || host[0] !== '[' || host[host.length - 1] !== ']') return false;
  const inner = host.slice(1, -1);
  // Chrome's parser has no zone ids; Node's isIPv6 accepts them.
  return !inner.includes('%') && isIPv6(inner);
}

type Ipv4Part = number | 'neutral' | 'broken';

function isIPv4Literal(host: string): boolean {
  const body = host.endsWith('.') ? host.slice(0, -1) : host;
  if (body === '') return false;
  const parts = body.split('.');
  if (parts.length > 4) {
    // Chrome reads from the end and gives up (BROKEN or NEUTRAL) before a fifth part; either
    // way it is not an address.
    return false;
  }
  const values: number[] = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    const value = ipv4PartToNumber(parts[i]!);
    // A non-numeric last part means a host name; anything else non-numeric is BROKEN.
    if (typeof value !== 'number') return false;
    values.push(value);
  }
  // values[0] is the last part; every other part must fit one byte.
  for (let i = 1; i < values.length; i++) if (values[i]! > 0xff) return false;
  const lastBytes = 5 - values.length;
  return values[0]! < 2 ** (8 * lastBytes);
}

/** url's IPv4ComponentToNumber. */
function ipv4PartToNumber(part: string): Ipv4Part {
  if (part === '') return 'neutral';
  let radix = 10;
  let prefix = 0;
  if (part[0] === '0' && part.length > 1) {
    if (part[1] === 'x' || part[1] === 'X') {
      radix = 16;
      prefix = 2;
    } else {
      radix = 8;
      prefix = 1;
    }
  }
  const digits = part.slice(prefix);
  const valid = radix === 16 ? /^[0-9a-fA-F]*$/ : radix === 8 ? /^[0-7]*$/ : /^[0-9]*$/;
  if (!valid.test(digits)) {
    // An octal-looking part with 8 or 9 in it is BROKEN, not a host name.
    return radix === 8 && /^[0-9]*$/.test(digits) ? 'broken' : 'neutral';
  }
  const value = digits === '' ? 0n : BigInt(radix === 16 ? `0x${digits}` : radix === 8 ? `0o${digits}` : digits);
  return value > 0xffffffffn ? 'broken' : Number(value);
}
