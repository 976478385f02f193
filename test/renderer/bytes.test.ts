import { expect } from 'chai';
import {
  decodeForDisplay,
  escapeForDisplay,
  hexDump,
  hexDumpLine,
  hexDumpLineCount,
  parseEscapedText,
  parseHex,
  toHex,
  utf8Encode,
  wrapSegments,
} from '../../renderer/lib/bytes';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('renderer/lib/bytes', () => {
  describe('#decodeForDisplay', () => {
    it('keeps printable ASCII as one plain segment', () => {
      expect(decodeForDisplay(ascii('GET / HTTP/1.1'))).to.deep.equal([{ text: 'GET / HTTP/1.1' }]);
    });

    it('escapes control bytes with their C names or \\xHH', () => {
      expect(escapeForDisplay(bytes(0x0d, 0x0a, 0x09, 0x00, 0x1b, 0x01, 0x7f))).to.equal('\\r\\n\\t\\0\\e\\x01\\x7f');
    });

    it('marks escapes so the view can style them', () => {
      expect(decodeForDisplay(ascii('a\r\n'))).to.deep.equal([{ text: 'a' }, { text: '\\r', esc: true }, { text: '\\n', esc: true }]);
    });

    it('escapes a literal backslash so escapes stay unambiguous', () => {
      expect(escapeForDisplay(ascii('a\\n'))).to.equal('a\\\\n');
    });

    it('decodes well-formed UTF-8', () => {
      expect(escapeForDisplay(utf8Encode('héllo €😀'))).to.equal('héllo €😀');
    });

    it('escapes each byte of an invalid or truncated sequence', () => {
      expect(escapeForDisplay(bytes(0xff, 0x41, 0xc3))).to.equal('\\xff' + 'A' + '\\xc3');
      // Overlong encoding of "/" and a UTF-16 surrogate encoded in UTF-8 are not well formed.
      expect(escapeForDisplay(bytes(0xc0, 0xaf))).to.equal('\\xc0\\xaf');
      expect(escapeForDisplay(bytes(0xed, 0xa0, 0x80))).to.equal('\\xed\\xa0\\x80');
    });

    it('escapes invisible code points instead of rendering them', () => {
      expect(escapeForDisplay(utf8Encode('a\u0085b\u2028\ufeff'))).to.equal('a\\u{85}b\\u{2028}\\u{feff}');
    });

    it('returns nothing for no bytes', () => {
      expect(decodeForDisplay(bytes())).to.deep.equal([]);
    });
  });

  describe('#wrapSegments', () => {
    const join = (lines: { text: string }[][]) => lines.map((l) => l.map((s) => s.text).join(''));

    it('breaks after each \\n escape', () => {
      expect(join(wrapSegments(decodeForDisplay(ascii('ab\r\ncd\n')), 80))).to.deep.equal(['ab\\r\\n', 'cd\\n']);
    });

    it('wraps long runs at the column count', () => {
      expect(join(wrapSegments([{ text: 'abcdefghijklmnopqrst' }], 8))).to.deep.equal(['abcdefgh', 'ijklmnop', 'qrst']);
    });

    it('never splits an escape', () => {
      const lines = join(wrapSegments(decodeForDisplay(ascii('abcdefg\x01')), 8));
      expect(lines).to.deep.equal(['abcdefg', '\\x01']);
    });

    it('gives one empty line for empty input', () => {
      expect(wrapSegments([], 80)).to.deep.equal([[]]);
    });

    it('does not wrap with an infinite width', () => {
      expect(join(wrapSegments([{ text: 'x'.repeat(500) }], Infinity))).to.deep.equal(['x'.repeat(500)]);
    });
  });

  describe('#parseEscapedText', () => {
    const ok = (s: string) => {
      const r = parseEscapedText(s);
      if (!r.ok) throw new Error(r.error);
      return Array.from(r.bytes);
    };

    it('turns C escapes into bytes', () => {
      expect(ok('a\\r\\n\\t\\0\\e\\\\')).to.deep.equal([0x61, 0x0d, 0x0a, 0x09, 0x00, 0x1b, 0x5c]);
    });

    it('treats \\xHH as one raw byte, not a code point', () => {
      expect(ok('\\xff\\x00')).to.deep.equal([0xff, 0x00]);
    });

    it('UTF-8 encodes \\uXXXX, \\u{…} and literal text', () => {
      expect(ok('\\u00e9')).to.deep.equal([0xc3, 0xa9]);
      expect(ok('\\u{1F600}')).to.deep.equal([0xf0, 0x9f, 0x98, 0x80]);
      expect(ok('é')).to.deep.equal([0xc3, 0xa9]);
    });

    it('reports unknown and malformed escapes with their position', () => {
      expect(parseEscapedText('ab\\q')).to.include({ ok: false, index: 2 });
      expect(parseEscapedText('\\x4')).to.include({ ok: false, index: 0 });
      expect(parseEscapedText('x\\')).to.include({ ok: false, index: 1 });
      expect(parseEscapedText('\\u{110000}')).to.include({ ok: false });
      expect(parseEscapedText('\\ud800')).to.include({ ok: false });
    });

    it('round-trips through the display escaping for ASCII control data', () => {
      const data = bytes(0x00, 0x0d, 0x0a, 0x5c, 0x41, 0x7f, 0xff);
      expect(ok(escapeForDisplay(data))).to.deep.equal(Array.from(data));
    });
  });

  describe('#parseHex', () => {
    const ok = (s: string) => {
      const r = parseHex(s);
      if (!r.ok) throw new Error(r.error);
      return Array.from(r.bytes);
    };

    it('accepts spaced, packed, 0x-prefixed and colon forms', () => {
      expect(ok('48 65 6c')).to.deep.equal([0x48, 0x65, 0x6c]);
      expect(ok('48656C')).to.deep.equal([0x48, 0x65, 0x6c]);
      expect(ok('0x48,0x65, 0X6c')).to.deep.equal([0x48, 0x65, 0x6c]);
      expect(ok('48:65:6c\n0d-0a')).to.deep.equal([0x48, 0x65, 0x6c, 0x0d, 0x0a]);
    });

    it('reads a single digit token as one byte', () => {
      expect(ok('1 2 f')).to.deep.equal([1, 2, 15]);
    });

    it('rejects odd-length tokens and non-hex characters', () => {
      expect(parseHex('486')).to.include({ ok: false, index: 0 });
      expect(parseHex('48 zz')).to.include({ ok: false, index: 3 });
    });

    it('gives no bytes for blank input', () => {
      expect(ok('  \n')).to.deep.equal([]);
    });
  });

  describe('#toHex', () => {
    it('writes spaced lowercase pairs', () => {
      expect(toHex(bytes(0, 0xab, 0x10))).to.equal('00 ab 10');
    });
  });

  describe('#hexDump', () => {
    it('writes offset, two groups of eight and the ASCII column', () => {
      const line = hexDumpLine(ascii('Hello, world!\r\n\x00'), 0);
      expect(line).to.equal('00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0d 0a 00  |Hello, world!...|');
    });

    it('pads a short last line so the ASCII column lines up', () => {
      const lines = hexDump(ascii('0123456789abcdefXYZ'));
      expect(lines).to.have.length(2);
      expect(lines[1]).to.equal('00000010  58 59 5a' + ' '.repeat(3 * 13 + 1) + '  |XYZ|');
      expect(lines[1]!.indexOf('|')).to.equal(lines[0]!.indexOf('|'));
    });

    it("continues offsets from the chunk's stream position", () => {
      expect(hexDump(ascii('A'), 0x1230)[0]!.slice(0, 8)).to.equal('00001230');
    });

    it('counts lines', () => {
      expect([0, 1, 16, 17].map(hexDumpLineCount)).to.deep.equal([1, 1, 1, 2]);
      expect(hexDump(bytes())).to.deep.equal([]);
    });
  });
});
