/**
 * Hostile arguments in every slot of every method of the method table, through the test host's
 * port and through the browser host's WebSocket: wrong types, NaN and infinities, huge and
 * negative numbers and ids, non-ASCII and over-long host names, a buffer past the write quota,
 * and prototype keys (`__proto__`, `constructor`) in option objects. The random fuzzer
 * (fuzz.test.ts) shows the host survives; this table shows what it answers: every call gets an
 * answer, every error is one of Chrome's texts (never a Node message leaking through), nothing
 * reaches Object.prototype, and the page stays served.
 */
import { expect } from 'chai';
import type { LookupFunction } from 'node:net';
import { METHODS, type MethodSpec } from '../../common/methods';
import type { SocketsManifest } from '../../common/api-types';
import { PROTOCOL_VERSION, type ResultMessage } from '../../common/protocol';
import { startBrowserHost } from '../../main/browser-host/server';
import { SocketsHost } from '../../main/host';
import { attachRaw, Cleanup, echoServer } from '../support';
import { openRawWs } from './ws-page';

/** Past the hosts' write quota below, and under the browser host's largest message (header cap + 4 + quota). */
const WRITE_QUOTA = 1024 * 1024;
const HUGE_BUFFER_BYTES = 1.5 * 1024 * 1024;

const noDns = ((_name: string, _options: unknown, callback: (error: Error) => void) => {
  process.nextTick(() => callback(Object.assign(new Error('no DNS here'), { code: 'ENOTFOUND' })));
}) as unknown as LookupFunction;

/** Loopback only, and only the test's echo server, whatever port or address a call names. */
function manifest(echoPort: number): SocketsManifest {
  return {
    tcp: { connect: `127.0.0.1:${echoPort}` },
    tcpServer: { listen: '127.0.0.1:*' },
    udp: { bind: '127.0.0.1:*', send: `127.0.0.1:${echoPort}`, multicastMembership: '' },
  };
}

const HOSTILE: ReadonlyArray<[string, () => unknown]> = [
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-1', () => -1],
  ['2^31', () => 2 ** 31],
  ['2^53', () => 2 ** 53],
  ['-2^53', () => -(2 ** 53)],
  ['1e308', () => 1e308],
  ['0.5', () => 0.5],
  ['70000', () => 70000],
  ['a full-width host name', () => 'ｌｏｃａｌｈｏｓｔ'],
  ['an IDN host name', () => 'bücher.example'],
  ['a Japanese host name', () => '例え.テスト'],
  ['a right-to-left override', () => '\u202e1.0.0.721'],
  ['a NUL', () => '127.0.0.1\u0000.example.com'],
  ['a 70 000-character string', () => 'x'.repeat(70_000)],
  ['__proto__ in an object', () => JSON.parse('{"__proto__": {"polluted": true, "persistent": true}}') as unknown],
  ['constructor.prototype in an object', () => ({ constructor: { prototype: { polluted: true } } })],
  ['__proto__ beside a valid key', () => JSON.parse('{"name": "n", "__proto__": {"bufferSize": 1}}') as unknown],
  ['null', () => null],
  ['an empty array', () => []],
  ['an empty buffer', () => new ArrayBuffer(0)],
  ['a buffer past the write quota', () => new ArrayBuffer(HUGE_BUFFER_BYTES)],
];

/**
 * Every error a call may give: Chrome's texts (spec §2, §4) and the host's documented limits. The
 * raw namespace (the other APIs' facades map its codes to their own words) may add the OS code
 * it came from, e.g. `net::ERR_INVALID_ARGUMENT (ERR_SOCKET_BAD_PORT)`.
 */
const CHROME_ERROR =
  /^(Error in invocation of sockets\.\w+\.\w+\(.*\): .+|Socket not found|net::ERR_[A-Z_]+|Argument too long for sockets\.\w+\.\w+|Exceeded write quota\.|(App does not|Does not) have permission)$/s;
const RAW_ERROR = /^net::ERR_[A-Z_]+ \([A-Z][A-Z0-9_]+\)$/;

/** A valid value for a parameter, so each call differs from a valid one in one slot only. */
function validValue(
  name: string,
  type: string,
  values: readonly string[] | undefined,
  ids: Record<string, number>,
  ns: string,
  echoPort: number,
): unknown {
  if (name === 'socketId') return ids[ns];
  if (/port/i.test(name)) return echoPort;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'string':
      return '127.0.0.1';
    case 'binary':
      return new ArrayBuffer(3);
    case 'boolean':
      return true;
    case 'enum':
      return values![0];
    default:
      return {};
  }
}

