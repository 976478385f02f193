/**
 * IP literals as Chromium parses them (net::IPAddress::AssignFromIPLiteral, which hands the
 * string to the URL library's IPv4AddressToNumber / IPv6AddressToNumber). tcpServer.listen,
 * udp.bind and udp.joinGroup accept only these (spec §8 item 12); the result is the canonical
 * text Chrome prints back (IPAddress::ToString).
 */
import * as net from 'node:net';

export interface IpLiteral {
  /** Canonical text: dotted quad, or RFC 5952 IPv6 without brackets. */
  readonly address: string;
  readonly family: 4 | 6;
}

// The URL parser strips tabs and newlines anywhere and decodes percent escapes; Chromium's
// IP parsers see the raw string, so only the characters a literal can hold get that far.
const IPV4_CHARS = /^[0-9a-fA-FxX.]+$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]+$/;

/**
 * The literal in `text`, or undefined for anything else (host names, zone ids, junk). Like
 * Chrome's URL-based parser it takes the IPv4 short forms too: `127.1`, `0x7f.0.0.1`, octal.
 */
export function parseIpLiteral(text: string): IpLiteral | undefined {
  if (text.includes(':')) {
    if (!IPV6_CHARS.test(text)) return undefined;
    let host: string;
    try {
      host = new URL(`http://[${text}]/`).hostname;
    } catch {
      return undefined;
    }
    return { address: host.slice(1, -1), family: 6 };
  }
  if (!IPV4_CHARS.test(text)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${text}/`).hostname;
  } catch {
    return undefined;
  }
  return net.isIPv4(host) ? { address: host, family: 4 } : undefined;
}
