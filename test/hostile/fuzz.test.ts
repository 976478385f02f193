/**
 * Issue 9 item 11: a protocol fuzzer. Thousands of random and mutated messages per run (valid
 * shapes with wrong types, huge and negative numbers, non-ASCII host names, deep nesting,
 * prototype keys, other apps' socket ids) go to the test host's port and to the browser host's
 * WebSocket. After each batch: the host answers a fresh page, another app's data is intact
 * (SHA-256 of an echo), and memory and descriptor counts stay under a bound. What the host
 * answers to each kind of hostile argument is in arguments.test.ts.
 *
 * Reproducible: HOSTILE_FUZZ_SEED (default fixed) picks the messages, and a failure prints it.
 * HOSTILE_FUZZ_RUNS (batches per host, default 6) and HOSTILE_FUZZ_BATCH (messages per batch,
 * default 300) raise the amount locally.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from '../../common/binary-frame';
import { METHODS } from '../../common/methods';
import { PROTOCOL_VERSION, type ResultMessage } from '../../common/protocol';
import type { SocketsManifest } from '../../common/api-types';
import { startBrowserHost } from '../../main/browser-host/server';
import { SocketsHost } from '../../main/host';
import type { ChromeSockets } from '../../preload/facade';
import { attachFacade, attachRaw, Cleanup, echoServer, until } from '../support';
import { openRawWs } from './ws-page';

const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? 0x5eed1209);
const RUNS = Number(process.env.HOSTILE_FUZZ_RUNS ?? 6);
const PER_BATCH = Number(process.env.HOSTILE_FUZZ_BATCH ?? 300);
/** Growth allowed over the whole run, whatever the fuzzer does. */
const MAX_RSS_GROWTH = 384 * 1024 * 1024;
const MAX_FD_GROWTH = 700;
const MARKER = 2 ** 52;

const noDns = ((_name: string, _options: unknown, callback: (error: Error) => void) => {
  process.nextTick(() => callback(Object.assign(new Error('no DNS in the fuzzer'), { code: 'ENOTFOUND' })));
}) as unknown as LookupFunction;

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The fuzzed app may only reach its own echo server on loopback, whatever it sends. */
function fuzzManifest(echoPort: number): SocketsManifest {
  return {
    tcp: { connect: `127.0.0.1:${echoPort}` },
    tcpServer: { listen: '127.0.0.1:*' },
    udp: { bind: '127.0.0.1:*', send: `127.0.0.1:${echoPort}`, multicastMembership: '' },
  };
}

function messages(victimIds: number[]): fc.Arbitrary<unknown> {
  const numbers = fc.oneof(
    fc.constantFrom(
      0,
      -1,
      1,
      2 ** 31,
      2 ** 32,
      2 ** 53,
      -(2 ** 53),
      1e15,
      -1e15,
      1e308,
      65535,
      65536,
      70000,
      0.5,
      -0,
      NaN,
      Infinity,
      -Infinity,
    ),
    fc.integer(),
    fc.double(),
  );
  const protoKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'then');
  const strings = fc.oneof(
    fc.string({ maxLength: 24 }),
    protoKeys,
    fc.constantFrom(
      '',
      '127.0.0.1',
      '127.0.0.1\u0000.example.com',
      '0x7f.1',
      '::1',
      '[::ffff:127.0.0.1]',
      '%00',
      'localhost',
      'ｌｏｃａｌｈｏｓｔ',
      'bücher.example',
      '\u202e1.0.0.721',
      'x'.repeat(70_000),
    ),
  );
  const ids = fc.oneof(fc.constantFrom(...victimIds, 1, 2, 3, 0, -1), fc.nat(50));
  const bytes = fc.uint8Array({ maxLength: 64 }).map((u) => u.buffer as ArrayBuffer);
  const leaf = fc.oneof(numbers, strings, ids, bytes, fc.boolean(), fc.constant(null), fc.constant(undefined));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(strings, protoKeys), tie('value'), { maxKeys: 4 }),
    ),
  }));
  const deep = fc.integer({ min: 10, max: 5000 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
    return v;
  });
  const namespaces = fc.constantFrom('tcp', 'tcpServer', 'udp', 'raw', '__proto__', 'constructor', '', 'sockets');
  const methodNames = [...new Set(Object.values(METHODS).flatMap((table) => Object.keys(table)))];
  const methods = fc.constantFrom(...methodNames, '__proto__', 'constructor', 'toString', 'hasOwnProperty');
  const callIds = fc.oneof(fc.nat(1_000_000), numbers, strings);
  const args = fc.oneof(fc.array(value, { maxLength: 6 }), fc.tuple(ids, value, value, value), fc.tuple(ids, strings, numbers));
  return fc.oneof(
    fc.record({ t: fc.constant('call'), id: callIds, ns: namespaces, m: methods, a: args }),
    fc.record({ t: fc.constant('call'), id: fc.nat(1_000_000), ns: fc.constantFrom('tcp', 'udp', 'tcpServer'), m: methods, a: args }),
    fc.record({ t: fc.constant('call'), id: fc.nat(1_000_000), ns: namespaces, m: methods, a: deep.map((d) => [d]) }),
    fc.record({ t: fc.constant('ack'), n: numbers }),
    fc.record({ t: fc.constant('hello'), v: fc.oneof(numbers, fc.constant(PROTOCOL_VERSION)) }),
    fc.record({ t: fc.constant('listen'), ev: fc.oneof(fc.array(strings, { maxLength: 8 }), value) }),
    fc.record({ t: strings, id: callIds }),
    value,
    deep,
  );
}

