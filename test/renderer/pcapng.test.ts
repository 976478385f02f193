/**
 * pcapng export of the window's sockets (renderer/lib/pcapng.ts, capture-export.ts): real
 * sockets through the Workbench on a test host, the file written, then read back by a small
 * independent parser here (and by `tcpdump -r` where installed), each direction's bytes
 * reassembled by TCP sequence number and compared with what crossed the wire.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { capturesOf } from '../../renderer/lib/capture-export';
import type { SocketsChrome } from '../../renderer/lib/chrome-types';
import { writePcapng } from '../../renderer/lib/pcapng';
import { type SocketEntry, Workbench } from '../../renderer/lib/workbench';
import { createTestHost, type TestHost } from '../../testing';
import { Cleanup, listen, until } from '../support';

interface Parsed {
  linktype: number;
  packets: { ts: bigint; data: Buffer }[];
}

/** Reads SHB, IDB and EPBs (little-endian only, as written) and checks every block's framing. */
function parsePcapng(file: Buffer): Parsed {
  let at = 0;
  let linktype = -1;
  const packets: Parsed['packets'] = [];
  while (at < file.length) {
    const type = file.readUInt32LE(at);
    const len = file.readUInt32LE(at + 4);
    expect(len % 4, 'block length is a multiple of 4').to.equal(0);
    expect(file.readUInt32LE(at + len - 4), 'trailing block length').to.equal(len);
    if (type === 0x0a0d0d0a) {
      expect(file.readUInt32LE(at + 8), 'byte-order magic').to.equal(0x1a2b3c4d);
      expect(file.readUInt16LE(at + 12), 'major version').to.equal(1);
    } else if (type === 1) {
      linktype = file.readUInt16LE(at + 8);
    } else if (type === 6) {
      // Interface id, timestamp (high, low), captured and original length, then the packet.
      const ts = (BigInt(file.readUInt32LE(at + 12)) << 32n) | BigInt(file.readUInt32LE(at + 16));
      const caplen = file.readUInt32LE(at + 20);
      expect(file.readUInt32LE(at + 24), 'original length').to.equal(caplen);
      packets.push({ ts, data: file.subarray(at + 28, at + 28 + caplen) });
    }
    at += len;
  }
  return { linktype, packets };
}

