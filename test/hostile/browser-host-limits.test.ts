/**
 * Issue 9 items 2, 3, 4 (connections) and 7 against the browser host: message size limits
 * checked before parsing, a shared budget for unfinished messages, a connection limit, flow
 * control that does not trust the page's acks, and the window's framing headers.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import { PROTOCOL_VERSION } from '../../common/protocol';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../main/browser-host/server';
import { waitUntil } from '../tcp/helpers';
import { openRawWs, type RawWsPage } from './ws-page';

describe('browser host limits (issue 9 items 2, 3, 4, 7)', function () {
  this.timeout(60_000);
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function start(options: BrowserHostOptions = {}): Promise<{ bh: BrowserHost; log: string[] }> {
    const log: string[] = [];
    const bh = await startBrowserHost({ allowAll: true, log: (line) => log.push(line), ...options });
    closers.push(() => bh.close());
    return { bh, log };
  }

  async function page(bh: BrowserHost, keepData = false): Promise<RawWsPage> {
    const p = await openRawWs(bh, { keepData });
    closers.push(() => p.ws.terminate());
    p.send({ t: 'hello', v: PROTOCOL_VERSION });
    return p;
  }

  /** A fresh page still gets answers. */
  async function answersAFreshPage(bh: BrowserHost): Promise<void> {
    const fresh = await page(bh);
    const created = await fresh.call(1, 'tcp', 'create', [{}]);
    expect(created.e).to.equal(undefined);
    fresh.ws.terminate();
  }

  /** A frame whose JSON header is `headerBytes` long: a hello padded with empty objects. */
  function paddedHello(headerBytes: number): Buffer {
    const base = `{"m":{"t":"hello","v":${PROTOCOL_VERSION},"p":[]}}`;
    const count = Math.ceil((headerBytes - base.length) / 3);
    const json = `{"m":{"t":"hello","v":${PROTOCOL_VERSION},"p":[${Array(count).fill('{}').join(',')}]}}`;
    const frame = Buffer.alloc(4 + json.length);
    frame.writeUInt32LE(json.length, 0);
    frame.write(json, 4);
    return frame;
  }

  it('closes with 1009 a message whose header is over maxHeaderBytes (1 MiB), before parsing it', async () => {
    const { bh, log } = await start();
    const p = await page(bh);
    p.ws.send(paddedHello(2 * 1024 * 1024));
    expect(await p.closed).to.equal(1009);
    expect(log.some((l) => /header of \d+ bytes is over the limit of 1048576/.test(l))).to.equal(true);
    await answersAFreshPage(bh);
  });

  it('accepts a header just under the cap', async () => {
    const { bh } = await start({ maxHeaderBytes: 64 * 1024 });
    const p = await page(bh);
    p.ws.send(paddedHello(60 * 1024));
    expect((await p.call(1, 'tcp', 'create', [{}])).e).to.equal(undefined);
  });

  it('sizes the largest message to the header cap plus the write quota, and closes with 1009 past it', async () => {
    const { bh } = await start({ maxHeaderBytes: 4096, hostOptions: { writeQuota: 4096 } });
    const ok = await page(bh);
    ok.ws.send(Buffer.alloc(4 + 4096 + 4096 - 8)); // malformed but within the size: 1007, not 1009
    expect(await ok.closed).to.equal(1007);
    const big = await page(bh);
    big.ws.send(Buffer.alloc(4 + 4096 + 4096 + 1));
    expect(await big.closed).to.equal(1009);
    await answersAFreshPage(bh);
  });

  it('bounds what unfinished messages of all connections hold together (maxUnfinishedBytes), closing the one past it', async () => {
    const { bh, log } = await start({ maxUnfinishedBytes: 256 * 1024 });
    const a = await page(bh);
    const b = await page(bh);
    await a.call(1, 'tcp', 'getSockets', []);
    await b.call(1, 'tcp', 'getSockets', []);
    const pong = (p: RawWsPage): Promise<void> => new Promise((resolve) => p.ws.once('pong', () => resolve()));
    // A control frame may come between fragments; its pong says the host read what came before.
    a.ws.send(Buffer.alloc(200 * 1024), { fin: false });
    const aRead = pong(a);
    a.ws.ping();
    await aRead;
    b.ws.send(Buffer.alloc(200 * 1024), { fin: false });
    expect(await b.closed).to.equal(1009);
    expect(log.some((l) => l.includes('maxUnfinishedBytes'))).to.equal(true);
    // A is untouched, and what B held was given back: a fresh page may send as much again.
    expect(a.ws.readyState).to.equal(a.ws.OPEN);
    const c = await page(bh);
    await c.call(1, 'tcp', 'getSockets', []);
    c.ws.send(Buffer.alloc(40 * 1024), { fin: false });
    const cRead = pong(c);
    c.ws.ping();
    await cRead;
    expect(c.ws.readyState).to.equal(c.ws.OPEN);
  });

  it('refuses connections past maxConnections with 503, and takes new ones once one closes', async () => {
    const { bh, log } = await start({ maxConnections: 2 });
    const first = await page(bh);
    await page(bh);
    const refused = await openRawWs(bh).then(
      () => undefined,
      (error: { status?: number }) => error.status,
    );
    expect(refused).to.equal(503);
    expect(log.some((l) => l.includes('maxConnections'))).to.equal(true);
    first.ws.close();
    await first.closed;
    await waitUntil(() => bh.host.inspect().contexts.length === 1, 'the first context to end');
    await answersAFreshPage(bh);
  });

  describe('flow control that does not trust the page (item 3)', () => {
    const HWM = 256 * 1024;

    /** A server that writes `total` bytes of a known pattern to its first connection. */
    async function flooder(total: number): Promise<{ port: number; done: Promise<void>; written: () => number }> {
      let written = 0;
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      const server = net.createServer((socket) => {
        socket.on('error', () => {});
        const chunk = Buffer.alloc(64 * 1024);
        const pump = (): void => {
          while (written < total) {
            chunk.fill(written / chunk.length);
            written += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
          finished();
        };
        pump();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise((resolve) => server.close(resolve)));
      closers.push(() => finished());
      return { port: (server.address() as net.AddressInfo).port, done, written: () => written };
    }

    it('stops reading the socket when the page acks everything but does not read its WebSocket, and loses nothing', async () => {
      const total = 32 * 1024 * 1024;
      const { bh } = await start({ hostOptions: { flow: { highWaterMark: HWM } } });
      const flood = await flooder(total);
      const p = await page(bh);
      p.ackBatches = false;
      p.send({ t: 'listen', ev: ['tcp.onReceive'] });
      const id = ((await p.call(1, 'tcp', 'create', [{}])).a[0] as { socketId: number }).socketId;
      await p.call(2, 'tcp', 'setPaused', [id, true]);
      expect((await p.call(3, 'tcp', 'connect', [id, '127.0.0.1', flood.port])).a).to.deep.equal([0]);
      // Lie: say everything was consumed, then stop reading the WebSocket.
      p.send({ t: 'ack', n: 1e15 });
      p.ws.pause();
      p.send({ t: 'call', id: 4, ns: 'tcp', m: 'setPaused', a: [id, false] });
      const context = () => bh.host.inspect().contexts[0];
      let worst = 0;
      await waitUntil(
        () => {
          worst = Math.max(worst, context().carrierBacklog);
          return context().flowBlocked || flood.written() >= total;
        },
        'the host to hold the socket (or the flood to finish)',
        30_000,
      );
      const unackedBefore = context().unackedBytes ?? 0;
      expect(unackedBefore, 'bytes sent since the first ack').to.be.above(0);
      p.send({ t: 'ack', n: 1e15 });
      // Only an ack lowers the unacknowledged count: once it drops, the host has taken the ack and
      // re-checked the hold; a few more turns of the loop let it read whatever the kernel still had.
      // The hold must stay.
      await waitUntil(() => (context().unackedBytes ?? 0) < unackedBefore, 'the host to take the second ack');
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      worst = Math.max(worst, context().carrierBacklog);
      expect(context().flowBlocked, 'flow-blocked').to.equal(true);
      expect(bh.host.inspect().sockets[0].pausedBy).to.include('flow');
      expect(worst, 'carrier backlog').to.be.at.most(HWM + 2 * 1024 * 1024);
      expect(flood.written(), 'bytes the peer got rid of').to.be.below(total);
      // Once the page reads again, everything arrives.
      p.ackBatches = true;
      p.ws.resume();
      await waitUntil(() => p.receivedBytes >= total, 'the whole stream', 60_000);
      expect(p.receivedBytes).to.equal(total);
    });

    it('stops taking calls while a page that keeps calling getSockets does not read, and answers them all later', async () => {
      const { bh } = await start({ hostOptions: { flow: { highWaterMark: HWM } } });
      const p = await page(bh);
      for (let i = 0; i < 100; i++) await p.call(i + 1, 'tcp', 'create', [{ name: `socket-${i}-with-a-longish-name` }]);
      p.ws.pause();
      const calls = 3000;
      for (let i = 0; i < calls; i++) p.send({ t: 'call', id: 1000 + i, ns: 'tcp', m: 'getSockets', a: [] });
      const context = () => bh.host.inspect().contexts[0];
      let worst = 0;
      await waitUntil(
        () => {
          worst = Math.max(worst, context().carrierBacklog);
          return context().flowBlocked || context().carrierBacklog > 64 * 1024 * 1024;
        },
        'the host to stop',
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      worst = Math.max(worst, context().carrierBacklog);
      // Each answer is ~6 KB: 3000 of them would be ~18 MB queued for a page that reads nothing.
      expect(worst, 'carrier backlog').to.be.at.most(HWM + 2 * 1024 * 1024);
      p.ws.resume();
      await waitUntil(() => p.items.filter((i) => i.t === 'r').length === 100 + calls, 'every answer', 60_000);
    });
  });

  describe('hardening (item 7)', () => {
    it('serves the window with X-Frame-Options: DENY and frame-ancestors none', async () => {
      const { bh } = await start();
      const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: bh.port, path: '/' }, (res) => {
            res.resume();
            resolve(res.headers);
          })
          .on('error', reject);
      });
      expect(headers['x-frame-options']).to.equal('DENY');
      expect(headers['content-security-policy']).to.equal("frame-ancestors 'none'");
    });

    it('logs an error of the listening server instead of crashing the process', async () => {
      const { bh, log } = await start();
      expect(() => bh.server.emit('error', new Error('EMFILE: too many open files, accept'))).to.not.throw();
      expect(log).to.include('browser-host: server error: EMFILE: too many open files, accept');
      await answersAFreshPage(bh);
    });
  });
});