/** Another app's socket whose echoed data must stay intact. */
async function victim(host: SocketsHost, cleanup: Cleanup, echoPort: number): Promise<{ ids: number[]; check(): Promise<void> }> {
  const { chrome } = attachFacade(
    host,
    { app: 'victim', sockets: { tcp: { connect: `127.0.0.1:${echoPort}` } }, background: true },
    cleanup,
  );
  const tcp = chrome.sockets.tcp as unknown as Record<string, (...args: any[]) => Promise<any>> & {
    onReceive: { addListener(f: (info: { socketId: number; data: ArrayBuffer }) => void): void };
  };
  const { socketId } = await tcp.create({});
  expect(await tcp.connect(socketId, '127.0.0.1', echoPort)).to.equal(0);
  let received: Buffer[] = [];
  tcp.onReceive.addListener((info) => {
    if (info.socketId === socketId) received.push(Buffer.from(info.data));
  });
  return {
    ids: [socketId],
    async check() {
      const payload = randomBytes(64 * 1024);
      received = [];
      await tcp.send(socketId, payload);
      await until(() => Buffer.concat(received).length >= payload.length, 'the victim echo', 20_000);
      const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(sha(Buffer.concat(received)), 'victim echo SHA-256').to.equal(sha(payload));
    },
  };
}

async function freshPageAnswers(host: SocketsHost, cleanup: Cleanup, n: number): Promise<void> {
  const { chrome, end } = attachFacade(host, { app: `fresh-${n}` }, cleanup);
  const tcp = (chrome as ChromeSockets).sockets.tcp as unknown as Record<string, (...args: any[]) => Promise<any>>;
  const { socketId } = await tcp.create({});
  expect((await tcp.getInfo(socketId)).socketId).to.equal(socketId);
  await tcp.close(socketId);
  end();
}

function bounds(): { check(what: string): void } {
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const fds = fdCount();
  return {
    check(what) {
      expect(process.memoryUsage().rss - rss, `${what}: RSS growth`).to.be.below(MAX_RSS_GROWTH);
      expect(fdCount() - fds, `${what}: descriptor growth`).to.be.below(MAX_FD_GROWTH);
    },
  };
}

async function withSeed(seed: number, batch: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    (error as Error).message = `[fuzz batch ${batch}, HOSTILE_FUZZ_SEED=${SEED} (batch seed ${seed})] ${(error as Error).message}`;
    throw error;
  }
}