function onesComplement(buf: Buffer, init = 0): number {
  let sum = init;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

interface Segment {
  src: string;
  dst: string;
  proto: number;
  seq?: number;
  flags?: number;
  payload: Buffer;
}

/** One raw IPv4/IPv6 packet: addresses, ports and payload, checksums verified. */
function decodeIp(p: Buffer): Segment {
  const version = p[0]! >> 4;
  let proto: number;
  let body: Buffer;
  let pseudo: number;
  let src: string;
  let dst: string;
  if (version === 4) {
    const ihl = (p[0]! & 15) * 4;
    expect(p.readUInt16BE(2), 'IPv4 total length').to.equal(p.length);
    expect(onesComplement(p.subarray(0, ihl)), 'IPv4 header checksum').to.equal(0xffff);
    proto = p[9]!;
    body = p.subarray(ihl);
    src = [...p.subarray(12, 16)].join('.');
    dst = [...p.subarray(16, 20)].join('.');
    pseudo = onesComplement(Buffer.concat([p.subarray(12, 20), Buffer.from([0, proto, body.length >> 8, body.length & 255])]));
  } else {
    expect(version).to.equal(6);
    proto = p[6]!;
    body = p.subarray(40);
    src = p.subarray(8, 24).toString('hex');
    dst = p.subarray(24, 40).toString('hex');
    const len = Buffer.alloc(8);
    len.writeUInt32BE(body.length, 0);
    len[7] = proto;
    pseudo = onesComplement(Buffer.concat([p.subarray(8, 40), len]));
  }
  expect(onesComplement(body, pseudo), 'transport checksum').to.equal(0xffff);
  if (proto === 6) {
    const off = (body[12]! >> 4) * 4;
    return {
      src: `${src}:${body.readUInt16BE(0)}`,
      dst: `${dst}:${body.readUInt16BE(2)}`,
      proto,
      seq: body.readUInt32BE(4),
      flags: body[13]!,
      payload: body.subarray(off),
    };
  }
  return { src: `${src}:${body.readUInt16BE(0)}`, dst: `${dst}:${body.readUInt16BE(2)}`, proto, payload: body.subarray(8) };
}

/** Each direction's bytes, placed by sequence number relative to that side's SYN. */
function reassemble(segments: Segment[]): Map<string, Buffer> {
  const isn = new Map<string, number>();
  const parts = new Map<string, { at: number; bytes: Buffer }[]>();
  for (const s of segments) {
    const dir = `${s.src}>${s.dst}`;
    if (s.flags! & 0x02) isn.set(dir, s.seq!);
    if (s.payload.length === 0) continue;
    const base = isn.get(dir);
    expect(base, `SYN before data on ${dir}`).to.not.equal(undefined);
    (parts.get(dir) ?? parts.set(dir, []).get(dir)!).push({ at: (s.seq! - base! - 1) >>> 0, bytes: s.payload });
  }
  const out = new Map<string, Buffer>();
  for (const [dir, list] of parts) {
    const size = Math.max(...list.map((p) => p.at + p.bytes.length));
    const buf = Buffer.alloc(size);
    for (const p of list) p.bytes.copy(buf, p.at);
    out.set(dir, buf);
  }
  return out;
}

function asEntry(r: unknown): SocketEntry {
  if (!r || typeof r !== 'object' || !('key' in r)) throw new Error(`not created: ${JSON.stringify(r)}`);
  return r as SocketEntry;
}

function tcpdump(file: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('tcpdump', ['-nn', '-r', file], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe('pcapng export of a socket log', function () {
  this.timeout(20_000);
  const cleanup = new Cleanup();
  let t: TestHost;
  let wb: Workbench;
  let dir: string;

  beforeEach(async () => {
    t = await createTestHost({ log: () => {}, console: { error() {}, warn() {} } as never });
    cleanup.add(() => t.close());
    wb = new Workbench(t.chrome as unknown as SocketsChrome, () => {});
    cleanup.add(() => wb.dispose());
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-pcapng-'));
    cleanup.add(() => fs.rm(dir, { recursive: true, force: true }));
  });
  afterEach(() => cleanup.run());

  it('writes a TCP conversation that reassembles to the exact bytes each way, with ports, timestamps and checksums', async () => {
    const received: Buffer[] = [];
    // A server that answers with 100 KiB (more than one synthetic segment) after the first line.
    const big = Buffer.alloc(100 * 1024 + 7, 0).map((_, i) => (i * 31 + 7) & 255);
    const server = net.createServer((s) => {
      cleanup.add(() => s.destroy());
      s.on('data', (d: Buffer) => {
        received.push(d);
        if (received.length === 1) s.write(big);
      });
    });
    const port = await listen(server);
    cleanup.add(() => new Promise((r) => server.close(r)));
    const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
    await until(() => e.phase === 'connected', 'connect');
    const before = Date.now();
    expect((await wb.send(e, Buffer.from('GET / HTTP/1.0\r\n\r\n'))).ok).to.equal(true);
    await until(() => e.conversation.counters.rxBytes === big.length, 'the 100 KiB answer');
    expect((await wb.send(e, Buffer.from([0, 1, 2, 255]))).ok).to.equal(true);
    await until(() => Buffer.concat(received).length === 22, 'the second send at the server');

    const file = path.join(dir, 'tcp.pcapng');
    await fs.writeFile(file, writePcapng(capturesOf(e)));
    const parsed = parsePcapng(await fs.readFile(file));
    expect(parsed.linktype).to.equal(101);
    const segs = parsed.packets.map((p) => decodeIp(p.data));
    const local = `127.0.0.1:${e.info!.localPort}`;
    const peer = `127.0.0.1:${port}`;
    expect(segs[0]).to.include({ src: local, dst: peer, flags: 0x02 });
    expect(segs[1]).to.include({ src: peer, dst: local, flags: 0x12 });
    const streams = reassemble(segs);
    expect(streams.get(`${local}>${peer}`)!.equals(Buffer.concat(received))).to.equal(true);
    expect(streams.get(`${peer}>${local}`)!.equals(big)).to.equal(true);
    const tsMs = parsed.packets.map((p) => Number(p.ts / 1000n));
    expect(Math.min(...tsMs.slice(3))).to.be.within(before - 1, Date.now());
    expect([...tsMs].sort((a, b) => a - b)).to.deep.equal(tsMs);

    if (existsSync('/usr/bin/tcpdump') || existsSync('/usr/sbin/tcpdump')) {
      const out = await tcpdump(file);
      expect(out).to.contain(`IP 127.0.0.1.${e.info!.localPort} > 127.0.0.1.${port}: Flags [S]`);
      expect(out).to.contain('Flags [P.]');
      expect(out.trim().split('\n')).to.have.length(parsed.packets.length);
    } else {
      console.log('      (tcpdump not installed: `apt-get install -y tcpdump` also checks that it reads the file)');
    }
  });

  it('writes UDP datagrams both ways with their remote ports, and a server log as one stream per connection', async () => {
    const u = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0 }));
    await until(() => u.phase === 'bound', 'bind');
    const self = u.info!.localPort!;
    expect((await wb.send(u, Buffer.from('ping'), { address: '127.0.0.1', port: self })).ok).to.equal(true);
    await until(() => u.conversation.counters.rxMessages === 1, 'the datagram');
    const udp = parsePcapng(Buffer.from(writePcapng(capturesOf(u)))).packets.map((p) => decodeIp(p.data));
    expect(udp.map((s) => [s.proto, s.src, s.dst, s.payload.toString()])).to.deep.equal([
      [17, `127.0.0.1:${self}`, `127.0.0.1:${self}`, 'ping'],
      [17, `127.0.0.1:${self}`, `127.0.0.1:${self}`, 'ping'],
    ]);

    const server = asEntry(await wb.createTcpServer({ address: '127.0.0.1', port: 0 }));
    await until(() => server.phase === 'listening', 'listen');
    const sp = server.info!.localPort!;
    const clients = ['one', 'two'].map((text) => {
      const c = net.connect(sp, '127.0.0.1', () => c.write(text));
      cleanup.add(() => c.destroy());
      return c;
    });
    await until(() => server.conversation.counters.rxBytes === 6, 'both connections');
    const segs = parsePcapng(Buffer.from(writePcapng(capturesOf(server)))).packets.map((p) => decodeIp(p.data));
    const streams = reassemble(segs);
    for (const [i, c] of clients.entries()) {
      // The peer opened each connection: its SYN comes from the client's port.
      expect(segs.some((s) => s.flags === 0x02 && s.src === `127.0.0.1:${c.localPort}`)).to.equal(true);
      expect(streams.get(`127.0.0.1:${c.localPort}>127.0.0.1:${sp}`)!.toString()).to.equal(['one', 'two'][i]);
    }
  });
});
