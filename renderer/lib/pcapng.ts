/**
 * A small pcapng writer for captures of the window's sockets (and tapped app sockets): TCP streams
 * and UDP datagrams become synthetic IPv4/IPv6 packets on a LINKTYPE_RAW interface, with real
 * ports, stream-offset sequence numbers, a synthetic three-way handshake and correct checksums,
 * so Wireshark (Follow TCP Stream) and `tcpdump -r` read the same bytes the log shows.
 *
 * Format: pcapng (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface Description
 * Block (LINKTYPE_RAW = 101, microsecond timestamps), then one Enhanced Packet Block per packet.
 * Everything little-endian. DOM-free and Node-free: the window builds the file in the page.
 */

/** LINKTYPE_RAW: each packet starts with its IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

/** Largest TCP payload per synthetic segment (fits an IPv4 packet's 16-bit total length). */
export const MAX_SEGMENT = 65535 - 20 - 20;
/** Synthetic initial sequence numbers; stream offset 0 is ISN + 1, as after a real SYN. */
const ISN_LOCAL = 0x1000;
const ISN_PEER = 0x8000;

export interface Endpoint {
  /** An IPv4 or IPv6 literal. */
  readonly address: string;
  readonly port: number;
}

/** One chunk of a TCP stream: `offset` is its position in its direction's stream. */
export interface TcpChunk {
  readonly time: number;
  readonly dir: 'tx' | 'rx';
  readonly bytes: Uint8Array;
  readonly offset: number;
}

export interface TcpCapture {
  readonly kind: 'tcp';
  readonly local: Endpoint;
  readonly peer: Endpoint;
  /** Who opened the connection: the local socket (a client) or the peer (an accepted socket). */
  readonly initiator: 'local' | 'peer';
  readonly chunks: readonly TcpChunk[];
  /** Adds a FIN from this side after the last chunk (the peer closed, or the socket was closed). */
  readonly finBy?: 'local' | 'peer';
}

export interface UdpDatagram {
  readonly time: number;
  readonly dir: 'tx' | 'rx';
  readonly bytes: Uint8Array;
  /** The remote end: the source of an rx datagram, the destination of a tx one. */
  readonly remote: Endpoint;
}

export interface UdpCapture {
  readonly kind: 'udp';
  readonly local: Endpoint;
  readonly datagrams: readonly UdpDatagram[];
}

export type Capture = TcpCapture | UdpCapture;

/** A packet before framing: epoch ms and the IP packet bytes. */
interface Packet {
  time: number;
  data: Uint8Array;
}