describe(`protocol fuzzer (issue 9 item 11; HOSTILE_FUZZ_SEED=${SEED}, ${RUNS}×${PER_BATCH} messages per host)`, function () {
  this.timeout(240_000);
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('keeps the test host serving through random and mutated messages on its port', async () => {
    const { port: echoPort } = await echoServer(cleanup);
    const host = new SocketsHost({ log: () => {}, lookup: noDns, limits: { maxSocketsPerApp: 128 } });
    cleanup.add(() => host.dispose());
    const v = await victim(host, cleanup, echoPort);
    const limits = bounds();
    for (let batch = 0; batch < RUNS; batch++) {
      const seed = SEED + batch;
      await withSeed(seed, batch, async () => {
        const page = attachRaw(host, { app: 'fuzz', sockets: fuzzManifest(echoPort) }, cleanup);
        page.send({ t: 'hello', v: PROTOCOL_VERSION });
        for (const message of fc.sample(messages(v.ids), { seed, numRuns: PER_BATCH })) {
          try {
            page.send(message);
          } catch {
            // Not structured-cloneable: a real port would have refused it in the page.
          }
        }
        page.send({ t: 'call', id: MARKER, ns: 'tcp', m: 'getSockets', a: [] });
        const marker = (await page.next((item) => item.t === 'r' && item.id === MARKER, 60_000)) as ResultMessage;
        expect(marker.e).to.equal(undefined);
        page.port.close();
        await freshPageAnswers(host, cleanup, batch);
        await v.check();
        limits.check(`batch ${batch}`);
      });
    }
  });

  it('keeps the browser host serving through random and mutated frames on its WebSocket', async () => {
    const { port: echoPort } = await echoServer(cleanup);
    const host = new SocketsHost({ log: () => {}, lookup: noDns, limits: { maxSocketsPerApp: 128 } });
    cleanup.add(() => host.dispose());
    const bh = await startBrowserHost({ socketsHost: host, app: 'fuzz', sockets: fuzzManifest(echoPort), log: () => {} });
    cleanup.add(() => bh.close());
    const v = await victim(host, cleanup, echoPort);
    const limits = bounds();
    for (let batch = 0; batch < RUNS; batch++) {
      const seed = SEED + 1000 + batch;
      await withSeed(seed, batch, async () => {
        const page = await openRawWs(bh);
        page.send({ t: 'hello', v: PROTOCOL_VERSION });
        const refused: Uint8Array[] = [];
        for (const message of fc.sample(messages(v.ids), { seed, numRuns: PER_BATCH })) {
          let frame: Uint8Array;
          try {
            frame = encodeFrame(message);
          } catch {
            continue; // deeper than the codec writes: the page side cannot send it either
          }
          try {
            decodeFrame(frame);
          } catch {
            // The host refuses it (e.g. a buffer or undefined under a "__proto__" key): the
            // sending page is closed with 1007. Sent below on connections of their own.
            refused.push(frame);
            continue;
          }
          page.ws.send(frame);
        }
        const marker = await Promise.race([
          page.call(MARKER, 'tcp', 'getSockets', []),
          page.closed.then((code) => Promise.reject(new Error(`the host closed the fuzzing page (${code}) on a well-formed frame`))),
        ]);
        expect(marker.e).to.equal(undefined);
        page.ws.terminate();
        for (const frame of refused.slice(0, 5)) {
          const refusedPage = await openRawWs(bh);
          refusedPage.ws.send(frame);
          expect(await refusedPage.closed).to.equal(1007);
        }
        // Nesting deeper than the codec writes, straight into the JSON header: answered or
        // refused (1007), each on its own connection.
        for (const depth of [100, 5000, 100_000]) {
          const json = `{"m":{"t":"call","id":1,"ns":"tcp","m":"create","a":[${'['.repeat(depth)}${']'.repeat(depth)}]}}`;
          const frame = Buffer.alloc(4 + json.length);
          frame.writeUInt32LE(json.length, 0);
          frame.write(json, 4);
          const nested = await openRawWs(bh);
          nested.send({ t: 'hello', v: PROTOCOL_VERSION });
          nested.ws.send(frame);
          const outcome = await Promise.race([nested.result(1).then((r) => r.e?.message ?? 'ok'), nested.closed]);
          expect(outcome, `depth ${depth}`).to.satisfy((o: unknown) => typeof o === 'string' || o === 1007);
          nested.ws.terminate();
        }
        // Then mutated frames, each on its own connection (the first bad frame closes it).
        const good = encodeFrame({ t: 'call', id: 1, ns: 'tcp', m: 'send', a: [1, new Uint8Array([1, 2, 3]).buffer] });
        const mutations = fc.sample(
          fc.array(fc.tuple(fc.nat(good.length + 8), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          { seed, numRuns: 12 },
        );
        for (const [i, edits] of mutations.entries()) {
          const bad = Buffer.from(good);
          for (const [at, byte] of edits) if (at < bad.length) bad[at] = byte;
          const mutant = await openRawWs(bh);
          mutant.ws.send(i % 3 === 0 ? bad.subarray(0, edits[0][0] % bad.length) : bad);
          mutant.ws.send(encodeFrame({ t: 'hello', v: PROTOCOL_VERSION }));
          mutant.ws.close();
          await mutant.closed;
        }
        const fresh = await openRawWs(bh);
        fresh.send({ t: 'hello', v: PROTOCOL_VERSION });
        expect((await fresh.call(1, 'tcp', 'create', [{}])).e).to.equal(undefined);
        fresh.ws.close();
        await fresh.closed;
        await v.check();
        limits.check(`batch ${batch}`);
      });
    }
  });
});
