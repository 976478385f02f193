import { expect } from 'chai';
import * as net from 'node:net';
import { createTestHost, type TestHost } from '../../testing';
import type { SocketsChrome } from '../../renderer/lib/chrome-types';
import type { LogEntry } from '../../renderer/lib/conversation';
import { secureAvailability, type SocketEntry, Workbench } from '../../renderer/lib/workbench';
import { Cleanup, echoServer, listen, until } from '../support';
import { Cleanup as SpecCleanup, startTlsEchoServer, testCertificate } from '../tcp/helpers';

function entries(entry: SocketEntry): LogEntry[] {
  return entry.conversation.log.toArray();
}

function text(e: LogEntry): string {
  return Buffer.from(e.bytes ?? []).toString('latin1');
}

function asEntry(r: unknown): SocketEntry {
  if (!r || typeof r !== 'object' || !('key' in r)) throw new Error(`not created: ${JSON.stringify(r)}`);
  return r as SocketEntry;
}

describe("renderer Workbench (the debugging window's socket driver) on a real test host", () => {
  const cleanup = new Cleanup();
  let t: TestHost;
  let wb: Workbench;

  beforeEach(async () => {
    t = await createTestHost({ log: () => {}, console: { error() {}, warn() {} } as never });
    cleanup.add(() => t.close());
    wb = new Workbench(t.chrome as unknown as SocketsChrome, () => {});
    cleanup.add(() => wb.dispose());
  });
  afterEach(() => cleanup.run());

  describe('TCP client', () => {
    it('connects, and logs sent and received bytes in order with stream offsets and counters', async () => {
      const { port } = await echoServer(cleanup);
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port, name: 'probe' }));
      await until(() => e.phase === 'connected' && (e.info as { connected?: boolean } | undefined)?.connected === true, 'connect');
      expect((await wb.send(e, Buffer.from('PING\r\n'))).ok).to.equal(true);
      await until(() => e.conversation.counters.rxBytes === 6, 'echo');
      expect((await wb.send(e, Buffer.from('QUIT\r\n'))).ok).to.equal(true);
      await until(() => e.conversation.counters.rxBytes === 12, 'second echo');
      const data = entries(e).filter((x) => x.bytes);
      expect(data[0]).to.include({ dir: 'tx', offset: 0 });
      expect(text(data[0]!)).to.equal('PING\r\n');
      expect(
        data
          .filter((x) => x.dir === 'rx')
          .map(text)
          .join(''),
      ).to.equal('PING\r\nQUIT\r\n');
      expect(data.filter((x) => x.dir === 'tx').map((x) => x.offset)).to.deep.equal([0, 6]);
      expect(e.conversation.counters).to.include({ txBytes: 12, rxBytes: 12, txMessages: 2, errors: 0 });
      expect(e.info).to.include({ name: 'probe', connected: true, peerAddress: '127.0.0.1', peerPort: port });
    });

    it('shows a refused connect inline with its net::ERR_ name and code', async () => {
      const server = net.createServer();
      const port = await listen(server);
      await new Promise((r) => server.close(r));
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.conversation.counters.errors > 0, 'the error line');
      const err = entries(e).find((x) => x.dir === 'error')!;
      expect(err.code).to.equal(-102);
      expect(err.text).to.contain('net::ERR_CONNECTION_REFUSED').and.to.contain('-102');
      expect(e.phase).to.equal('disconnected');
    });

    it('with TLS ticked, pauses before connect and calls secure() after it, as Chrome requires', async () => {
      const { port } = await echoServer(cleanup);
      const calls: string[] = [];
      const tcp = t.chrome.sockets.tcp as unknown as Record<string, (...a: unknown[]) => unknown>;
      for (const name of ['setPaused', 'connect', 'secure']) {
        const original = tcp[name]!;
        tcp[name] = (...args: unknown[]) => {
          calls.push(name === 'setPaused' ? `setPaused(${String(args[1])})` : name);
          return original(...args);
        };
      }
      // A plain echo server cannot do TLS, so the handshake fails; the order of calls is the point.
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port, tls: { min: 'tls1.2' } }));
      await until(() => e.conversation.counters.errors > 0, 'the secure failure');
      expect(calls.slice(0, 3)).to.deep.equal(['setPaused(true)', 'connect', 'secure']);
      expect(entries(e).find((x) => x.dir === 'error')!.text).to.match(/^secure failed: .*net::ERR_/);
      // Chrome destroys a socket whose secure() fails; the window notices and marks it closed.
      await until(() => e.phase === 'closed', 'closed');
    });

    it('with TLS ticked, talks TLS end to end once the handshake succeeds, then reads again', async () => {
      const cert = testCertificate();
      // The tcp-spec helpers keep their own Cleanup type; chain it into this suite's.
      const specCleanup = new SpecCleanup();
      cleanup.add(() => specCleanup.run());
      const server = await startTlsEchoServer(specCleanup, cert);
      const th = await createTestHost({ log: () => {}, tls: { ca: cert.cert } });
      cleanup.add(() => th.close());
      const w = new Workbench(th.chrome as unknown as SocketsChrome, () => {});
      cleanup.add(() => w.dispose());
      const e = asEntry(await w.createTcpClient({ host: '127.0.0.1', port: server.port, tls: { min: 'tls1.2', max: 'tls1.3' } }));
      await until(() => e.secure && e.info?.paused === false, 'secured and resumed');
      expect((await w.send(e, Buffer.from('over TLS'))).ok).to.equal(true);
      await until(() => e.conversation.counters.rxBytes === 8, 'the echo through TLS');
      expect(
        entries(e)
          .filter((x) => x.dir === 'note')
          .map((x) => x.text),
      ).to.include.members(['resumed']);
      expect(e.conversation.counters.errors).to.equal(0);
    });

    it("disconnect keeps the id and notes Chrome's onReceiveError -100 (not an error); reconnect says it is still paused", async () => {
      const { port } = await echoServer(cleanup);
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.phase === 'connected', 'connect');
      expect((await wb.disconnect(e)).ok).to.equal(true);
      await until(() => entries(e).some((x) => x.dir === 'note' && x.code === -100), 'onReceiveError');
      expect(entries(e).find((x) => x.code === -100)!.text)
        .to.contain('net::ERR_CONNECTION_CLOSED')
        .and.contain('closed by this window');
      expect(e.conversation.counters.errors).to.equal(0);
      expect(e.peerClosed).to.equal(false);
      expect(e.info).to.include({ connected: false, paused: true });
      expect((await wb.connect(e, e.target!)).ok).to.equal(true);
      expect(entries(e).some((x) => x.dir === 'note' && /still paused/.test(x.text!))).to.equal(true);
      expect((await wb.setPaused(e, false)).ok).to.equal(true);
      expect(e.info?.paused).to.equal(false);
    });

    it("applies keep-alive, no-delay and update(), and reports Chrome's -2 before connect", async () => {
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port: 1 }));
      await until(() => e.conversation.counters.errors > 0, 'connect failure');
      const before = await wb.setKeepAlive(e, true, 5);
      expect(before.ok).to.equal(false);
      expect(entries(e).at(-1)!.text).to.contain('net::ERR_FAILED');
      const { port } = await echoServer(cleanup);
      expect((await wb.connect(e, { host: '127.0.0.1', port })).ok).to.equal(true);
      expect((await wb.setKeepAlive(e, true, 5)).ok).to.equal(true);
      expect((await wb.setNoDelay(e, true)).ok).to.equal(true);
      expect((await wb.update(e, { name: 'renamed', bufferSize: 512 })).ok).to.equal(true);
      expect(e.info).to.include({ name: 'renamed', bufferSize: 512 });
    });

    it('close marks the socket closed; a later call shows Chrome\'s "Socket not found"', async () => {
      const { port } = await echoServer(cleanup);
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.phase === 'connected', 'connect');
      expect((await wb.close(e)).ok).to.equal(true);
      expect(e.phase).to.equal('closed');
      const r = await wb.send(e, Buffer.from('x'));
      expect(r.ok).to.equal(false);
      expect(entries(e).at(-1)!.text).to.equal('send failed: Socket not found');
    });

    it('keeps memory bounded while a peer floods, with exact counters', async function () {
      this.timeout(20_000);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const total = 24 * 1024 * 1024;
      const server = net.createServer((s) => {
        s.on('error', () => {});
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!s.write(chunk)) return void s.once('drain', pump);
          }
          s.end();
        };
        pump();
      });
      const port = await listen(server);
      cleanup.add(() => new Promise((r) => server.close(r)));
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.conversation.counters.rxBytes === total, 'the whole flood', 15_000);
      expect(e.conversation.log.bytes).to.be.at.most(8 * 1024 * 1024 + 64 * 20_000);
      expect(e.conversation.log.droppedEntries).to.be.greaterThan(0);
    });

    it('adopts sockets the app already had (getSockets) when the window starts', async () => {
      const { port } = await echoServer(cleanup);
      const first = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port, persistent: true }));
      await until(() => first.phase === 'connected', 'connect');
      const second = new Workbench(t.chrome as unknown as SocketsChrome, () => {});
      cleanup.add(() => second.dispose());
      expect(await second.adoptExisting()).to.equal(1);
      const adopted = second.get('tcp', first.id)!;
      expect(adopted.origin).to.equal('adopted');
      expect(adopted.info).to.include({ persistent: true, connected: true });
    });
  });

  describe('#dispose', () => {
    it("removes every listener it added and leaves the app's sockets open", async () => {
      const { port } = await echoServer(cleanup);
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.phase === 'connected', 'connect');
      const events = [
        'tcp.onReceive',
        'tcp.onReceiveError',
        'tcpServer.onAccept',
        'tcpServer.onAcceptError',
        'udp.onReceive',
        'udp.onReceiveError',
      ];
      const listened = (ev: string) => {
        const [ns, name] = ev.split('.') as [keyof typeof t.chrome.sockets, string];
        const event = t.chrome.sockets[ns][name] as unknown as { hasListeners(): boolean };
        return event.hasListeners();
      };
      expect(events.filter(listened)).to.deep.equal(events);
      wb.dispose();
      expect(events.filter(listened)).to.deep.equal([]);
      const tcp = t.chrome.sockets.tcp as unknown as { getInfo(id: number): Promise<{ connected: boolean }> };
      expect((await tcp.getInfo(e.id)).connected).to.equal(true);
    });
  });

  describe('TCP server', () => {
    it('listens, and each accepted connection becomes a resumed socket of its own', async () => {
      const server = asEntry(await wb.createTcpServer({ address: '127.0.0.1', port: 0 }));
      await until(() => server.phase === 'listening', 'listen');
      const client = net.connect(server.info!.localPort!, '127.0.0.1');
      cleanup.add(() => client.destroy());
      await until(() => server.accepted.length === 1, 'onAccept');
      const accepted = wb.get('tcp', server.accepted[0]!)!;
      expect(accepted.acceptedBy).to.equal(server.id);
      await until(() => accepted.info?.paused === false, 'auto-resume');
      client.write('hello');
      await until(() => accepted.conversation.counters.rxBytes === 5, 'data on the accepted socket');
      const got: Buffer[] = [];
      client.on('data', (d: Buffer) => got.push(d));
      expect((await wb.send(server, Buffer.from('to all'))).ok).to.equal(true);
      await until(() => Buffer.concat(got).toString() === 'to all', 'the server-wide send');
    });
  });

  describe('round 2 fixes (issue 14 items 4-7)', () => {
    it('logs "connected to" when the connect callback fires, before the first byte of a banner', async () => {
      const server = net.createServer((s) => s.end('BANNER\r\n'));
      const port = await listen(server);
      cleanup.add(() => new Promise((r) => server.close(r)));
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.conversation.counters.rxBytes === 8, 'the banner');
      const log = entries(e);
      const connected = log.findIndex((x) => x.dir === 'note' && /^connected to /.test(x.text!));
      const firstRx = log.findIndex((x) => x.dir === 'rx');
      expect(connected, 'the connected note').to.be.greaterThan(-1);
      expect(connected).to.be.lessThan(firstRx);
    });

    it('shows a peer close (-100) as a neutral "closed by peer", not as an error', async () => {
      const server = net.createServer((s) => s.end('bye'));
      const port = await listen(server);
      cleanup.add(() => new Promise((r) => server.close(r)));
      const e = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => e.peerClosed === true, 'the peer close');
      const note = entries(e).find((x) => x.code === -100)!;
      expect(note.dir).to.equal('note');
      expect(note.text).to.match(/^closed by peer: onReceiveError net::ERR_CONNECTION_CLOSED/);
      expect(e.conversation.counters.errors).to.equal(0);
      expect(e.phase).to.equal('disconnected');
    });

    it('offers secure() only on a connected client socket paused before connect and not yet secure', async () => {
      const { port } = await echoServer(cleanup);
      const plain = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => plain.phase === 'connected', 'connect');
      const refused = secureAvailability(plain);
      expect(refused.ok).to.equal(false);
      expect((refused as { reason: string }).reason).to.contain('paused before connect');
      // Pausing after connect does not help: a read was already in flight (Chrome: -2, destroyed).
      expect((await wb.setPaused(plain, true)).ok).to.equal(true);
      expect(secureAvailability(plain).ok).to.equal(false);
      // Disconnect, reconnect while paused: now it can work.
      expect((await wb.disconnect(plain)).ok).to.equal(true);
      expect((await wb.connect(plain, plain.target!)).ok).to.equal(true);
      expect(secureAvailability(plain)).to.deep.equal({ ok: true });
      plain.secure = true;
      expect((secureAvailability(plain) as { reason: string }).reason).to.contain('already secure');
      const fresh = asEntry(await wb.createTcpClient({ host: '127.0.0.1', port }));
      await until(() => fresh.info !== undefined, 'getInfo');
      expect(secureAvailability(fresh).ok).to.equal(false);
    });

    it('"Remove closed" forgets closed sockets and keeps open ones', async () => {
      const a = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0 }));
      const b = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0 }));
      await until(() => a.phase === 'bound' && b.phase === 'bound', 'bind');
      expect((await wb.close(a)).ok).to.equal(true);
      expect(wb.removeClosed()).to.equal(1);
      expect(wb.list().map((e) => e.key)).to.deep.equal([b.key]);
    });

    it('lets a UDP socket whose bind failed bind again on the same id', async () => {
      const taken = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0 }));
      await until(() => taken.phase === 'bound', 'first bind');
      const busy = taken.info!.localPort!;
      const u = asEntry(await wb.createUdp({ address: '127.0.0.1', port: busy }));
      await until(() => u.conversation.counters.errors === 1, 'the failed bind');
      expect(u.phase).to.not.equal('bound');
      expect(u.bindAt).to.deep.equal({ address: '127.0.0.1', port: busy });
      expect((await wb.bind(u, '127.0.0.1', 0)).ok).to.equal(true);
      expect(u.phase).to.equal('bound');
      expect(u.info!.localPort).to.be.a('number').and.not.equal(busy);
    });

    it("merges a server's connections into one log labelled with each peer, after an onAccept note naming it", async () => {
      const server = asEntry(await wb.createTcpServer({ address: '127.0.0.1', port: 0 }));
      await until(() => server.phase === 'listening', 'listen');
      const c1 = net.connect(server.info!.localPort!, '127.0.0.1');
      cleanup.add(() => c1.destroy());
      await new Promise((r) => c1.once('connect', r));
      c1.write('one');
      await until(() => server.conversation.counters.rxBytes === 3, 'the first connection in the merged log');
      const c2 = net.connect(server.info!.localPort!, '127.0.0.1');
      cleanup.add(() => c2.destroy());
      await new Promise((r) => c2.once('connect', r));
      c2.write('two!');
      await until(() => server.conversation.counters.rxBytes === 7, 'the second connection in the merged log');
      const [id1, id2] = server.accepted;
      const log = entries(server);
      const notes = log.filter((x) => x.dir === 'note' && x.text!.startsWith('onAccept')).map((x) => x.text);
      expect(notes).to.deep.equal([
        `onAccept: tcp socket ${id1} from 127.0.0.1:${c1.localPort}`,
        `onAccept: tcp socket ${id2} from 127.0.0.1:${c2.localPort}`,
      ]);
      const rx = log.filter((x) => x.dir === 'rx');
      expect(rx.map((x) => [x.peer, text(x), x.offset])).to.deep.equal([
        [`#${id1} 127.0.0.1:${c1.localPort}`, 'one', 0],
        [`#${id2} 127.0.0.1:${c2.localPort}`, 'two!', 0],
      ]);
      // Each accept note comes before that connection's bytes.
      expect(log.findIndex((x) => x.text === notes[1])).to.be.lessThan(log.indexOf(rx[1]!));
    });
  });

  describe('UDP', () => {
    it('binds, sends to itself and logs the datagram with its peer', async () => {
      const u = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0 }));
      await until(() => u.phase === 'bound', 'bind');
      const port = u.info!.localPort!;
      expect((await wb.send(u, Buffer.from('hi'), { address: '127.0.0.1', port })).ok).to.equal(true);
      await until(() => u.conversation.counters.rxMessages === 1, 'the datagram');
      expect(entries(u).find((x) => x.dir === 'rx')!.peer).to.equal(`127.0.0.1:${port}`);
    });

    it('explains a datagram larger than bufferSize (Chrome: onReceiveError -142, paused)', async () => {
      const u = asEntry(await wb.createUdp({ address: '127.0.0.1', port: 0, bufferSize: 16 }));
      await until(() => u.phase === 'bound', 'bind');
      expect((await wb.send(u, new Uint8Array(100), { address: '127.0.0.1', port: u.info!.localPort! })).ok).to.equal(true);
      await until(() => u.conversation.counters.errors === 1, 'the receive error');
      const err = entries(u).find((x) => x.dir === 'error')!;
      expect(err.code).to.equal(-142);
      expect(err.text).to.contain('net::ERR_MSG_TOO_BIG').and.contain('larger than bufferSize 16 B').and.contain('raise bufferSize');
      await until(() => u.info?.paused === true, 'paused by Chrome');
    });
  });
});