// ---- addresses ------------------------------------------------------------------------------

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]!)) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | undefined {
  let s = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4).
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tail: Uint8Array | undefined;
  if (v4) {
    tail = parseIPv4(v4[1]!);
    if (!tail) return undefined;
    s = `${s.slice(0, -v4[1]!.length)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** The address bytes (4 or 16); an unparseable address (a host name) becomes 0.0.0.0. */
export function addressBytes(address: string): Uint8Array {
  return parseIPv4(address) ?? parseIPv6(address) ?? new Uint8Array(4);
}

// ---- checksums and headers ------------------------------------------------------------------

function sum16(bytes: Uint8Array, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** IP packet around a transport segment (`proto` 6 TCP, 17 UDP), with both checksums filled. */
function ipPacket(src: Uint8Array, dst: Uint8Array, proto: number, segment: Uint8Array, checksumAt: number, id: number): Uint8Array {
  const v6 = src.length === 16 || dst.length === 16;
  const s = v6 && src.length === 4 ? mapped(src) : src;
  const d = v6 && dst.length === 4 ? mapped(dst) : dst;
  // Pseudo-header sum (RFC 793 / RFC 8200 §8.1), then the segment's checksum field.
  const len = segment.length;
  let pseudo = sum16(s) + sum16(d) + proto + (len & 0xffff) + Math.floor(len / 0x10000);
  pseudo = sum16(segment, pseudo);
  let ck = fold(pseudo);
  if (proto === 17 && ck === 0) ck = 0xffff;
  segment[checksumAt] = ck >> 8;
  segment[checksumAt + 1] = ck & 0xff;
  if (v6) {
    const p = new Uint8Array(40 + len);
    const v = new DataView(p.buffer);
    v.setUint32(0, 0x60000000);
    v.setUint16(4, len);
    p[6] = proto;
    p[7] = 64;
    p.set(s, 8);
    p.set(d, 24);
    p.set(segment, 40);
    return p;
  }
  const p = new Uint8Array(20 + len);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, 20 + len);
  v.setUint16(4, id & 0xffff);
  v.setUint16(6, 0x4000); // don't fragment
  p[8] = 64;
  p[9] = proto;
  p.set(s, 12);
  p.set(d, 16);
  v.setUint16(10, fold(sum16(p.subarray(0, 20))));
  p.set(segment, 20);
  return p;
}

function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function tcpSegment(srcPort: number, dstPort: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const seg = new Uint8Array(20 + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint32(4, seq >>> 0);
  v.setUint32(8, ack >>> 0);
  v.setUint16(12, (5 << 12) | flags);
  v.setUint16(14, 65535);
  seg.set(payload, 20);
  return seg;
}

function udpSegment(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const seg = new Uint8Array(8 + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint16(4, Math.min(0xffff, 8 + payload.length));
  seg.set(payload, 8);
  return seg;
}

// ---- captures to packets --------------------------------------------------------------------

function tcpPackets(c: TcpCapture, nextId: () => number): Packet[] {
  const out: Packet[] = [];
  const L = addressBytes(c.local.address);
  const P = addressBytes(c.peer.address);
  const lp = c.local.port;
  const pp = c.peer.port;
  // Sequence numbers are stream offsets past the synthetic ISNs; acks follow what the other
  // side has sent so far, so Wireshark's analysis sees a clean stream.
  let txEnd = 0;
  let rxEnd = 0;
  const send = (time: number, fromLocal: boolean, flags: number, seq: number, ack: number, payload: Uint8Array) => {
    const seg = fromLocal ? tcpSegment(lp, pp, seq, ack, flags, payload) : tcpSegment(pp, lp, seq, ack, flags, payload);
    out.push({ time, data: fromLocal ? ipPacket(L, P, 6, seg, 16, nextId()) : ipPacket(P, L, 6, seg, 16, nextId()) });
  };
  const t0 = c.chunks.length ? c.chunks[0]!.time : 0;
  const localFirst = c.initiator === 'local';
  const none = new Uint8Array(0);
  send(t0, localFirst, TCP_SYN, localFirst ? ISN_LOCAL : ISN_PEER, 0, none);
  send(t0, !localFirst, TCP_SYN | TCP_ACK, localFirst ? ISN_PEER : ISN_LOCAL, (localFirst ? ISN_LOCAL : ISN_PEER) + 1, none);
  send(t0, localFirst, TCP_ACK, (localFirst ? ISN_LOCAL : ISN_PEER) + 1, (localFirst ? ISN_PEER : ISN_LOCAL) + 1, none);
  let last = t0;
  for (const chunk of c.chunks) {
    last = chunk.time;
    const fromLocal = chunk.dir === 'tx';
    for (let at = 0; at < chunk.bytes.length || (at === 0 && chunk.bytes.length === 0); at += MAX_SEGMENT) {
      const piece = chunk.bytes.subarray(at, at + MAX_SEGMENT);
      if (piece.length === 0) break;
      const offset = chunk.offset + at;
      if (fromLocal) {
        send(chunk.time, true, TCP_ACK | TCP_PSH, ISN_LOCAL + 1 + offset, ISN_PEER + 1 + rxEnd, piece);
        txEnd = Math.max(txEnd, offset + piece.length);
      } else {
        send(chunk.time, false, TCP_ACK | TCP_PSH, ISN_PEER + 1 + offset, ISN_LOCAL + 1 + txEnd, piece);
        rxEnd = Math.max(rxEnd, offset + piece.length);
      }
    }
  }
  if (c.finBy === 'local') send(last, true, TCP_FIN | TCP_ACK, ISN_LOCAL + 1 + txEnd, ISN_PEER + 1 + rxEnd, none);
  if (c.finBy === 'peer') send(last, false, TCP_FIN | TCP_ACK, ISN_PEER + 1 + rxEnd, ISN_LOCAL + 1 + txEnd, none);
  return out;
}

function udpPackets(c: UdpCapture, nextId: () => number): Packet[] {
  const L = addressBytes(c.local.address);
  return c.datagrams.map((d) => {
    const R = addressBytes(d.remote.address);
    const data =
      d.dir === 'tx'
        ? ipPacket(L, R, 17, udpSegment(c.local.port, d.remote.port, d.bytes), 6, nextId())
        : ipPacket(R, L, 17, udpSegment(d.remote.port, c.local.port, d.bytes), 6, nextId());
    return { time: d.time, data };
  });
}

// ---- pcapng framing -------------------------------------------------------------------------

function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, 8);
  v.setUint32(total - 4, total, true);
  return out;
}

function sectionHeader(): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  // Section length unknown: -1.
  v.setInt32(8, -1, true);
  v.setInt32(12, -1, true);
  return block(BLOCK_SHB, body);
}

function interfaceDescription(): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(0, LINKTYPE_RAW, true);
  v.setUint32(4, 0, true); // snaplen: no limit
  return block(BLOCK_IDB, body);
}

function enhancedPacket(p: Packet): Uint8Array {
  const body = new Uint8Array(20 + ((p.data.length + 3) & ~3));
  const v = new DataView(body.buffer);
  // Microseconds since the epoch (the IDB's default if_tsresol), as two 32-bit halves.
  const us = Math.max(0, Math.round(p.time * 1000));
  v.setUint32(0, 0, true);
  v.setUint32(4, Math.floor(us / 0x100000000), true);
  v.setUint32(8, us % 0x100000000, true);
  v.setUint32(12, p.data.length, true);
  v.setUint32(16, p.data.length, true);
  body.set(p.data, 20);
  return block(BLOCK_EPB, body);
}

/** The pcapng file for these captures, packets in time order (stable for equal times). */
export function writePcapng(captures: readonly Capture[]): Uint8Array {
  let id = 0;
  const nextId = () => ++id;
  const packets = captures.flatMap((c) => (c.kind === 'tcp' ? tcpPackets(c, nextId) : udpPackets(c, nextId)));
  const order = packets.map((p, i) => [p, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]);
  const blocks = [sectionHeader(), interfaceDescription(), ...order.map(([p]) => enhancedPacket(p))];
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** `host:port`, `[v6]:port` or `v6:port` (as the log writes peers) into an endpoint. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text);
  if (!m) return undefined;
  return { address: m[1]!, port: Number(m[2]) };
}
