/**
 * Issue 9 item 1: the name that is resolved is the name that was checked. Hostile spellings of a
 * host fail with -105 before anything is resolved, or are checked in their canonical form.
 */
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { canonicalHost } from '../../main/host-name';
import { answer, createSocket, mockLookup, openHost, startEchoServer, useCleanup } from '../tcp/helpers';

const NOT_RESOLVED = 'net::ERR_NAME_NOT_RESOLVED';

describe('hostile host names (issue 9 item 1)', () => {
  const cleanup = useCleanup();

  describe('canonicalHost', () => {
    const table: Array<[string, string | undefined]> = [
      ['127.0.0.1\u0000.example.com', undefined],
      ['a.example.com\u0000', undefined],
      ['127.0.0.1%00.example.com', undefined],
      ['%41.example.com', undefined],
      ['evil.com/.example.com', undefined],
      ['evil.com\\.example.com', undefined],
      ['evil.com#.example.com', undefined],
      ['evil.com?.example.com', undefined],
      ['user@evil.example.com', undefined],
      [' www.example.com', undefined],
      ['www.example.com\t', undefined],
      ['www.exa mple.com', undefined],
      ['www.example.com\r\n', undefined],
      ['', undefined],
      ['.', undefined],
      ['www.example.com..', undefined],
      ['www..example.com', undefined],
      [`${'a'.repeat(64)}.example.com`, undefined],
      [`${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`],
      [`${'x.'.repeat(124)}example.com`, undefined],
      ['WWW.Example.COM', 'www.example.com'],
      ['www.example.com.', 'www.example.com'],
      ['bücher.example.com', 'xn--bcher-kva.example.com'],
      ['0x7f.1', '127.0.0.1'],
      ['0177.0.0.1', '127.0.0.1'],
      ['127.1', '127.0.0.1'],
      ['2130706433', '127.0.0.1'],
      ['127.0.0.1.', '127.0.0.1'],
      ['1.2.3.999', undefined],
      ['example.123', undefined],
      ['fe80::1%lo', undefined],
      ['fe80::1%25lo', undefined],
      ['[fe80::1%lo]', undefined],
      ['[::1]', '::1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
      ['::ffff:127.0.0.1', '::ffff:7f00:1'],
      ['[::1', undefined],
      ['::1]', undefined],
      ['1::2::3', undefined],
    ];
    for (const [input, expected] of table) {
      it(`${JSON.stringify(input).slice(0, 60)} → ${expected === undefined ? 'refused' : JSON.stringify(expected)}`, () => {
        expect(canonicalHost(input)?.name).to.equal(expected);
      });
    }
  });

  describe('tcp.connect', () => {
    it('refuses "127.0.0.1\\0.example.com" under "*.example.com:<port>" with -105 and never connects', async () => {
      let connections = 0;
      const server = await startEchoServer(cleanup);
      server.server.on('connection', () => connections++);
      // The real resolver: before the fix getaddrinfo stopped at the NUL and connected to 127.0.0.1.
      const t = await openHost(cleanup, { sockets: { tcp: { connect: `*.example.com:${server.port}` } } });
      const id = await createSocket(t);
      const result = await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1\u0000.example.com', server.port, cb));
      expect(result).to.deep.equal({ args: [-105], lastError: NOT_RESOLVED });
      // A connection that got through would have been accepted before this round trip ends.
      const ok = await answer(t, (cb) => t.tcp.getInfo(id, cb));
      expect((ok.args[0] as { connected: boolean }).connected).to.equal(false);
      expect(connections).to.equal(0);
    });

    const refused = [
      '127.0.0.1\u0000.example.com',
      '127.0.0.1%00.example.com',
      'a.example.com/x',
      'fe80::1%lo',
      `${'a'.repeat(64)}.example.com`,
      'www.example.com..',
    ];
    for (const name of refused) {
      it(`fails ${JSON.stringify(name).slice(0, 50)} with -105 before the resolver sees it`, async () => {
        const lookup = mockLookup({ 'a.example.com': '127.0.0.1' });
        const t = await openHost(cleanup, { lookup, sockets: { tcp: { connect: '*.example.com:80' } } });
        const id = await createSocket(t);
        const result = await answer(t, (cb) => t.tcp.connect(id, name, 80, cb));
        expect(result).to.deep.equal({ args: [-105], lastError: NOT_RESOLVED });
        expect(lookup.calls).to.deep.equal([]);
      });
    }

    it('checks and resolves the canonical name (case, trailing dot, IDN)', async () => {
      const server = await startEchoServer(cleanup);
      const lookup = mockLookup({ 'www.example.com': '127.0.0.1', 'xn--bcher-kva.example.com': '127.0.0.1' });
      const t = await openHost(cleanup, { lookup, sockets: { tcp: { connect: `www.example.com:${server.port}` } } });
      for (const name of ['WWW.Example.COM', 'www.example.com.']) {
        const id = await createSocket(t);
        expect(await answer(t, (cb) => t.tcp.connect(id, name, server.port, cb))).to.deep.equal({ args: [0], lastError: undefined });
      }
      const id = await createSocket(t);
      const idn = await answer(t, (cb) => t.tcp.connect(id, 'bücher.example.com', server.port, cb));
      expect(idn.lastError).to.equal('Does not have permission');
      expect(lookup.calls).to.deep.equal(['www.example.com', 'www.example.com']);
    });

    for (const name of ['0x7f.1', '0177.0.0.1', '127.1', '2130706433']) {
      it(`treats IPv4 short form ${name} as 127.0.0.1: no subdomain pattern matches it, the exact address does`, async () => {
        const server = await startEchoServer(cleanup);
        const lookup = mockLookup({});
        const denied = await openHost(cleanup, { lookup, sockets: { tcp: { connect: `*.0.1:${server.port}` } } });
        const a = await createSocket(denied);
        expect((await answer(denied, (cb) => denied.tcp.connect(a, name, server.port, cb))).lastError).to.equal('Does not have permission');
        const allowed = await openHost(cleanup, { lookup, sockets: { tcp: { connect: `127.0.0.1:${server.port}` } } });
        const b = await createSocket(allowed);
        expect(await answer(allowed, (cb) => allowed.tcp.connect(b, name, server.port, cb))).to.deep.equal({
          args: [0],
          lastError: undefined,
        });
        const info = await answer(allowed, (cb) => allowed.tcp.getInfo(b, cb));
        expect((info.args[0] as { peerAddress: string }).peerAddress).to.equal('127.0.0.1');
        expect(lookup.calls).to.deep.equal([]);
      });
    }

    it('keeps [::ffff:127.0.0.1] an IPv6 address that no host-name pattern matches', async () => {
      const lookup = mockLookup({});
      const t = await openHost(cleanup, { lookup, sockets: { tcp: { connect: ['*.example.com:80', '127.0.0.1:80'] } } });
      const id = await createSocket(t);
      const result = await answer(t, (cb) => t.tcp.connect(id, '[::ffff:127.0.0.1]', 80, cb));
      expect(result.lastError).to.equal('Does not have permission');
      expect(lookup.calls).to.deep.equal([]);
    });
  });

  describe('udp', () => {
    it('send fails "127.0.0.1\\0.example.com" with {resultCode:-105} and resolves nothing', async () => {
      const receiver = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
      cleanup.add(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
      const port = (receiver.address() as net.AddressInfo).port;
      const lookup = mockLookup({});
      const t = await openHost(cleanup, { lookup, sockets: { udp: { bind: '127.0.0.1', send: `*.example.com:${port}` } } });
      const udp = t.chrome.sockets.udp as unknown as Record<string, (...args: unknown[]) => void>;
      const created = await answer(t, (cb) => udp.create(cb));
      const id = (created.args[0] as { socketId: number }).socketId;
      expect((await answer(t, (cb) => udp.bind(id, '127.0.0.1', 0, cb))).args).to.deep.equal([0]);
      const result = await answer(t, (cb) => udp.send(id, new Uint8Array([1]).buffer, '127.0.0.1\u0000.example.com', port, cb));
      expect(result).to.deep.equal({ args: [{ resultCode: -105 }], lastError: NOT_RESOLVED });
      expect(lookup.calls).to.deep.equal([]);
    });

    it('joinGroup refuses a group address with a NUL or a zone id (-108)', async () => {
      const t = await openHost(cleanup);
      const udp = t.chrome.sockets.udp as unknown as Record<string, (...args: unknown[]) => void>;
      const id = ((await answer(t, (cb) => udp.create(cb))).args[0] as { socketId: number }).socketId;
      expect((await answer(t, (cb) => udp.bind(id, '0.0.0.0', 0, cb))).args).to.deep.equal([0]);
      for (const group of ['224.0.0.251\u0000', '224.0.0.251\u0000.example.com', 'ff02::fb%lo']) {
        const result = await answer(t, (cb) => udp.joinGroup(id, group, cb));
        expect(result).to.deep.equal({ args: [-108], lastError: 'net::ERR_ADDRESS_INVALID' });
      }
    });
  });
});
