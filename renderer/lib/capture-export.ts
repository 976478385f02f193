/**
 * A socket's log as pcapng captures (lib/pcapng.ts): a TCP client or accepted socket is one
 * stream, a server's merged log one stream per connection, a UDP socket its datagrams. Only what
 * the bounded log still holds is exported; sequence numbers are stream offsets, so a dropped
 * stretch shows in Wireshark as "previous segment not captured" rather than as wrong bytes.
 */
import type { tcp } from '../../common/api-types';
import type { LogEntry } from './conversation';
import { parseEndpoint, type Capture, type Endpoint, type TcpChunk, type UdpDatagram } from './pcapng';
import type { SocketEntry } from './workbench';

const UNKNOWN: Endpoint = { address: '0.0.0.0', port: 0 };

function localOf(entry: SocketEntry): Endpoint {
  const info = entry.info;
  return info?.localAddress !== undefined ? { address: info.localAddress, port: info.localPort ?? 0 } : UNKNOWN;
}

/** The captures of one socket's log. */
export function capturesOf(entry: SocketEntry): Capture[] {
  const data = entry.conversation.log.toArray().filter((e): e is LogEntry & { bytes: Uint8Array; dir: 'tx' | 'rx' } => !!e.bytes);
  const local = localOf(entry);
  if (entry.kind === 'udp') {
    const datagrams: UdpDatagram[] = [];
    for (const e of data) {
      const remote = e.peer ? parseEndpoint(e.peer) : undefined;
      datagrams.push({ time: e.time, dir: e.dir, bytes: e.bytes, remote: remote ?? UNKNOWN });
    }
    return [{ kind: 'udp', local, datagrams }];
  }
  if (entry.kind === 'tcpServer') {
    // The merged log labels each chunk "#<id> <peer>"; one stream per connection.
    const streams = new Map<string, { peer: Endpoint; chunks: TcpChunk[] }>();
    for (const e of data) {
      const m = /^#(\d+)(?: (.+))?$/.exec(e.peer ?? '');
      if (!m) continue;
      let s = streams.get(m[1]!);
      if (!s) streams.set(m[1]!, (s = { peer: (m[2] && parseEndpoint(m[2])) || UNKNOWN, chunks: [] }));
      s.chunks.push({ time: e.time, dir: e.dir, bytes: e.bytes, offset: e.offset ?? 0 });
    }
    return [...streams.values()].map((s) => ({ kind: 'tcp', local, peer: s.peer, initiator: 'peer', chunks: s.chunks }));
  }
  const t = entry.info as tcp.SocketInfo | undefined;
  const last = entry.lastEndpoints;
  const peer =
    t?.peerAddress !== undefined
      ? { address: t.peerAddress, port: t.peerPort ?? 0 }
      : (last?.peer ?? (entry.target ? { address: entry.target.host, port: entry.target.port } : UNKNOWN));
  return [
    {
      kind: 'tcp',
      local: t?.localAddress !== undefined ? local : (last?.local ?? local),
      peer,
      initiator: entry.acceptedBy !== undefined ? 'peer' : 'local',
      chunks: data.map((e) => ({ time: e.time, dir: e.dir, bytes: e.bytes, offset: e.offset ?? 0 })),
      finBy: entry.peerClosed ? 'peer' : undefined,
    },
  ];
}
