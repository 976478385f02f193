/**
 * Host names as the host resolves them. The name a permission is checked against must be the
 * name that is resolved: getaddrinfo stops at a NUL, the C library reads `0x7f.1` as 127.0.0.1,
 * and a zone id or a percent escape means something to one parser and nothing to another. So
 * every name is validated and canonicalised once, before the permission check, and only the
 * canonical form is checked and resolved. A name no host can hold fails as Chrome fails it:
 * `-105 net::ERR_NAME_NOT_RESOLVED`.
 */
import { isIPv4 } from 'node:net';
import { domainToASCII } from 'node:url';
import { parseIpLiteral } from './ip-literal';

export interface CanonicalHost {
  /** Lower case, IDN labels as punycode, IPv4 in dotted-quad form, IPv6 as RFC 5952 without brackets, no trailing dot. */
  readonly name: string;
  /** 4 or 6 for an IP literal, 0 for a name the resolver looks up. */
  readonly family: 0 | 4 | 6;
}

/** RFC 1035: 63 bytes a label, 253 for the name written without its trailing dot. */
const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * ASCII a name may be written with before canonicalisation: letters, digits, '-', '_' (common in
 * real names, and Chrome resolves them) and '.'. Everything else in ASCII (NUL and other
 * controls, space, '%', '/', '\\', '@', '#', '?', ':' outside an IPv6 literal…) is refused;
 * non-ASCII goes through IDNA.
 */
const ASCII_NAME_CHARS = /^[A-Za-z0-9._\-\u0080-\uffff]+$/;
const CANONICAL_NAME = /^[a-z0-9._-]+$/;

/**
 * The canonical form of `input`, or undefined when it is not a host name or IP literal that
 * could be resolved. IPv6 may be bracketed (`[::1]`) and never carries a zone id.
 */
export function canonicalHost(input: string): CanonicalHost | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > 1024) return undefined;
  if (input.startsWith('[') || input.includes(':')) {
    const inner = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
    const literal = parseIpLiteral(inner);
    return literal?.family === 6 ? { name: literal.address, family: 6 } : undefined;
  }
  if (!ASCII_NAME_CHARS.test(input)) return undefined;
  // The URL host parser: lower case, IDNA to punycode, IPv4 short, octal and hex forms to a
  // dotted quad; '' for what it refuses (bad punycode, "1.2.3.999", a numeric last label).
  let name = domainToASCII(input);
  if (name === '' || !CANONICAL_NAME.test(name)) return undefined;
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > MAX_NAME) return undefined;
  if (isIPv4(name)) return { name, family: 4 };
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > MAX_LABEL) return undefined;
  }
  return { name, family: 0 };
}