interface Carrier {
  call(id: number, ns: string, m: string, a: unknown[]): Promise<ResultMessage>;
}

/** Runs the table on one carrier; returns how many calls were made. */
async function runTable(page: Carrier, echoPort: number): Promise<number> {
  let next = 1;
  const call = (ns: string, m: string, a: unknown[]) => page.call(next++, ns, m, a);
  const created = async (ns: string, m: string, a: unknown[]): Promise<number> => {
    const r = await call(ns, m, a);
    expect(r.e, `${ns}.${m}`).to.equal(undefined);
    return (r.a[0] as { socketId: number }).socketId;
  };
  const ids: Record<string, number> = {
    tcp: await created('tcp', 'create', [{}]),
    tcpServer: await created('tcpServer', 'create', [{}]),
    udp: await created('udp', 'create', [{}]),
    raw: await created('raw', 'udpOpen', [{ localAddress: '127.0.0.1' }]),
  };
  let calls = 0;
  for (const [ns, table] of Object.entries(METHODS)) {
    for (const [m, method] of Object.entries(table as Record<string, MethodSpec>)) {
      // A closed socket would turn every later call into "Socket not found": what they answer is the subject.
      if (m === 'close' || m === 'disconnect') continue;
      const valid = method.params.map((p) =>
        validValue(p.name, p.schema.type, 'values' in p.schema ? (p.schema.values as readonly string[]) : undefined, ids, ns, echoPort),
      );
      for (let slot = 0; slot < valid.length; slot++) {
        for (const [what, make] of HOSTILE) {
          const args = valid.slice();
          args[slot] = make();
          const r = await call(ns, m, args);
          calls++;
          if (r.e === undefined) continue;
          const message = ns === 'raw' && RAW_ERROR.test(r.e.message) ? r.e.message.replace(/ \(.*\)$/, '') : r.e.message;
          expect(message, `${ns}.${m} with ${what} as ${method.params[slot]!.name}: ${r.e.message}`).to.match(CHROME_ERROR);
        }
      }
    }
  }
  expect(Object.keys(Object.prototype)).to.deep.equal([]);
  expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  // Still served: a new socket, and the one the table kept using answers getInfo.
  expect((await call('tcp', 'create', [{}])).e).to.equal(undefined);
  expect((await call('udp', 'getInfo', [ids.udp])).e).to.equal(undefined);
  return calls;
}

describe('hostile arguments in every slot of the method table', function () {
  this.timeout(120_000);
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  function newHost(): SocketsHost {
    const host = new SocketsHost({ log: () => {}, lookup: noDns, writeQuota: WRITE_QUOTA });
    cleanup.add(() => host.dispose());
    return host;
  }

  it("the test host's port answers each with a result or one of Chrome's errors", async () => {
    const { port: echoPort } = await echoServer(cleanup);
    const host = newHost();
    const page = attachRaw(host, { app: 'hostile', sockets: manifest(echoPort), apis: ['direct'], background: true }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    const carrier: Carrier = {
      async call(id, ns, m, a) {
        page.send({ t: 'call', id, ns, m, a });
        return (await page.next((item) => item.t === 'r' && item.id === id, 10_000)) as ResultMessage;
      },
    };
    expect(await runTable(carrier, echoPort)).to.be.above(1000);
  });

  it("the browser host's WebSocket answers each with a result or one of Chrome's errors, and keeps the page open", async () => {
    const { port: echoPort } = await echoServer(cleanup);
    const host = newHost();
    const bh = await startBrowserHost({ socketsHost: host, app: 'hostile', sockets: manifest(echoPort), apis: ['direct'], log: () => {} });
    cleanup.add(() => bh.close());
    const page = await openRawWs(bh);
    cleanup.add(() => page.ws.terminate());
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    let closed: number | undefined;
    void page.closed.then((code) => (closed = code));
    const carrier: Carrier = {
      call: (id, ns, m, a) =>
        Promise.race([
          page.call(id, ns, m, a),
          page.closed.then((code) => Promise.reject(new Error(`the host closed the page (${code}) at ${ns}.${m}`))),
        ]),
    };
    expect(await runTable(carrier, echoPort)).to.be.above(1000);
    expect(closed).to.equal(undefined);
  });
});
