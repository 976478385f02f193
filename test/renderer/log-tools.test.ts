import { expect } from 'chai';
import type { LogEntry } from '../../renderer/lib/conversation';
import { copyText, entryMatcher, formatEntryTime } from '../../renderer/lib/log-tools';

const rx = (text: string, seq = 1): LogEntry => ({ seq, time: 0, dir: 'rx', bytes: new TextEncoder().encode(text) });

describe('renderer/lib/log-tools', () => {
  describe('#formatEntryTime', () => {
    it('reads clock time, seconds since the base, or seconds since the entry before', () => {
      const t = new Date(2026, 11, 2, 14, 3, 27, 120).getTime();
      expect(formatEntryTime('clock', t, undefined, undefined)).to.equal('14:03:27.120');
      expect(formatEntryTime('relative', t, t - 12_345, undefined)).to.equal('12.345s');
      expect(formatEntryTime('relative', t, undefined, undefined)).to.equal('0.000s');
      expect(formatEntryTime('delta', t, t - 99_000, t - 7)).to.equal('+0.007s');
      expect(formatEntryTime('delta', t, undefined, undefined)).to.equal('+0.000s');
    });
  });

  describe('#entryMatcher', () => {
    it('matches payload text and notes case-insensitively, and hex bytes anywhere in a payload', () => {
      expect(entryMatcher('WORLD')(rx('hello world'))).to.equal(true);
      expect(entryMatcher('mars')(rx('hello world'))).to.equal(false);
      expect(entryMatcher('refused')({ seq: 2, time: 0, dir: 'error', text: 'connect failed: net::ERR_CONNECTION_REFUSED' })).to.equal(
        true,
      );
      const bin: LogEntry = { seq: 3, time: 0, dir: 'tx', bytes: Uint8Array.from([1, 0xde, 0xad, 0xbe, 0xef, 2]) };
      for (const q of ['de ad be ef', '0xDEADBEEF', 'de:ad', 'adbe']) expect(entryMatcher(q)(bin), q).to.equal(true);
      expect(entryMatcher('ef de')(bin)).to.equal(false);
      expect(entryMatcher('  ')(bin)).to.equal(true);
      expect(entryMatcher('127.0.0.1:9')({ ...rx('x'), peer: '127.0.0.1:9000' })).to.equal(true);
    });
  });

  describe('#copyText', () => {
    const bytes = Uint8Array.from([0x48, 0x69, 0x0d, 0x0a, 0, 255, 1, 2, 3, 4, 5, 6, 7]);
    it('writes spaced hex', () => {
      expect(copyText(bytes, 'hex')).to.equal('48 69 0d 0a 00 ff 01 02 03 04 05 06 07');
    });
    it('writes a C array, twelve bytes a line, with its length', () => {
      expect(copyText(bytes, 'c', 'rx_4')).to.equal(
        'const unsigned char rx_4[13] = {\n  0x48, 0x69, 0x0d, 0x0a, 0x00, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,\n  0x07,\n};',
      );
    });
    it('writes base64 that decodes to the same bytes, large payloads included', () => {
      expect(copyText(bytes, 'base64')).to.equal(Buffer.from(bytes).toString('base64'));
      const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 255);
      expect(Buffer.from(copyText(big, 'base64'), 'base64').equals(Buffer.from(big))).to.equal(true);
    });
  });
});
