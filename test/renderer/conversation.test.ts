import { expect } from 'chai';
import { Conversation, entryHeadline, formatTranscript } from '../../renderer/lib/conversation';
import { formatBytes, formatEndpoint, formatRate } from '../../renderer/lib/format';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const T0 = new Date(2026, 10, 22, 14, 3, 27, 45).getTime();

describe('renderer/lib/conversation', () => {
  describe('Conversation', () => {
    it('interleaves sent and received entries with per-direction stream offsets', () => {
      const c = new Conversation();
      c.addTx(ascii('PING\r\n'), T0);
      c.addRx(ascii('PO'), T0 + 1);
      c.addRx(ascii('NG\r\n'), T0 + 2);
      c.addTx(ascii('QUIT\r\n'), T0 + 3);
      expect(c.log.toArray().map((e) => [e.dir, e.offset])).to.deep.equal([
        ['tx', 0],
        ['rx', 0],
        ['rx', 2],
        ['tx', 6],
      ]);
      expect(c.counters).to.deep.equal({ txBytes: 12, rxBytes: 6, txMessages: 2, rxMessages: 2, errors: 0 });
    });

    it('keeps counters exact after the ring drops entries', () => {
      const c = new Conversation({ maxEntries: 10, maxBytes: 1 << 20 });
      for (let i = 0; i < 100; i++) c.addRx(new Uint8Array(10), T0 + i);
      expect(c.log.length).to.equal(10);
      expect(c.counters.rxBytes).to.equal(1000);
      expect(c.counters.rxMessages).to.equal(100);
      expect(c.log.at(0)!.offset).to.equal(900);
      expect(c.log.at(0)!.seq).to.equal(90);
    });

    it('bounds memory by payload bytes', () => {
      const c = new Conversation({ maxEntries: 1_000_000, maxBytes: 1 << 20 });
      for (let i = 0; i < 1000; i++) c.addRx(new Uint8Array(4096), T0);
      expect(c.log.bytes).to.be.at.most(1 << 20);
      expect(c.counters.rxBytes).to.equal(4096 * 1000);
    });

    it('counts errors and bumps its version on every change', () => {
      const c = new Conversation();
      const v = c.version;
      c.addError('net::ERR_CONNECTION_CLOSED', T0, -100);
      c.addNote('connected', T0);
      expect(c.counters.errors).to.equal(1);
      expect(c.version).to.equal(v + 2);
      c.clear();
      expect(c.log.length).to.equal(0);
      expect(c.counters.errors).to.equal(0);
    });
  });

  describe('#entryHeadline', () => {
    it('shows time, direction, size, offset and UDP peer', () => {
      const c = new Conversation();
      c.addTx(ascii('x'), T0);
      const e = c.addRx(ascii('hello'), T0, '10.0.0.7:5353');
      expect(entryHeadline(e)).to.equal('14:03:27.045  ←  5 B  @0  from 10.0.0.7:5353');
    });
  });

  describe('#formatTranscript', () => {
    const c = new Conversation();
    c.addNote('connected to 127.0.0.1:7', T0);
    c.addTx(ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), T0 + 1);
    c.addRx(ascii('HTTP/1.1 200 OK\r\n'), T0 + 2);
    c.addError('onReceiveError net::ERR_CONNECTION_CLOSED (-100)', T0 + 3, -100);
    const info = { title: 'tcp 1 127.0.0.1:50000 → 127.0.0.1:7', savedAt: T0 + 10 };

    it('writes a header and escaped text broken after each \\n', () => {
      const text = formatTranscript(c, info, 'text');
      expect(text).to.contain('# socket: tcp 1 127.0.0.1:50000 → 127.0.0.1:7');
      expect(text).to.contain('# sent: 27 B (27 B) in 1 messages; received: 17 B (17 B) in 1 messages; errors: 1');
      expect(text).to.contain('14:03:27.046  →  27 B  @0\n  GET / HTTP/1.1\\r\\n\n  Host: x\\r\\n\n  \\r\\n\n');
      expect(text).to.contain('14:03:27.048  !  onReceiveError net::ERR_CONNECTION_CLOSED (-100)');
    });

    it('writes hex dumps with stream offsets in hex mode', () => {
      const text = formatTranscript(c, info, 'hex');
      expect(text).to.contain('  00000000  48 54 54 50 2f 31 2e 31  20 32 30 30 20 4f 4b 0d  |HTTP/1.1 200 OK.|');
    });

    it('says when the bounded log dropped entries', () => {
      const small = new Conversation({ maxEntries: 1 });
      small.addRx(ascii('a'), T0);
      small.addRx(ascii('b'), T0);
      expect(formatTranscript(small, info, 'text')).to.contain('dropped the 1 oldest entries');
    });
  });

  describe('format helpers', () => {
    it('formats sizes, rates and endpoints', () => {
      expect([0, 1023, 1536, 10 * 1024 * 1024].map(formatBytes)).to.deep.equal(['0 B', '1023 B', '1.5 KiB', '10.0 MiB']);
      expect(formatRate(2048)).to.equal('2.0 KiB/s');
      expect(formatEndpoint('::1', 80)).to.equal('[::1]:80');
      expect(formatEndpoint('10.0.0.1', undefined)).to.equal('10.0.0.1');
      expect(formatEndpoint(undefined, 80)).to.equal('–');
    });
  });
});
