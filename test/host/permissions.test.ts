import { expect } from 'chai';
import type { SocketsManifest } from '../../common/api-types';
import { ALLOW_ALL_SOCKETS, SocketOperation, SocketsPolicy } from '../../main/permissions';

/** A section of the wrong shape, as untrusted JSON can deliver it. */
function raw(section: unknown): SocketsManifest {
  return section as SocketsManifest;
}

function invalid(pattern: string): string {
  return `Invalid host:port pattern '${pattern}'`;
}

const connect = (patterns: string | string[]) => SocketsPolicy.parse({ tcp: { connect: patterns } });

const ADDRESS_OPS: ReadonlyArray<[SocketOperation, (p: string | string[]) => SocketsManifest]> = [
  ['tcp-connect', (p) => ({ tcp: { connect: p } })],
  ['tcp-listen', (p) => ({ tcpServer: { listen: p } })],
  ['udp-bind', (p) => ({ udp: { bind: p } })],
  ['udp-send', (p) => ({ udp: { send: p } })],
];

describe('SocketsPolicy', () => {
  describe('.parse', () => {
    it('grants nothing for an undefined section', () => {
      const policy = SocketsPolicy.parse(undefined);
      expect(policy.allows('tcp-connect', 'example.com', 80)).to.equal(false);
      expect(policy.allows('udp-multicast-membership', '*', 0)).to.equal(false);
      expect(policy.toJSON()).to.deep.equal({});
    });

    it('grants nothing for an empty section or empty namespaces', () => {
      for (const section of [{}, { tcp: {} }, { udp: {} }, { tcpServer: {} }]) {
        const policy = SocketsPolicy.parse(section);
        expect(policy.allows('tcp-connect', 'a.com', 80), JSON.stringify(section)).to.equal(false);
        expect(policy.toJSON()).to.deep.equal({});
      }
    });

    it('grants nothing for an empty array', () => {
      for (const [op, manifest] of ADDRESS_OPS) {
        const policy = SocketsPolicy.parse(manifest([]));
        expect(policy.allows(op, 'a.com', 80), op).to.equal(false);
        expect(policy.toJSON(), op).to.deep.equal({});
      }
      const membership = SocketsPolicy.parse({ udp: { multicastMembership: [] } });
      expect(membership.allows('udp-multicast-membership', '*', 0)).to.equal(false);
    });

    it('accepts a single string or an array of strings', () => {
      expect(connect('a.com:80').allows('tcp-connect', 'a.com', 80)).to.equal(true);
      const list = connect(['a.com:80', 'b.com:10']);
      expect(list.allows('tcp-connect', 'a.com', 80)).to.equal(true);
      expect(list.allows('tcp-connect', 'b.com', 10)).to.equal(true);
      expect(list.allows('tcp-connect', 'b.com', 80)).to.equal(false);
    });

    // Chromium's socket_permission_unittest.cc (Parse), as manifest patterns, plus the grammar's
    // other edges from SocketPermissionEntry::ParseHostPattern.
    const badPatterns: Array<[string, string]> = [
      ['::', 'three parts'],
      ['a:b:c', 'three parts'],
      ['*:*:*', 'three parts'],
      ['::1', 'a bare IPv6 literal'],
      ['[::1]:80', 'a bracketed IPv6 literal'],
      [':0', 'port 0'],
      ['www.example.com:0', 'port 0'],
      ['www.example.com:-1', 'a negative port'],
      ['www.example.com:65536', 'a port above 65535'],
      ['www.example.com:99999999999999999999', 'a port that overflows int'],
      ['a.com:0x50', 'a hex port'],
      ['a.com:80abc', 'a port with trailing letters'],
      ['a.com:8 0', 'a port with inner space'],
      ['a.com:+', 'a sign without digits'],
      ['a.com:**', 'a port of two stars'],
      ['  www.exmaple.com:  99  ', 'whitespace around host and port'],
      ['*.exmaple.com :99', 'whitespace after the host'],
      ['*.exmaple.com: 99', 'whitespace before the port'],
      ['*.exmaple.com:99 ', 'whitespace after the port'],
      ['\t*.exmaple.com:99', 'a leading tab'],
      ['\n*.exmaple.com:99', 'a leading newline'],
      ['\v*.exmaple.com:99', 'a leading vertical tab'],
      ['a.com\r', 'a trailing carriage return'],
      [' ', 'a lone space'],
    ];
    for (const [pattern, why] of badPatterns) {
      it(`rejects ${JSON.stringify(pattern)} (${why}) with Chrome's message`, () => {
        for (const [op, manifest] of ADDRESS_OPS) {
          expect(() => SocketsPolicy.parse(manifest(pattern)), op).to.throw(Error, invalid(pattern));
        }
      });
    }

    it('rejects a bad pattern inside an array, naming that pattern', () => {
      expect(() => connect(['a.com:80', 'b.com:0', 'c.com'])).to.throw(Error, invalid('b.com:0'));
    });

    it('throws exactly the message text, nothing added', () => {
      try {
        connect('a:0');
        expect.fail('parse should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(Error);
        expect((err as Error).message).to.equal("Invalid host:port pattern 'a:0'");
      }
    });

    it('reports the first bad pattern in the order Chrome parses (udp, tcp, tcpServer)', () => {
      const section: SocketsManifest = {
        tcpServer: { listen: 'listen:0' },
        tcp: { connect: 'connect:0' },
        udp: { multicastMembership: '*', send: 'send:0', bind: 'bind:0' },
      };
      expect(() => SocketsPolicy.parse(section)).to.throw(invalid('bind:0'));
      delete section.udp!.bind;
      expect(() => SocketsPolicy.parse(section)).to.throw(invalid('send:0'));
      delete section.udp!.send;
      expect(() => SocketsPolicy.parse(section)).to.throw(invalid('*'));
      delete section.udp;
      expect(() => SocketsPolicy.parse(section)).to.throw(invalid('connect:0'));
      delete section.tcp;
      expect(() => SocketsPolicy.parse(section)).to.throw(invalid('listen:0'));
    });

    describe('multicastMembership', () => {
      it('accepts only the empty string', () => {
        expect(() => SocketsPolicy.parse({ udp: { multicastMembership: '' } })).not.to.throw();
        expect(() => SocketsPolicy.parse({ udp: { multicastMembership: ['', ''] } })).not.to.throw();
      });

      for (const pattern of ['*', '*:*', ':', '*:', ':*', ':99', 'a.com', '239.1.2.3', ' ']) {
        it(`rejects ${JSON.stringify(pattern)} as a manifest error`, () => {
          expect(() => SocketsPolicy.parse({ udp: { multicastMembership: pattern } })).to.throw(Error, invalid(pattern));
        });
      }
    });

    describe('section shape', () => {
      for (const section of [null, 'tcp', 42, true, []]) {
        it(`rejects a section that is ${JSON.stringify(section)}`, () => {
          expect(() => SocketsPolicy.parse(raw(section))).to.throw(Error, "'sockets' must be an object");
        });
      }

      it('rejects an unknown namespace, naming it', () => {
        expect(() => SocketsPolicy.parse(raw({ tcp: {}, tcpserver: { listen: '' } }))).to.throw(Error, "'sockets.tcpserver'");
      });

      it('rejects an unknown operation key, naming it', () => {
        expect(() => SocketsPolicy.parse(raw({ udp: { joinGroup: '' } }))).to.throw(Error, "'sockets.udp.joinGroup'");
        expect(() => SocketsPolicy.parse(raw({ tcp: { listen: '' } }))).to.throw(Error, "'sockets.tcp.listen'");
        expect(() => SocketsPolicy.parse(raw({ tcpServer: { connect: '' } }))).to.throw(Error, "'sockets.tcpServer.connect'");
      });

      it('rejects a namespace that is not an object, naming it', () => {
        for (const value of ['', null, [], 1]) {
          expect(() => SocketsPolicy.parse(raw({ udp: value })), JSON.stringify(value)).to.throw(Error, "'sockets.udp' must be an object");
        }
      });

      it('rejects values that are not a string or an array of strings, naming the key', () => {
        for (const value of [80, null, true, {}, [80], ['a.com', null], [['a.com']]]) {
          expect(() => SocketsPolicy.parse(raw({ tcp: { connect: value } })), JSON.stringify(value)).to.throw(
            Error,
            "'sockets.tcp.connect' must be a string or an array of strings",
          );
        }
      });

      it('reports a shape error before any pattern error, as Chrome validates types first', () => {
        expect(() => SocketsPolicy.parse(raw({ udp: { bind: 'a:0' }, tcp: { connect: 5 } }))).to.throw(Error, "'sockets.tcp.connect'");
      });

      it('does not read inherited keys', () => {
        const section = Object.create({ tcp: { connect: '' } }) as SocketsManifest;
        expect(SocketsPolicy.parse(section).allows('tcp-connect', 'a.com', 80)).to.equal(false);
      });
    });

    it('copies the section, so later changes to it have no effect', () => {
      const section = { tcp: { connect: ['a.com:80'] } };
      const policy = SocketsPolicy.parse(section);
      section.tcp.connect.push('');
      expect(policy.allows('tcp-connect', 'b.com', 80)).to.equal(false);
    });
  });

  describe('#allows', () => {
    for (const pattern of ['', '*', ':', '*:', ':*', '*:*', '*.', '.']) {
      it(`treats ${JSON.stringify(pattern)} as any host, any port`, () => {
        for (const [op, manifest] of ADDRESS_OPS) {
          const policy = SocketsPolicy.parse(manifest(pattern));
          expect(policy.allows(op, 'www.example.com', 80), op).to.equal(true);
          expect(policy.allows(op, '127.0.0.1', 65535), op).to.equal(true);
          expect(policy.allows(op, '::1', 1), op).to.equal(true);
          expect(policy.allows(op, '0.0.0.0', 0), op).to.equal(true);
          expect(policy.allows(op, '', 0), op).to.equal(true);
        }
      });
    }

    for (const pattern of [':99', '*:99']) {
      it(`treats ${JSON.stringify(pattern)} as any host, port 99 only`, () => {
        const policy = connect(pattern);
        expect(policy.allows('tcp-connect', 'www.example.com', 99)).to.equal(true);
        expect(policy.allows('tcp-connect', '10.0.0.1', 99)).to.equal(true);
        expect(policy.allows('tcp-connect', 'www.example.com', 98)).to.equal(false);
        expect(policy.allows('tcp-connect', 'www.example.com', 0)).to.equal(false);
      });
    }

    it('matches an exact host on any port when no port is given', () => {
      const policy = connect('www.example.com');
      expect(policy.allows('tcp-connect', 'www.example.com', 1)).to.equal(true);
      expect(policy.allows('tcp-connect', 'www.example.com', 65535)).to.equal(true);
      expect(policy.allows('tcp-connect', 'example.com', 80)).to.equal(false);
      expect(policy.allows('tcp-connect', 'a.www.example.com', 80)).to.equal(false);
    });

    it('matches an exact host and port', () => {
      const policy = connect('a.com:80');
      expect(policy.allows('tcp-connect', 'a.com', 80)).to.equal(true);
      expect(policy.allows('tcp-connect', 'a.com', 81)).to.equal(false);
      expect(policy.allows('tcp-connect', 'b.com', 80)).to.equal(false);
    });

    it('lower-cases both the pattern host and the checked host', () => {
      const policy = SocketsPolicy.parse({ udp: { send: 'wWW.ExAmPlE.cOm' } });
      expect(policy.allows('udp-send', 'www.example.com', 53)).to.equal(true);
      expect(policy.allows('udp-send', 'WWW.EXAMPLE.COM', 53)).to.equal(true);
    });

    it('lower-cases ASCII letters only, as base::ToLowerASCII does', () => {
      const policy = connect('ÉCOLE.fr');
      expect(policy.allows('tcp-connect', 'École.FR', 80)).to.equal(true);
      expect(policy.allows('tcp-connect', 'école.fr', 80)).to.equal(false);
    });

    it('ignores whitespace next to the dots inside a host, as Chrome trims each label', () => {
      const policy = connect('www .example. com:80');
      expect(policy.allows('tcp-connect', 'www.example.com', 80)).to.equal(true);
      expect(policy.toJSON()).to.deep.equal({ tcp: { connect: ['www.example.com:80'] } });
    });

    it('keeps whitespace inside a label as part of a literal host', () => {
      const policy = connect('ww w.example.com');
      expect(policy.allows('tcp-connect', 'ww w.example.com', 80)).to.equal(true);
      expect(policy.allows('tcp-connect', 'www.example.com', 80)).to.equal(false);
    });

    for (const pattern of ['*.example.com', '.example.com', '*.ExAmPlE.cOm']) {
      it(`lets ${JSON.stringify(pattern)} match the domain itself and subdomains at any depth`, () => {
        const policy = connect(pattern);
        expect(policy.allows('tcp-connect', 'example.com', 80)).to.equal(true);
        expect(policy.allows('tcp-connect', 'www.example.com', 80)).to.equal(true);
        expect(policy.allows('tcp-connect', 'SMTP.example.com', 25)).to.equal(true);
        expect(policy.allows('tcp-connect', 'a.b.c.example.com', 1)).to.equal(true);
      });
    }

    it('does not let a domain pattern match look-alike hosts', () => {
      const policy = connect('*.example.com');
      expect(policy.allows('tcp-connect', 'wwwexample.com', 80)).to.equal(false);
      expect(policy.allows('tcp-connect', 'www.google.com', 80)).to.equal(false);
      expect(policy.allows('tcp-connect', 'example.com.evil.net', 80)).to.equal(false);
      expect(policy.allows('tcp-connect', 'example.co', 80)).to.equal(false);
      // Nothing before the dot: Chrome asks for one or more characters.
      expect(policy.allows('tcp-connect', '.example.com', 80)).to.equal(false);
    });

    it('applies the port of a domain pattern', () => {
      const policy = SocketsPolicy.parse({ udp: { send: '*.example.com:8800' } });
      expect(policy.allows('udp-send', 'www.example.com', 8800)).to.equal(true);
      expect(policy.allows('udp-send', 'example.com', 8800)).to.equal(true);
      expect(policy.allows('udp-send', 'www.example.com', 8801)).to.equal(false);
    });

    it('never wildcards part of an IP address', () => {
      const policy = connect('*.168.0.1:8800');
      expect(policy.allows('tcp-connect', '192.168.0.1', 8800)).to.equal(false);
      expect(policy.allows('tcp-connect', '10.168.0.1', 8800)).to.equal(false);
    });

    it("recognises IPv4 the way Chrome's URL canonicaliser does (hex, octal, short forms, trailing dot)", () => {
      expect(connect('*.0.1').allows('tcp-connect', '0xc0.168.0.1', 1)).to.equal(false);
      expect(connect('*.0.1').allows('tcp-connect', '0300.0250.0.1', 1)).to.equal(false);
      expect(connect('*.168.1').allows('tcp-connect', '192.168.1', 1)).to.equal(false);
      expect(connect('*.0.1.').allows('tcp-connect', '192.168.0.1.', 1)).to.equal(false);
      expect(connect('*.0.1').allows('tcp-connect', 'a.0.1', 1)).to.equal(true);
    });

    it('treats a numeric host that is not a valid IPv4 address as a host name', () => {
      // url::CanonicalizeIPAddress calls these BROKEN, not IPV4, so the domain rule applies.
      expect(connect('*.3.999').allows('tcp-connect', '1.2.3.999', 1)).to.equal(true);
      expect(connect('*.2.3.4').allows('tcp-connect', '1.1.2.3.4', 1)).to.equal(true);
      expect(connect('*.0.1').allows('tcp-connect', '09.0.1', 1)).to.equal(true);
    });

    it('compares the literal host before the IP rule, as Chrome does', () => {
      expect(connect('*.168.0.1').allows('tcp-connect', '168.0.1', 1)).to.equal(true);
      expect(connect('192.168.0.1:80').allows('tcp-connect', '192.168.0.1', 80)).to.equal(true);
    });

    it('checks the literal host, never a resolved address', () => {
      const localhost = connect('localhost');
      expect(localhost.allows('tcp-connect', 'localhost', 80)).to.equal(true);
      expect(localhost.allows('tcp-connect', '127.0.0.1', 80)).to.equal(false);
      expect(localhost.allows('tcp-connect', '::1', 80)).to.equal(false);
      const loopback = connect('127.0.0.1');
      expect(loopback.allows('tcp-connect', 'localhost', 80)).to.equal(false);
      expect(loopback.allows('tcp-connect', '127.000.000.001', 80)).to.equal(false);
    });

    it('keeps operation types apart', () => {
      const policy = connect('');
      expect(policy.allows('tcp-connect', 'www.example.com', 80)).to.equal(true);
      for (const op of ['tcp-listen', 'udp-bind', 'udp-send', 'udp-multicast-membership'] as const) {
        expect(policy.allows(op, 'www.example.com', 80), op).to.equal(false);
      }
      const udp = SocketsPolicy.parse({ udp: { bind: ':8800' } });
      expect(udp.allows('udp-bind', '127.0.0.1', 8800)).to.equal(true);
      expect(udp.allows('udp-bind', '127.0.0.1', 8888)).to.equal(false);
      expect(udp.allows('udp-send', '127.0.0.1', 8800)).to.equal(false);
      expect(udp.allows('tcp-connect', 'www.example.com', 80)).to.equal(false);
    });

    it('passes when any entry of the operation passes', () => {
      const policy = SocketsPolicy.parse({ tcpServer: { listen: ['127.0.0.1:80', 'a.com:80', ':9000'] } });
      expect(policy.allows('tcp-listen', '127.0.0.1', 80)).to.equal(true);
      expect(policy.allows('tcp-listen', 'a.com', 80)).to.equal(true);
      expect(policy.allows('tcp-listen', '0.0.0.0', 9000)).to.equal(true);
      expect(policy.allows('tcp-listen', '0.0.0.0', 80)).to.equal(false);
    });

    it('needs a wildcard-port pattern to bind to port 0', () => {
      expect(SocketsPolicy.parse({ udp: { bind: '0.0.0.0:5353' } }).allows('udp-bind', '0.0.0.0', 0)).to.equal(false);
      expect(SocketsPolicy.parse({ udp: { bind: '0.0.0.0' } }).allows('udp-bind', '0.0.0.0', 0)).to.equal(true);
    });

    it("reduces the port to 16 bits as Chrome's uint16_t parameter does", () => {
      const policy = connect('a.com:80');
      expect(policy.allows('tcp-connect', 'a.com', 65536 + 80)).to.equal(true);
      expect(connect('a.com:65535').allows('tcp-connect', 'a.com', -1)).to.equal(true);
    });

    it('reads a port with a plus sign or leading zeros as base::StringToInt does', () => {
      expect(connect('a.com:+80').allows('tcp-connect', 'a.com', 80)).to.equal(true);
      expect(connect('a.com:0080').allows('tcp-connect', 'a.com', 80)).to.equal(true);
      expect(connect('a.com:+80').toJSON()).to.deep.equal({ tcp: { connect: ['a.com:80'] } });
    });

    describe('multicast membership', () => {
      it('is granted by "" whatever the group and port', () => {
        const policy = SocketsPolicy.parse({ udp: { multicastMembership: '' } });
        expect(policy.allows('udp-multicast-membership', '*', 0)).to.equal(true);
        expect(policy.allows('udp-multicast-membership', '239.255.0.1', 5353)).to.equal(true);
        expect(policy.allows('udp-multicast-membership', '127.0.0.1', 35)).to.equal(true);
      });

      it('is not granted by address-bound rules, and grants none of them', () => {
        const addressOnly = SocketsPolicy.parse({ udp: { bind: '', send: '' }, tcp: { connect: '' } });
        expect(addressOnly.allows('udp-multicast-membership', '*', 0)).to.equal(false);
        const membership = SocketsPolicy.parse({ udp: { multicastMembership: '' } });
        expect(membership.allows('udp-bind', '127.0.0.1', 8800)).to.equal(false);
        expect(membership.allows('udp-send', 'www.google.com', 8800)).to.equal(false);
        expect(membership.allows('tcp-connect', 'www.example.com', 80)).to.equal(false);
      });
    });

    it("answers the manifests Chromium's API tests use", () => {
      const tcp = SocketsPolicy.parse({ tcp: { connect: '' } });
      expect(tcp.allows('tcp-connect', '127.0.0.1', 8080)).to.equal(true);
      expect(tcp.allows('tcp-listen', '127.0.0.1', 8080)).to.equal(false);
      const server = SocketsPolicy.parse({ tcp: { connect: '' }, tcpServer: { listen: '' } });
      expect(server.allows('tcp-listen', '0.0.0.0', 0)).to.equal(true);
      const udp = SocketsPolicy.parse({ udp: { send: '*', bind: '*', multicastMembership: '' } });
      expect(udp.allows('udp-bind', '0.0.0.0', 0)).to.equal(true);
      expect(udp.allows('udp-send', '239.255.0.1', 1900)).to.equal(true);
      expect(udp.allows('udp-multicast-membership', '*', 0)).to.equal(true);
      expect(udp.allows('tcp-connect', '127.0.0.1', 80)).to.equal(false);
    });
  });

  describe('#toJSON', () => {
    // Chromium's sockets_manifest_permission_unittest.cc (JSONFormats).
    it('writes "" back as "*:*" for every address-bound operation', () => {
      expect(SocketsPolicy.parse({ udp: { send: '' } }).toJSON()).to.deep.equal({
        udp: { bind: [], multicastMembership: [], send: ['*:*'] },
      });
      expect(SocketsPolicy.parse({ udp: { bind: [''] } }).toJSON()).to.deep.equal({
        udp: { bind: ['*:*'], multicastMembership: [], send: [] },
      });
      expect(SocketsPolicy.parse({ tcp: { connect: '' } }).toJSON()).to.deep.equal({ tcp: { connect: ['*:*'] } });
      expect(SocketsPolicy.parse({ tcpServer: { listen: [''] } }).toJSON()).to.deep.equal({
        tcpServer: { listen: ['*:*'] },
      });
    });

    it('writes membership back as "" and merges duplicates', () => {
      expect(SocketsPolicy.parse({ udp: { multicastMembership: ['', ''] } }).toJSON()).to.deep.equal({
        udp: { bind: [], multicastMembership: [''], send: [] },
      });
    });

    it('lists every entry of a full manifest', () => {
      const policy = SocketsPolicy.parse({
        udp: { send: ['a:80', 'b:10'], bind: ['a:80', 'b:10'], multicastMembership: '' },
        tcp: { connect: ['a:80', 'b:10'] },
        tcpServer: { listen: ['a:80', 'b:10'] },
      });
      expect(policy.toJSON()).to.deep.equal({
        tcp: { connect: ['a:80', 'b:10'] },
        tcpServer: { listen: ['a:80', 'b:10'] },
        udp: { bind: ['a:80', 'b:10'], multicastMembership: [''], send: ['a:80', 'b:10'] },
      });
    });

    const normalised: Array<[string, string]> = [
      ['*', '*:*'],
      [':', '*:*'],
      ['*:', '*:*'],
      [':*', '*:*'],
      ['*:*', '*:*'],
      [':99', '*:99'],
      ['*:99', '*:99'],
      ['www.example.com', 'www.example.com:*'],
      ['wWW.ExAmPlE.cOm', 'www.example.com:*'],
      ['.example.com', '*.example.com:*'],
      ['*.example.com', '*.example.com:*'],
      ['*.example.com:99', '*.example.com:99'],
      ['a.com:80', 'a.com:80'],
    ];
    for (const [pattern, written] of normalised) {
      it(`writes ${JSON.stringify(pattern)} back as ${JSON.stringify(written)}`, () => {
        expect(connect(pattern).toJSON()).to.deep.equal({ tcp: { connect: [written] } });
      });
    }

    it('merges patterns that mean the same thing', () => {
      expect(connect(['', '*', '*:*', ':']).toJSON()).to.deep.equal({ tcp: { connect: ['*:*'] } });
      expect(connect(['.a.com:80', '*.A.com:80']).toJSON()).to.deep.equal({ tcp: { connect: ['*.a.com:80'] } });
    });

    it("orders entries as Chrome's std::set does: by host, then subdomain flag, then port", () => {
      expect(connect(['b.com:10', '*.a.com', 'a.com:443', 'a.com:80', '']).toJSON()).to.deep.equal({
        tcp: { connect: ['*:*', 'a.com:80', 'a.com:443', '*.a.com:*', 'b.com:10'] },
      });
    });

    it('round-trips: parsing the written form gives the same policy', () => {
      const manifests: SocketsManifest[] = [
        { udp: { bind: ['127.0.0.1:3007', 'a.com:80'] } },
        { udp: { send: ['', 'a.com:80'] } },
        { tcp: { connect: ['127.0.0.1:80', 'a.com:80'] } },
        { tcpServer: { listen: ['127.0.0.1:80', '.a.com:80'] } },
        ALLOW_ALL_SOCKETS,
      ];
      for (const manifest of manifests) {
        const policy = SocketsPolicy.parse(manifest);
        const again = SocketsPolicy.parse(policy.toJSON());
        expect(again.toJSON(), JSON.stringify(manifest)).to.deep.equal(policy.toJSON());
      }
    });

    it('is what JSON.stringify uses', () => {
      expect(JSON.parse(JSON.stringify(connect('.A.com:80')))).to.deep.equal({ tcp: { connect: ['*.a.com:80'] } });
    });
  });
});

describe('ALLOW_ALL_SOCKETS', () => {
  it('grants every operation on any host and port', () => {
    const policy = SocketsPolicy.parse(ALLOW_ALL_SOCKETS);
    for (const [op] of ADDRESS_OPS) {
      expect(policy.allows(op, 'anything.example', 1234), op).to.equal(true);
      expect(policy.allows(op, '::1', 0), op).to.equal(true);
    }
    expect(policy.allows('udp-multicast-membership', '*', 0)).to.equal(true);
  });

  it('is the all-"" manifest and cannot be changed', () => {
    expect(ALLOW_ALL_SOCKETS).to.deep.equal({
      tcp: { connect: '' },
      tcpServer: { listen: '' },
      udp: { bind: '', send: '', multicastMembership: '' },
    });
    expect(Object.isFrozen(ALLOW_ALL_SOCKETS)).to.equal(true);
    expect(Object.isFrozen(ALLOW_ALL_SOCKETS.udp)).to.equal(true);
  });
});
