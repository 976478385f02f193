/**
 * Spec §2.1 and §2.6: what the page-side bindings do before and after a call — Chrome's TypeError
 * texts for bad arguments, chrome.runtime.lastError around callbacks, `Unchecked
 * runtime.lastError`, the promise form, and ChromeEvent listener identity.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { MOVE_ARRAY_BUFFER_AT } from '../../preload/facade';
import {
  answer,
  bytes,
  closedPort,
  connectedSocket,
  createSocket,
  settled,
  EventLog,
  getInfo,
  ok,
  openHost,
  startEchoServer,
  startTcpServer,
  useCleanup,
  waitUntil,
} from './helpers';
import type * as api from '../../common/api-types';

const UNKNOWN_ID = 424242;

const SIG = {
  create: 'sockets.tcp.create(optional sockets.tcp.SocketProperties properties, function callback)',
  update: 'sockets.tcp.update(integer socketId, sockets.tcp.SocketProperties properties, optional function callback)',
  setPaused: 'sockets.tcp.setPaused(integer socketId, boolean paused, optional function callback)',
  setKeepAlive: 'sockets.tcp.setKeepAlive(integer socketId, boolean enable, optional integer delay, function callback)',
  setNoDelay: 'sockets.tcp.setNoDelay(integer socketId, boolean noDelay, function callback)',
  connect:
    'sockets.tcp.connect(integer socketId, string peerAddress, integer peerPort, optional sockets.tcp.DnsQueryType dnsQueryType, function callback)',
  disconnect: 'sockets.tcp.disconnect(integer socketId, optional function callback)',
  secure: 'sockets.tcp.secure(integer socketId, optional sockets.tcp.SecureOptions options, function callback)',
  send: 'sockets.tcp.send(integer socketId, binary data, function callback)',
  close: 'sockets.tcp.close(integer socketId, optional function callback)',
  getInfo: 'sockets.tcp.getInfo(integer socketId, function callback)',
  getSockets: 'sockets.tcp.getSockets(function callback)',
};

function invocationError(method: keyof typeof SIG, detail: string): string {
  return `Error in invocation of ${SIG[method]}: ${detail}`;
}

const NO_MATCH = 'No matching signature.';

describe('chrome.sockets.tcp', function () {
  this.timeout(5000);
  const cleanup = useCleanup();
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  describe('argument validation (spec §2.6)', () => {
    /** Calls `invoke` and returns the TypeError's message; fails if it did not throw synchronously. */
    function typeErrorOf(invoke: () => unknown): string {
      try {
        invoke();
      } catch (error) {
        expect(error).to.be.instanceOf(TypeError);
        return (error as TypeError).message;
      }
      throw new Error('expected a synchronous TypeError');
    }

    it('throws "No matching signature." with the full signature for a top-level type mismatch', async () => {
      const t = await openHost(cleanup);
      const cb = sandbox.spy();
      expect(typeErrorOf(() => t.tcp.connect('1', '127.0.0.1', 80, cb))).to.equal(invocationError('connect', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.connect(1, 127, 80, cb))).to.equal(invocationError('connect', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.connect(1, '127.0.0.1', '80', cb))).to.equal(invocationError('connect', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.setPaused(1, 'true', cb))).to.equal(invocationError('setPaused', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.setNoDelay(1, 1, cb))).to.equal(invocationError('setNoDelay', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.update(1, 'props', cb))).to.equal(invocationError('update', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.disconnect('1', cb))).to.equal(invocationError('disconnect', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.close(null, cb))).to.equal(invocationError('close', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.close(1, 'callback'))).to.equal(invocationError('close', NO_MATCH));
      await settled(t);
      expect(cb.called).to.equal(false);
    });

    it('rejects 1.5, NaN and 2**31 as integers at the top level with "No matching signature."', async () => {
      const t = await openHost(cleanup);
      for (const bad of [1.5, NaN, 2 ** 31, -(2 ** 31) - 1, Infinity]) {
        expect(
          typeErrorOf(() => t.tcp.getInfo(bad, () => {})),
          String(bad),
        ).to.equal(invocationError('getInfo', NO_MATCH));
        expect(
          typeErrorOf(() => t.tcp.connect(1, '127.0.0.1', bad, () => {})),
          String(bad),
        ).to.equal(invocationError('connect', NO_MATCH));
        expect(
          typeErrorOf(() => t.tcp.setKeepAlive(1, true, bad, () => {})),
          String(bad),
        ).to.equal(invocationError('setKeepAlive', NO_MATCH));
      }
    });

    it('throws "No matching signature." for missing and extra arguments', async () => {
      const t = await openHost(cleanup);
      expect(typeErrorOf(() => t.tcp.getInfo())).to.equal(invocationError('getInfo', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.getInfo(1, () => {}, 'extra'))).to.equal(invocationError('getInfo', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.connect(1, '127.0.0.1', () => {}))).to.equal(invocationError('connect', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.getSockets(1, () => {}))).to.equal(invocationError('getSockets', NO_MATCH));
      expect(
        typeErrorOf(() =>
          t.tcp.send(
            1,
            bytes('x'),
            () => {},
            () => {},
          ),
        ),
      ).to.equal(invocationError('send', NO_MATCH));
    });

    it('accepts only ArrayBuffer or an ArrayBufferView as send data', async () => {
      const t = await openHost(cleanup);
      expect(typeErrorOf(() => t.tcp.send(1, 'text', () => {}))).to.equal(invocationError('send', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.send(1, [1, 2, 3], () => {}))).to.equal(invocationError('send', NO_MATCH));
      expect(typeErrorOf(() => t.tcp.send(1, { byteLength: 1 }, () => {}))).to.equal(invocationError('send', NO_MATCH));
    });

    it('names the parameter for a dnsQueryType outside the enum: "Value must be one of any, ipv4, ipv6."', async () => {
      const t = await openHost(cleanup);
      expect(typeErrorOf(() => t.tcp.connect(1, '127.0.0.1', 80, 'ipv5', () => {}))).to.equal(
        invocationError('connect', "Error at parameter 'dnsQueryType': Value must be one of any, ipv4, ipv6."),
      );
      expect(typeErrorOf(() => t.tcp.connect(1, '127.0.0.1', 80, 'IPV4', () => {}))).to.equal(
        invocationError('connect', "Error at parameter 'dnsQueryType': Value must be one of any, ipv4, ipv6."),
      );
    });

    it('rejects unknown properties in SocketProperties and SecureOptions: "Unexpected property"', async () => {
      const t = await openHost(cleanup);
      expect(typeErrorOf(() => t.tcp.create({ foo: 1 }, () => {}))).to.equal(
        invocationError('create', "Error at parameter 'properties': Unexpected property: 'foo'."),
      );
      expect(typeErrorOf(() => t.tcp.update(1, { name: 'a', buffersize: 10 }, () => {}))).to.equal(
        invocationError('update', "Error at parameter 'properties': Unexpected property: 'buffersize'."),
      );
      expect(typeErrorOf(() => t.tcp.secure(1, { verify: false }, () => {}))).to.equal(
        invocationError('secure', "Error at parameter 'options': Unexpected property: 'verify'."),
      );
    });

    it('names the parameter and property for a nested type error', async () => {
      const t = await openHost(cleanup);
      expect(typeErrorOf(() => t.tcp.create({ bufferSize: '4096' }, () => {}))).to.equal(
        invocationError(
          'create',
          "Error at parameter 'properties': Error at property 'bufferSize': Invalid type: expected integer, found string.",
        ),
      );
      expect(typeErrorOf(() => t.tcp.create({ persistent: 'yes' }, () => {}))).to.equal(
        invocationError(
          'create',
          "Error at parameter 'properties': Error at property 'persistent': Invalid type: expected boolean, found string.",
        ),
      );
      expect(typeErrorOf(() => t.tcp.update(1, { name: 5 }, () => {}))).to.equal(
        invocationError(
          'update',
          "Error at parameter 'properties': Error at property 'name': Invalid type: expected string, found integer.",
        ),
      );
      expect(typeErrorOf(() => t.tcp.secure(1, { tlsVersion: { min: 1 } }, () => {}))).to.equal(
        invocationError(
          'secure',
          "Error at parameter 'options': Error at property 'tlsVersion': Error at property 'min': Invalid type: expected string, found integer.",
        ),
      );
    });

    it('rejects 1.5, NaN and 2**31 inside an object as "found number."', async () => {
      const t = await openHost(cleanup);
      for (const bad of [1.5, NaN, 2 ** 31]) {
        expect(
          typeErrorOf(() => t.tcp.create({ bufferSize: bad }, () => {})),
          String(bad),
        ).to.equal(
          invocationError(
            'create',
            "Error at parameter 'properties': Error at property 'bufferSize': Invalid type: expected integer, found number.",
          ),
        );
      }
    });

    it('runs no callback and leaves lastError alone when it throws', async () => {
      const t = await openHost(cleanup);
      const cb = sandbox.spy();
      expect(() => t.tcp.create({ foo: 1 }, cb)).to.throw(TypeError);
      expect(t.chrome.runtime.lastError).to.equal(undefined);
      await settled(t);
      expect(cb.called).to.equal(false);
    });

    it('accepts null or undefined for an optional argument', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = (await ok<api.tcp.CreateInfo>(t, (cb) => t.tcp.create(null, cb))).socketId;
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port, null, cb))).to.deep.equal({
        args: [0],
        lastError: undefined,
      });
      expect(await answer(t, (cb) => t.tcp.setKeepAlive(id, true, undefined, cb))).to.deep.equal({ args: [0], lastError: undefined });
    });

    it('ignores optional properties given as null or undefined', async () => {
      const t = await openHost(cleanup);
      const id = await createSocket(t, { name: null, bufferSize: undefined, persistent: null } as never);
      expect(await getInfo(t, id)).to.deep.equal({ socketId: id, persistent: false, paused: false, connected: false });
    });

    it('passes a port of 70000 (a valid int32) through validation; it wraps to 16 bits (spec §4.7)', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const id = await createSocket(t);
      expect(await answer(t, (cb) => t.tcp.connect(id, '127.0.0.1', server.port + 65536, cb))).to.deep.equal({
        args: [0],
        lastError: undefined,
      });
      expect((await getInfo(t, id)).peerPort).to.equal(server.port);
    });

    it('sends only the bytes of an ArrayBufferView, not its whole buffer', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const log = new EventLog(t, cleanup);
      const id = await connectedSocket(t, server.port);
      const whole = bytes('xxHELLOyy');
      expect(await answer(t, (cb) => t.tcp.send(id, whole.subarray(2, 7), cb))).to.deep.equal({
        args: [{ resultCode: 0, bytesSent: 5 }],
        lastError: undefined,
      });
      expect((await log.waitForBytes(id, 5)).toString()).to.equal('HELLO');
      expect(await answer(t, (cb) => t.tcp.send(id, new DataView(whole.buffer, 7, 2), cb))).to.deep.equal({
        args: [{ resultCode: 0, bytesSent: 2 }],
        lastError: undefined,
      });
      expect(await answer(t, (cb) => t.tcp.send(id, whole.buffer.slice(0, 2), cb))).to.deep.equal({
        args: [{ resultCode: 0, bytesSent: 2 }],
        lastError: undefined,
      });
      expect((await log.waitForBytes(id, 9)).toString()).to.equal('HELLOyyxx');
      expect(whole.byteLength).to.equal(9);
    });

    for (const size of [4, MOVE_ARRAY_BUFFER_AT]) {
      it(`takes an ArrayBuffer's bytes at the call (${size} bytes): the app's buffer stays whole, and changing it afterwards changes nothing sent`, async () => {
        const server = await startEchoServer(cleanup);
        const t = await openHost(cleanup);
        const log = new EventLog(t, cleanup);
        const id = await connectedSocket(t, server.port);
        const buffer = new ArrayBuffer(size);
        const fill = (letter: string) => new Uint8Array(buffer).fill(letter.charCodeAt(0));
        fill('a');
        const sent: Array<Promise<unknown>> = [];
        // The first send goes before any send credit is granted, the later ones within it.
        for (const next of ['b', 'c', 'd']) {
          sent.push(answer(t, (cb) => t.tcp.send(id, buffer, cb)));
          expect(buffer.byteLength).to.equal(size);
          fill(next);
          await sent[sent.length - 1];
        }
        for (const result of await Promise.all(sent)) {
          expect(result).to.deep.equal({ args: [{ resultCode: 0, bytesSent: size }], lastError: undefined });
        }
        const echoed = (await log.waitForBytes(id, 3 * size)).toString();
        expect(echoed).to.equal('a'.repeat(size) + 'b'.repeat(size) + 'c'.repeat(size));
        expect(new Uint8Array(buffer).every((b) => b === 'd'.charCodeAt(0))).to.equal(true);
      });
    }
  });

  describe('chrome.runtime.lastError (spec §2.1)', () => {
    it('is set only while the callback of a failed call runs', async () => {
      const t = await openHost(cleanup);
      let inside: unknown;
      const done = new Promise<void>((resolve) => {
        t.tcp.getInfo(UNKNOWN_ID, () => {
          inside = t.chrome.runtime.lastError;
          resolve();
        });
      });
      expect(t.chrome.runtime.lastError).to.equal(undefined);
      await done;
      expect(inside).to.deep.equal({ message: 'Socket not found' });
      expect(t.chrome.runtime.lastError).to.equal(undefined);
    });

    it('is undefined inside the callback of a successful call, even right after a failure', async () => {
      const t = await openHost(cleanup);
      await answer(t, (cb) => t.tcp.getInfo(UNKNOWN_ID, cb));
      const result = await answer(t, (cb) => t.tcp.create(cb));
      expect(result.lastError).to.equal(undefined);
    });

    it('logs "Unchecked runtime.lastError: <message>" when the callback does not read it', async () => {
      const error = sandbox.spy();
      const t = await openHost(cleanup, { console: { error } });
      await new Promise<void>((resolve) => t.tcp.getInfo(UNKNOWN_ID, () => resolve()));
      expect(error.calledOnce).to.equal(true);
      expect(error.firstCall.args).to.deep.equal(['Unchecked runtime.lastError: Socket not found']);
    });

    it('logs it for failures that also pass callback arguments (a code, or {resultCode})', async () => {
      const error = sandbox.spy();
      const t = await openHost(cleanup, { console: { error } });
      const id = await createSocket(t);
      const code = await new Promise<unknown[]>((resolve) => t.tcp.setNoDelay(id, true, (...args: unknown[]) => resolve(args)));
      const sendInfo = await new Promise<unknown[]>((resolve) => t.tcp.send(id, bytes('x'), (...args: unknown[]) => resolve(args)));
      expect(code).to.deep.equal([-2]);
      expect(sendInfo).to.deep.equal([{ resultCode: -15 }]);
      expect(error.getCalls().map((c) => c.args)).to.deep.equal([
        ['Unchecked runtime.lastError: net::ERR_FAILED'],
        ['Unchecked runtime.lastError: net::ERR_SOCKET_NOT_CONNECTED'],
      ]);
    });

    it('logs nothing when the callback reads it', async () => {
      const error = sandbox.spy();
      const t = await openHost(cleanup, { console: { error } });
      const result = await answer(t, (cb) => t.tcp.getInfo(UNKNOWN_ID, cb));
      expect(result.lastError).to.equal('Socket not found');
      expect(error.called).to.equal(false);
    });

    it('logs nothing for a successful call whose callback ignores lastError', async () => {
      const error = sandbox.spy();
      const t = await openHost(cleanup, { console: { error } });
      await new Promise<void>((resolve) => t.tcp.create(() => resolve()));
      expect(error.called).to.equal(false);
    });

    it('logs "Unchecked runtime.lastError" when no callback was given and nobody handles the result', async () => {
      const error = sandbox.spy();
      const unhandled = sandbox.spy();
      process.on('unhandledRejection', unhandled);
      cleanup.add(() => process.off('unhandledRejection', unhandled));
      const t = await openHost(cleanup, { console: { error } });
      t.tcp.close(UNKNOWN_ID);
      await waitUntil(() => error.called, 'the console message');
      expect(error.firstCall.args).to.deep.equal(['Unchecked runtime.lastError: Socket not found']);
      // Node reports an unhandled rejection after the microtasks of the task that made it; the
      // round trips take several tasks.
      await settled(t);
      expect(unhandled.called).to.equal(false);
    });
  });

  describe('the promise form (no callback)', () => {
    it('resolves to the value the callback would get', async () => {
      const server = await startEchoServer(cleanup);
      const t = await openHost(cleanup);
      const created = (await t.tcp.create({ name: 'p' })) as api.tcp.CreateInfo;
      expect(created).to.have.all.keys('socketId');
      expect(await t.tcp.connect(created.socketId, '127.0.0.1', server.port)).to.equal(0);
      expect(await t.tcp.send(created.socketId, bytes('abc'))).to.deep.equal({ resultCode: 0, bytesSent: 3 });
      expect(await t.tcp.setNoDelay(created.socketId, true)).to.equal(0);
      expect(await t.tcp.update(created.socketId, { name: 'q' })).to.equal(undefined);
      expect(await t.tcp.setPaused(created.socketId, true)).to.equal(undefined);
      expect(((await t.tcp.getInfo(created.socketId)) as api.tcp.SocketInfo).name).to.equal('q');
      expect(((await t.tcp.getSockets()) as api.tcp.SocketInfo[]).map((s) => s.socketId)).to.deep.equal([created.socketId]);
      expect(await t.tcp.close(created.socketId)).to.equal(undefined);
    });

    it('rejects with an Error whose message is the lastError text, and logs nothing when handled', async () => {
      const error = sandbox.spy();
      const t = await openHost(cleanup, { console: { error } });
      const port = await closedPort();
      const id = await createSocket(t);
      const notFound = await (t.tcp.getInfo(UNKNOWN_ID) as Promise<unknown>).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(notFound).to.be.instanceOf(Error);
      expect((notFound as Error).message).to.equal('Socket not found');
      let refused: unknown;
      try {
        await t.tcp.connect(id, '127.0.0.1', port);
      } catch (e) {
        refused = e;
      }
      expect(refused).to.be.instanceOf(Error);
      expect((refused as Error).message).to.equal('net::ERR_CONNECTION_REFUSED');
      expect(t.chrome.runtime.lastError).to.equal(undefined);
      await settled(t);
      expect(error.called).to.equal(false);
    });
  });

  describe('ChromeEvent objects (onReceive, onReceiveError)', () => {
    it('keep listener identity: hasListener, hasListeners, removeListener', async () => {
      const t = await openHost(cleanup);
      const a = (): void => {};
      const b = (): void => {};
      expect(t.tcp.onReceive.hasListeners()).to.equal(false);
      t.tcp.onReceive.addListener(a);
      expect(t.tcp.onReceive.hasListener(a)).to.equal(true);
      expect(t.tcp.onReceive.hasListener(b)).to.equal(false);
      expect(t.tcp.onReceive.hasListeners()).to.equal(true);
      t.tcp.onReceive.addListener(b);
      t.tcp.onReceive.removeListener(a);
      expect(t.tcp.onReceive.hasListener(a)).to.equal(false);
      expect(t.tcp.onReceive.hasListener(b)).to.equal(true);
      t.tcp.onReceive.removeListener(b);
      expect(t.tcp.onReceive.hasListeners()).to.equal(false);
      expect(t.tcp.onReceiveError.hasListeners()).to.equal(false);
    });

    it('calls a listener added twice once per event', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('x'));
      const t = await openHost(cleanup);
      const listener = sandbox.spy();
      t.tcp.onReceive.addListener(listener);
      t.tcp.onReceive.addListener(listener);
      cleanup.add(() => t.tcp.onReceive.removeListener(listener));
      await connectedSocket(t, server.port);
      await waitUntil(() => listener.called, 'onReceive');
      await settled(t);
      expect(listener.callCount).to.equal(1);
    });

    it('stops calling a removed listener while the others keep receiving', async () => {
      const server = await startTcpServer(cleanup);
      const t = await openHost(cleanup);
      const kept = sandbox.spy();
      const removed = sandbox.spy();
      t.tcp.onReceive.addListener(kept);
      t.tcp.onReceive.addListener(removed);
      cleanup.add(() => t.tcp.onReceive.removeListener(kept));
      cleanup.add(() => t.tcp.onReceive.removeListener(removed));
      await connectedSocket(t, server.port);
      const peer = await server.nextConnection();
      peer.write('one');
      await waitUntil(() => kept.called && removed.called, 'first onReceive');
      t.tcp.onReceive.removeListener(removed);
      const before = removed.callCount;
      peer.write('two');
      await waitUntil(() => kept.callCount > before, 'second onReceive');
      await settled(t);
      expect(removed.callCount).to.equal(before);
    });

    it('gives each event of one read its own info and exact data: a listener that mutates info or transfers data does not change the next event', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('abcdefghijkl'));
      const t = await openHost(cleanup);
      const seen: Array<{ socketId: number; text: string }> = [];
      const mutator = (info: api.tcp.ReceiveInfo): void => {
        seen.push({ socketId: info.socketId, text: Buffer.from(info.data).toString() });
        (info as { socketId: number }).socketId = -1;
        // Moves the bytes away: the event's ArrayBuffer is detached afterwards.
        structuredClone(info.data, { transfer: [info.data] });
        expect(info.data.byteLength).to.equal(0);
      };
      t.tcp.onReceive.addListener(mutator);
      cleanup.add(() => t.tcp.onReceive.removeListener(mutator));
      const id = await connectedSocket(t, server.port, { properties: { bufferSize: 4 } });
      await waitUntil(() => seen.map((s) => s.text).join('') === 'abcdefghijkl', 'all twelve bytes');
      expect(seen.every((s) => s.socketId === id)).to.equal(true);
      expect(seen.every((s) => s.text.length > 0 && s.text.length <= 4)).to.equal(true);
    });

    it('runs the listeners present when an event fires: one added meanwhile starts with the next event, one removed meanwhile still gets it', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('abcdefghijkl'));
      const t = await openHost(cleanup);
      const texts = { first: [] as string[], second: [] as string[], late: [] as string[] };
      const late = (info: api.tcp.ReceiveInfo): void => void texts.late.push(Buffer.from(info.data).toString());
      const second = (info: api.tcp.ReceiveInfo): void => void texts.second.push(Buffer.from(info.data).toString());
      const first = (info: api.tcp.ReceiveInfo): void => {
        texts.first.push(Buffer.from(info.data).toString());
        if (texts.first.length === 1) {
          t.tcp.onReceive.addListener(late);
          t.tcp.onReceive.removeListener(second);
        }
      };
      t.tcp.onReceive.addListener(first);
      t.tcp.onReceive.addListener(second);
      cleanup.add(() => [first, second, late].forEach((l) => t.tcp.onReceive.removeListener(l)));
      await connectedSocket(t, server.port, { properties: { bufferSize: 4 } });
      await waitUntil(() => texts.first.join('') === 'abcdefghijkl', 'all twelve bytes');
      await settled(t);
      expect(texts.second).to.deep.equal([texts.first[0]]);
      expect(texts.late).to.deep.equal(texts.first.slice(1));
    });

    it('passes {socketId, data} with data an ArrayBuffer to onReceive', async () => {
      const server = await startTcpServer(cleanup, (socket) => socket.write('payload'));
      const t = await openHost(cleanup);
      const listener = sandbox.spy();
      t.tcp.onReceive.addListener(listener);
      cleanup.add(() => t.tcp.onReceive.removeListener(listener));
      const id = await connectedSocket(t, server.port);
      await waitUntil(() => listener.called, 'onReceive');
      const info = listener.firstCall.args[0] as api.tcp.ReceiveInfo;
      expect(listener.firstCall.args).to.have.length(1);
      expect(info).to.have.all.keys('socketId', 'data');
      expect(info.socketId).to.equal(id);
      expect(Object.prototype.toString.call(info.data)).to.equal('[object ArrayBuffer]');
      expect(Buffer.from(info.data).toString()).to.equal('payload');
    });
  });
});
