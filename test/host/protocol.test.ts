/**
 * The host never trusts a page: messages put straight on the port, bypassing the facade.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { PROTOCOL_VERSION, type EventMessage, type ResultMessage } from '../../common/protocol';
import type { AppState } from '../../main/app-state';
import { hostInternals } from '../../main/host';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import { Cleanup, attachFacade, attachRaw, listen, newHost, waitFor } from '../support';

const isResult = (id: number) => (item: { t: string; id?: number }) => item.t === 'r' && item.id === id;

describe('SocketsHost message validation', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  function setup(limits?: { maxPendingCalls?: number; maxStringLength?: number }) {
    const logs: string[] = [];
    const host = newHost({ log: (line) => logs.push(line), limits }, cleanup);
    const page = attachRaw(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    return { host, page, logs };
  }

  it('drops messages that are not protocol messages, with a log line, and keeps serving', async () => {
    const { page, logs } = setup();
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    for (const bad of [
      null,
      42,
      'call',
      [],
      { t: 'nope' },
      { t: 'call' },
      { t: 'call', id: -1 },
      { t: 'call', id: 1.5 },
      { t: 'ack', n: -5 },
      { t: 'ack', n: Number.NaN },
      { t: 'listen', ev: ['tcp.onNothing'] },
      { t: 'listen', ev: 'tcp.onReceive' },
    ]) {
      page.send(bad);
    }
    page.send({ t: 'call', id: 7, ns: 'tcp', m: 'getSockets', a: [] });
    const result = (await page.next(isResult(7))) as ResultMessage;
    expect(result.a).to.deep.equal([[]]);
    expect(result.e).to.equal(undefined);
    expect(logs.length).to.be.at.least(10);
    expect(logs.join('\n')).to.match(/dropped message/);
  });

  it('ignores calls before hello and a hello of another protocol version', async () => {
    const { page, logs } = setup();
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [] });
    page.send({ t: 'hello', v: 999 });
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'create', a: [] });
    // The marker: after a proper hello, a call is answered; the host handles the port in order, so
    // an answer to call 1 or 2 would have come first.
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 3, ns: 'tcp', m: 'getSockets', a: [] });
    await page.next(isResult(3));
    expect(page.items.map((i) => i.t === 'r' && i.id)).to.deep.equal([3]);
    expect(((page.items[0] as ResultMessage).a[0] as unknown[]).length, 'no socket was created').to.equal(0);
    expect(logs.some((l) => /call before hello/.test(l))).to.equal(true);
    expect(logs.some((l) => /protocol version 999/.test(l))).to.equal(true);
  });

  it('answers unknown methods and namespaces with an error result', async () => {
    const { page } = setup();
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'constructor', a: [] });
    page.send({ t: 'call', id: 2, ns: '__proto__', m: 'create', a: [] });
    page.send({ t: 'call', id: 3, ns: 'tcp', m: 'hasOwnProperty', a: [] });
    for (const id of [1, 2, 3]) {
      const r = (await page.next(isResult(id))) as ResultMessage;
      expect(r.a).to.deep.equal([]);
      expect(r.e?.message).to.match(/^Unknown method/);
    }
  });

  it("rejects wrong argument types with Chrome's invocation error and no side effect", async () => {
    const { page, host } = setup();
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    const bad: unknown[][] = [['x'], [Number.NaN], [2 ** 31], [1.5], [{ socketId: 1 }]];
    bad.forEach((a, i) => page.send({ t: 'call', id: 10 + i, ns: 'tcp', m: 'getInfo', a }));
    page.send({ t: 'call', id: 20, ns: 'tcp', m: 'create', a: [{ bufferSize: 'big' }] });
    page.send({ t: 'call', id: 21, ns: 'tcp', m: 'create', a: [{ evil: true }] });
    page.send({ t: 'call', id: 22, ns: 'tcp', m: 'connect', a: [1, '127.0.0.1', 80, 'ipv5'] });
    page.send({ t: 'call', id: 23, ns: 'tcp', m: 'send', a: [1, 'not bytes'] });
    page.send({ t: 'call', id: 24, ns: 'tcp', m: 'getInfo', a: [1, 2, 3] });
    page.send({ t: 'call', id: 25, ns: 'tcp', m: 'getInfo', a: 'nope' });
    for (let i = 0; i < bad.length; i++) {
      const r = (await page.next(isResult(10 + i))) as ResultMessage;
      expect(r.e?.message).to.equal(
        'Error in invocation of sockets.tcp.getInfo(integer socketId, function callback): No matching signature.',
      );
    }
    expect(((await page.next(isResult(20))) as ResultMessage).e?.message).to.equal(
      "Error in invocation of sockets.tcp.create(optional sockets.tcp.SocketProperties properties, function callback): Error at parameter 'properties': Error at property 'bufferSize': Invalid type: expected integer, found string.",
    );
    expect(((await page.next(isResult(21))) as ResultMessage).e?.message).to.match(/Unexpected property: 'evil'\.$/);
    expect(((await page.next(isResult(22))) as ResultMessage).e?.message).to.match(
      /Error at parameter 'dnsQueryType': Value must be one of any, ipv4, ipv6\.$/,
    );
    expect(((await page.next(isResult(23))) as ResultMessage).e?.message).to.match(/No matching signature\.$/);
    expect(((await page.next(isResult(24))) as ResultMessage).e?.message).to.match(/No matching signature\.$/);
    expect(((await page.next(isResult(25))) as ResultMessage).e?.message).to.equal('Invalid arguments for sockets.tcp.getInfo');
    expect(host.inspect().sockets).to.deep.equal([]);
  });

  it('refuses oversized strings', async () => {
    const { page } = setup({ maxStringLength: 1000 });
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [{ name: 'x'.repeat(1001) }] });
    page.send({ t: 'call', id: 2, ns: 'tcp', m: 'connect', a: [1, 'h'.repeat(5000), 80] });
    expect(((await page.next(isResult(1))) as ResultMessage).e?.message).to.equal('Argument too long for sockets.tcp.create');
    expect(((await page.next(isResult(2))) as ResultMessage).e?.message).to.equal('Argument too long for sockets.tcp.connect');
  });

  it('bounds the calls a context may have in flight', async () => {
    const logs: string[] = [];
    // A resolver that never answers keeps connects pending.
    const host = newHost({ log: (l) => logs.push(l), limits: { maxPendingCalls: 5 }, lookup: (() => {}) as never }, cleanup);
    const page = attachRaw(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    page.send({ t: 'hello', v: PROTOCOL_VERSION });
    page.send({ t: 'call', id: 1, ns: 'tcp', m: 'create', a: [] });
    await page.next(isResult(1));
    for (let id = 2; id <= 8; id++) page.send({ t: 'call', id, ns: 'tcp', m: 'connect', a: [1, 'slow.test', 80] });
    const refused = (await page.next(isResult(7))) as ResultMessage;
    expect(refused.e?.message).to.equal('Too many calls in flight (5)');
    expect(page.items.filter((i) => i.t === 'r' && i.id >= 2 && i.id <= 6)).to.have.length(0);
  });

  it("survives a flood of calls and acks without losing or reordering another socket's data", async function () {
    this.timeout(20000);
    const host = newHost({}, cleanup);
    // App "good" receives a 4 MiB stream through the facade while app "evil" floods the host.
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 9)) & 0xff;
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.end(payload);
    });
    const port = await listen(server);
    cleanup.add(() => new Promise((r) => server.close(r)));
    const good = attachFacade(host, { app: 'good', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    const evil = attachRaw(host, { app: 'evil', sockets: ALLOW_ALL_SOCKETS }, cleanup);
    evil.send({ t: 'hello', v: PROTOCOL_VERSION });

    const tcp = good.chrome.sockets.tcp as any;
    const hash = createHash('sha256');
    let received = 0;
    const done = waitFor<void>(
      (l) => {
        const onError = () => l();
        tcp.onReceiveError.addListener(onError);
        return () => tcp.onReceiveError.removeListener(onError);
      },
      undefined,
      15000,
    );
    tcp.onReceive.addListener((info: { data: ArrayBuffer }) => {
      hash.update(new Uint8Array(info.data));
      received += info.data.byteLength;
    });
    const { socketId } = await tcp.create({});
    expect(await tcp.connect(socketId, '127.0.0.1', port)).to.equal(0);
    // The flood: the good app's id from the evil app, bogus acks, garbage.
    for (let i = 0; i < 20000; i++) {
      evil.send({ t: 'call', id: i, ns: 'tcp', m: i % 2 ? 'close' : 'setPaused', a: i % 2 ? [socketId] : [socketId, true] });
      if (i % 100 === 0) evil.send({ t: 'ack', n: 1e12 });
      if (i % 50 === 0) evil.send({ t: 'call', id: i, ns: 'tcp', m: 'send', a: [socketId, new ArrayBuffer(10)] });
    }
    await done;
    expect(received).to.equal(payload.length);
    expect(hash.digest('hex')).to.equal(createHash('sha256').update(payload).digest('hex'));
    const answers = evil.items.filter((i): i is ResultMessage => i.t === 'r');
    expect(answers.length).to.be.greaterThan(0);
    expect(answers.every((r) => r.e?.message === 'Socket not found')).to.equal(true);
  });
});

describe('SocketsHost ownership', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('scopes socket ids to their app: another app gets Socket not found', async () => {
    const host = newHost({}, cleanup);
    const a = attachFacade(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup).chrome.sockets.tcp as any;
    const b = attachFacade(host, { app: 'b', sockets: ALLOW_ALL_SOCKETS }, cleanup).chrome.sockets.tcp as any;
    const { socketId } = await a.create({ name: 'mine' });
    await b.create({});
    const errors: string[] = [];
    await b.getInfo(socketId).catch((e: Error) => errors.push(e.message));
    await b.update(socketId, { name: 'stolen' }).catch((e: Error) => errors.push(e.message));
    await b.close(socketId).catch((e: Error) => errors.push(e.message));
    expect(errors).to.deep.equal(['Socket not found', 'Socket not found', 'Socket not found']);
    expect((await a.getInfo(socketId)).name).to.equal('mine');
    expect((await b.getSockets()).map((s: { socketId: number }) => s.socketId)).to.not.include(socketId);
  });

  it('gives every listening context the bytes of a large read, not a buffer the first one took', async () => {
    const host = newHost({}, cleanup);
    const pages = [0, 1].map(() => attachRaw(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup));
    for (const page of pages) {
      page.send({ t: 'hello', v: PROTOCOL_VERSION });
      page.send({ t: 'listen', ev: ['tcp.onReceive'] });
      // Answered after the host handled hello and listen (it handles a port's messages in order).
      page.send({ t: 'call', id: 1, ns: 'tcp', m: 'getSockets', a: [] });
    }
    for (const page of pages) await page.next((i) => i.t === 'r' && i.id === 1);
    const app = (host as unknown as { apps: Map<string, AppState> }).apps.get('a')!;
    // A read larger than one batch (1 MiB) in a buffer the host may move to the first page.
    const data = Buffer.allocUnsafeSlow(2 * 1024 * 1024).fill(7);
    hostInternals(host).env.emit(app, 'tcp', 'onReceive', { socketId: 1 }, data, { transferable: true, sliceSize: 65536 });
    for (const page of pages) {
      await page.next((i) => i.t === 'e');
      const event = page.items.find((i): i is EventMessage => i.t === 'e')!;
      expect(event.d?.[2], 'bytes the event carries').to.equal(2 * 1024 * 1024);
    }
  });

  it("lets every context of the same app use the app's ids, and events reach each listening context", async () => {
    const host = newHost({}, cleanup);
    const one = attachFacade(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS, background: true }, cleanup).chrome.sockets.tcp as any;
    const two = attachFacade(host, { app: 'a', sockets: ALLOW_ALL_SOCKETS }, cleanup).chrome.sockets.tcp as any;
    const seen: string[] = [];
    one.onReceive.addListener((i: { data: ArrayBuffer }) => seen.push(`one:${Buffer.from(i.data).toString()}`));
    two.onReceive.addListener((i: { data: ArrayBuffer }) => seen.push(`two:${Buffer.from(i.data).toString()}`));
    const server = net.createServer((s) => s.end('hi'));
    const port = await listen(server);
    cleanup.add(() => new Promise((r) => server.close(r)));
    const { socketId } = await one.create({});
    expect((await two.getInfo(socketId)).socketId).to.equal(socketId);
    await two.connect(socketId, '127.0.0.1', port);
    await waitFor<void>((l) => {
      const t = setInterval(() => seen.length >= 2 && l(), 5);
      return () => clearInterval(t);
    });
    expect(seen.sort()).to.deep.equal(['one:hi', 'two:hi']);
  });
});
