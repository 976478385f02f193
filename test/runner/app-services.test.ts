/**
 * The runner's app services in plain Node: a real SocketsHost with createAppServices, pages as
 * real facades (createChromeSockets + createAppApis) over real worker_threads MessageChannels.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createAppServices, type KeepAwake, type ServedApp } from '../../main/app-services';
import { MAX_ALARMS_PER_APP } from '../../main/app-services/alarms/alarms-handlers';
import { MAX_PENDING_MESSAGES, PORT_CLOSED } from '../../main/app-services/runtime/runtime-handlers';
import { MAX_OPEN_PORTS, TOO_MANY_PORTS } from '../../main/app-services/runtime/ports';
import { MAX_MESSAGE_BYTES, MESSAGE_TOO_LONG, NO_RECEIVER } from '../../common/runtime-messages';
import { SYNC_WRITE_LIMITS } from '../../main/app-services/storage/storage-handlers';
import { networkInterfaces } from '../../main/app-services/system-network/system-network-handlers';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import type { AppConfig } from '../../preload/app-runtime/app-config';
import { createAppApis } from '../../preload/app-runtime/app-apis';
import { createChromeSockets, portClientOf } from '../../preload/facade';
import { pagePortFromMessagePort } from '../../preload/page-port';
import { until } from '../support/wait';

const APP = 'abcdefghijklmnopabcdefghijklmnop';

interface Page {
  chrome: Record<string, any>;
  client: ReturnType<typeof portClientOf>;
  errors: string[];
  close(): void;
}

describe('runner app services (host + page facades over a MessageChannel)', () => {
  let dataDir: string;
  let host: SocketsHost;
  let pages: Page[];
  let keepAwakeLog: string[];

  function start(permissions: string[] = ['storage', 'alarms', 'system.network', 'power'], now?: () => number): void {
    const served: ServedApp = { name: APP, permissions: new Set(permissions), dataDir, launch: { installReason: 'install' } };
    let handle = 0;
    const keepAwake: KeepAwake = {
      start: (level) => {
        keepAwakeLog.push(`start ${level}`);
        return ++handle;
      },
      stop: (h) => void keepAwakeLog.push(`stop ${h}`),
    };
    host = new SocketsHost({
      log: () => undefined,
      services: createAppServices({ apps: (name) => (name === APP ? served : undefined), keepAwake, log: () => undefined, now }),
    });
  }

  function page(permissions: string[] = ['storage', 'alarms', 'system.network', 'power'], background = false): Page {
    const { port1, port2 } = new MessageChannel();
    host.attachPort(hostPortFromNodePort(port1), { app: APP, background });
    const errors: string[] = [];
    const sockets = createChromeSockets(pagePortFromMessagePort(port2 as never), {
      console: { error: (...a) => errors.push(a.join(' ')) },
    });
    const config: AppConfig = {
      id: APP,
      manifest: { name: 'x', version: '1' },
      messages: {},
      uiLocale: 'en-US',
      permissions,
      backgroundPath: '/bg.html',
    };
    const apis = createAppApis(sockets, config, {
      url: 'http://127.0.0.1:1/index.html',
      origin: 'http://127.0.0.1:1',
      backgroundPage: () => null,
      reload: () => undefined,
      platform: 'Linux x86_64',
    });
    const p = { chrome: apis.chrome, client: portClientOf(sockets), errors, close: () => port2.close() };
    pages.push(p);
    return p;
  }

  /** Calls `fn(...args, callback)` and resolves with the callback's arguments and lastError. */
  function cb(chrome: Record<string, any>, fn: (...a: any[]) => unknown, ...args: unknown[]): Promise<{ args: unknown[]; error?: string }> {
    return new Promise((resolve) =>
      fn(...args, (...result: unknown[]) => resolve({ args: result, error: chrome.runtime.lastError?.message })),
    );
  }

  /** A round trip on the page's own port: what it posted before (its listeners) has reached the host. */
  async function settled(p: Page): Promise<void> {
    await p.client.call('alarms', 'getAll', []);
  }

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-services-'));
    pages = [];
    keepAwakeLog = [];
    start();
  });

  afterEach(async () => {
    for (const p of pages) p.close();
    await host.dispose();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  describe('chrome.storage', () => {
    it('sets, gets (string, list, defaults, all), removes and clears, and counts bytes as Chrome does', async () => {
      const { chrome } = page();
      const local = chrome.storage.local;
      await local.set({ a: 1, b: { nested: [true, 'x'] }, c: 'text' });
      expect(await local.get('a')).to.deep.equal({ a: 1 });
      expect(await local.get(['a', 'c', 'missing'])).to.deep.equal({ a: 1, c: 'text' });
      expect(await local.get({ a: 0, missing: 'fallback' })).to.deep.equal({ a: 1, missing: 'fallback' });
      expect(await local.get(null)).to.deep.equal({ a: 1, b: { nested: [true, 'x'] }, c: 'text' });
      // key length + JSON length: "a"+"1" = 2, "c"+"\"text\"" = 7.
      expect(await local.getBytesInUse(['a', 'c'])).to.equal(9);
      await local.remove('a');
      expect(await local.get('a')).to.deep.equal({});
      await local.clear();
      expect(await local.get(null)).to.deep.equal({});
    });

    it('fires onChanged in every page of the app, the writer included, with only the keys that changed', async () => {
      const one = page();
      const two = page();
      const seen: unknown[] = [];
      one.chrome.storage.onChanged.addListener((changes: unknown, area: string) => seen.push(['one', changes, area]));
      two.chrome.storage.onChanged.addListener((changes: unknown, area: string) => seen.push(['two', changes, area]));
      await one.chrome.storage.sync.set({ k: 1 });
      await one.chrome.storage.sync.set({ k: 1 });
      await one.chrome.storage.sync.set({ k: 2 });
      while (seen.length < 4) await new Promise((r) => setImmediate(r));
      expect(seen).to.deep.include(['two', { k: { newValue: 1 } }, 'sync']);
      expect(seen).to.deep.include(['one', { k: { oldValue: 1, newValue: 2 } }, 'sync']);
      expect(seen).to.have.length(4);
    });

    it("answers with Chrome's quota errors for sync (per item, total, item count) and keeps the old items", async () => {
      const { chrome } = page();
      const sync = chrome.storage.sync;
      let r = await cb(chrome, sync.set, { big: 'x'.repeat(8192) });
      expect(r.error).to.equal('Resource::kQuotaBytesPerItem quota exceeded');
      const many: Record<string, number> = {};
      for (let i = 0; i < 513; i++) many[`k${i}`] = i;
      r = await cb(chrome, sync.set, many);
      expect(r.error).to.equal('Resource::kMaxItems quota exceeded');
      const total: Record<string, string> = {};
      for (let i = 0; i < 13; i++) total[`t${i}`] = 'y'.repeat(8000);
      r = await cb(chrome, sync.set, total);
      expect(r.error).to.equal('Resource::kQuotaBytes quota exceeded');
      expect(await sync.get(null)).to.deep.equal({});
      expect(sync.QUOTA_BYTES_PER_ITEM).to.equal(8192);
    });

    it("limits sync writes to 120 a minute and 1800 an hour per function, with Chrome's texts and constants", async () => {
      let clock = 1_000_000;
      await host.dispose();
      start(undefined, () => clock);
      const { chrome } = page();
      const sync = chrome.storage.sync;
      expect([sync.MAX_WRITE_OPERATIONS_PER_MINUTE, sync.MAX_WRITE_OPERATIONS_PER_HOUR]).to.deep.equal(
        SYNC_WRITE_LIMITS.map((l) => l.tokens),
      );
      const setMany = async (n: number): Promise<void> => {
        const all: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) all.push(sync.set({ n: i }));
        await Promise.all(all);
      };
      await setMany(120);
      let r = await cb(chrome, sync.set, { n: 'over' });
      expect(r.error).to.equal('This request exceeds the MAX_WRITE_OPERATIONS_PER_MINUTE quota.');
      expect(await sync.get('n')).to.deep.equal({ n: 119 });
      // remove counts on its own, as Chrome counts each function; local has no such quota.
      r = await cb(chrome, sync.remove, 'n');
      expect(r.error).to.equal(undefined);
      await chrome.storage.local.set({ free: true });

      // A new minute, 120 more each, up to 1800 in the hour: then the hour's quota.
      for (let minute = 1; minute < 15; minute++) {
        clock += 60_001;
        await setMany(120);
      }
      clock += 60_001;
      r = await cb(chrome, sync.set, { n: 'over' });
      expect(r.error).to.equal('This request exceeds the MAX_WRITE_OPERATIONS_PER_HOUR quota.');
      expect(await sync.get('n')).to.deep.equal({ n: 119 });
      clock += 3_600_000;
      r = await cb(chrome, sync.set, { n: 'next hour' });
      expect(r.error).to.equal(undefined);
      expect(await sync.get('n')).to.deep.equal({ n: 'next hour' });
    });

    it('lifts the local quota with the "unlimitedStorage" permission', async () => {
      await host.dispose();
      start(['storage', 'unlimitedStorage']);
      const unlimited = page(['storage', 'unlimitedStorage']).chrome.storage.local;
      // key "a" + JSON string quotes: 3 bytes beside the text; 10 MiB + 6 bytes in all.
      await unlimited.set({ a: 'x'.repeat(10_485_760), b: 1 });
      expect(await unlimited.getBytesInUse(null)).to.equal(10_485_760 + 3 + 2);
    });

    it("answers past local's 10 MiB (QUOTA_BYTES 10485760) with Chrome's quota error and keeps the old items", async () => {
      const { chrome } = page();
      const local = chrome.storage.local;
      expect(local.QUOTA_BYTES).to.equal(10_485_760);
      await local.set({ kept: 'yes' });
      // 170 items of 64 000 characters: each under the longest-argument bound, 10.9 MB together.
      const items: Record<string, string> = {};
      for (let i = 0; i < 170; i++) items[`big${i}`] = String.fromCharCode(97 + (i % 26)).repeat(64_000);
      const r = await cb(chrome, local.set, items);
      expect(r.error).to.equal('Resource::kQuotaBytes quota exceeded');
      expect(await local.get(null)).to.deep.equal({ kept: 'yes' });
    });

    it('keeps items in the data directory for the next run', async () => {
      await page().chrome.storage.local.set({ kept: 'yes' });
      await host.dispose();
      start();
      expect(await page().chrome.storage.local.get('kept')).to.deep.equal({ kept: 'yes' });
      const file = JSON.parse(await fs.readFile(path.join(dataDir, 'storage', 'local.json'), 'utf8'));
      expect(file).to.deep.equal({ kept: 'yes' });
    });

    it('is undefined without the "storage" permission, and the host refuses a page that calls it anyway', async () => {
      await host.dispose();
      start(['alarms']);
      const p = page(['alarms']);
      expect(p.chrome.storage).to.equal(undefined);
      expect(p.chrome.alarms).to.be.an('object');
      let message: string | undefined;
      await (p.client.call('storage', 'get', ['local', null]) as Promise<unknown>).catch((e: Error) => (message = e.message));
      expect(message).to.equal("'storage' permission is required to use storage.local");
    });

    it('throws Chrome-style TypeErrors for bad arguments', () => {
      const { chrome } = page();
      expect(() => chrome.storage.local.set('nope')).to.throw(
        TypeError,
        'Error in invocation of storage.local.set(object items, optional function callback)',
      );
      expect(() => chrome.storage.local.remove(5)).to.throw(TypeError, 'No matching signature.');
    });
  });

  describe('chrome.alarms', () => {
    it("fires onAlarm in the app's pages, with Chrome's unpacked minimum delay of 1 second", async () => {
      const { chrome } = page();
      const before = Date.now();
      const fired = new Promise<any>((resolve) => chrome.alarms.onAlarm.addListener(resolve));
      await chrome.alarms.create('soon', { delayInMinutes: 0 });
      const alarm = await chrome.alarms.get('soon');
      expect(alarm.name).to.equal('soon');
      expect(alarm.scheduledTime - before).to.be.at.least(1000);
      expect((await fired).name).to.equal('soon');
      expect(await chrome.alarms.getAll()).to.deep.equal([]);
    });

    it('keeps alarms for the next run; one whose time passed meanwhile fires once, late, and a repeating one keeps its rhythm', async () => {
      const first = page();
      const when = Date.now() + 1000;
      await first.chrome.alarms.create('once', { when });
      await first.chrome.alarms.create('every', { when, periodInMinutes: 1 });
      await first.chrome.alarms.create('later', { delayInMinutes: 60 });
      const later = await first.chrome.alarms.get('later');
      // The app ends before the alarms' time; its host goes away (the run is over).
      first.close();
      await host.dispose();
      expect(JSON.parse(await fs.readFile(path.join(dataDir, 'alarms.json'), 'utf8'))).to.have.length(3);
      await until(() => Date.now() > when + 50, 'the alarms’ time to pass while the app is not running');

      start();
      const second = page();
      const fired: any[] = [];
      second.chrome.alarms.onAlarm.addListener((alarm: unknown) => fired.push(alarm));
      await settled(second); // its first alarms call reads the earlier run's alarms
      await until(() => fired.length >= 2, 'the missed alarms');
      expect(fired.map((a) => [a.name, a.scheduledTime]).sort()).to.deep.equal([
        ['every', when],
        ['once', when],
      ]);
      const all: any[] = await second.chrome.alarms.getAll();
      expect(all.map((a) => [a.name, a.scheduledTime, a.periodInMinutes]).sort()).to.deep.equal([
        ['every', when + 60_000, 1],
        ['later', later.scheduledTime, undefined],
      ]);
      await settled(second);
      expect(fired).to.have.length(2);
      // The file follows: 'once' is gone from it too.
      await host.dispose();
      const saved: any[] = JSON.parse(await fs.readFile(path.join(dataDir, 'alarms.json'), 'utf8'));
      expect(saved.map((a) => a.name).sort()).to.deep.equal(['every', 'later']);
      start();
    });

    it('replaces an alarm of the same name, clears by name, and reports what clear found', async () => {
      const { chrome } = page();
      await chrome.alarms.create('a', { delayInMinutes: 10 });
      await chrome.alarms.create('a', { delayInMinutes: 20, periodInMinutes: 5 });
      await chrome.alarms.create({ when: Date.now() + 600_000 });
      const all = await chrome.alarms.getAll();
      expect(all.map((a: any) => a.name).sort()).to.deep.equal(['', 'a']);
      expect(all.find((a: any) => a.name === 'a').periodInMinutes).to.equal(5);
      expect(await chrome.alarms.clear('a')).to.equal(true);
      expect(await chrome.alarms.clear('a')).to.equal(false);
      expect(await chrome.alarms.clearAll()).to.equal(true);
    });

    it("gives Chrome's errors for contradictory or empty alarm info", async () => {
      const { chrome } = page();
      let r = await cb(chrome, chrome.alarms.create, 'x', { when: Date.now() + 5000, delayInMinutes: 1 });
      expect(r.error).to.equal('Cannot set both when and delayInMinutes.');
      r = await cb(chrome, chrome.alarms.create, 'x', {});
      expect(r.error).to.equal('Must set at least one of when, delayInMinutes, or periodInMinutes.');
    });

    it(`refuses more than ${MAX_ALARMS_PER_APP} alarms per app (a page cannot create timers without bound)`, async () => {
      const { chrome } = page();
      await Promise.all(Array.from({ length: MAX_ALARMS_PER_APP }, (_, i) => chrome.alarms.create(`n${i}`, { delayInMinutes: 60 })));
      const r = await cb(chrome, chrome.alarms.create, 'one-more', { delayInMinutes: 60 });
      expect(r.error).to.equal(`Too many alarms (at most ${MAX_ALARMS_PER_APP} per app)`);
      // Replacing an existing one is still allowed.
      expect((await cb(chrome, chrome.alarms.create, 'n0', { delayInMinutes: 30 })).error).to.equal(undefined);
    });
  });

  describe('chrome.runtime messaging', () => {
    it('delivers a message to the other pages and brings back the first response', async () => {
      const sender = page();
      const receiver = page();
      receiver.chrome.runtime.onMessage.addListener((message: any, sender_: any, sendResponse: (r: unknown) => void) => {
        sendResponse({ echo: message, from: sender_.url, id: sender_.id });
      });
      await settled(receiver);
      const response = await sender.chrome.runtime.sendMessage({ hello: [1, 2] });
      expect(response).to.deep.equal({ echo: { hello: [1, 2] }, from: 'http://127.0.0.1:1/index.html', id: APP });
    });

    it('answers asynchronously when a listener returns true', async () => {
      const sender = page();
      const receiver = page();
      receiver.chrome.runtime.onMessage.addListener((_m: unknown, _s: unknown, sendResponse: (r: unknown) => void) => {
        setTimeout(() => sendResponse('later'), 5);
        return true;
      });
      await settled(receiver);
      expect(await sender.chrome.runtime.sendMessage('q')).to.equal('later');
    });

    it("gives Chrome's errors when nobody listens and when nobody answers", async () => {
      const sender = page();
      let r = await cb(sender.chrome, sender.chrome.runtime.sendMessage, 'hi');
      expect(r.error).to.equal(NO_RECEIVER);
      const receiver = page();
      receiver.chrome.runtime.onMessage.addListener(() => undefined);
      await settled(receiver);
      r = await cb(sender.chrome, sender.chrome.runtime.sendMessage, 'hi');
      expect(r.error).to.equal(PORT_CLOSED);
    });

    it(`refuses more than ${MAX_PENDING_MESSAGES} messages waiting for an answer per app`, async () => {
      const sender = page();
      const receiver = page();
      receiver.chrome.runtime.onMessage.addListener(() => true);
      await settled(receiver);
      for (let i = 0; i < MAX_PENDING_MESSAGES; i++) sender.chrome.runtime.sendMessage(i, () => undefined);
      const r = await cb(sender.chrome, sender.chrome.runtime.sendMessage, 'one more');
      expect(r.error).to.equal(`Too many messages waiting for a response (${MAX_PENDING_MESSAGES})`);
    });

    it('answers what a receiver held when its page goes away', async () => {
      const sender = page();
      const receiver = page();
      let received!: () => void;
      const got = new Promise<void>((resolve) => (received = resolve));
      receiver.chrome.runtime.onMessage.addListener(() => {
        received();
        return true;
      });
      await settled(receiver);
      const answer = cb(sender.chrome, sender.chrome.runtime.sendMessage, 'held');
      await got;
      receiver.close();
      expect((await answer).error).to.equal(PORT_CLOSED);
    });
  });

  describe('chrome.runtime messaging: who receives is decided on arrival, as in Chrome', () => {
    it('delivers to a listener added after the message was sent but before it arrived', async () => {
      const sender = page();
      const receiver = page();
      await settled(receiver);
      const answer = cb(sender.chrome, sender.chrome.runtime.sendMessage, 'early');
      // Added after the send: the page's word that it listens would reach the host too late.
      receiver.chrome.runtime.onMessage.addListener((m: unknown, _s: unknown, sendResponse: (r: unknown) => void) =>
        sendResponse(`got ${String(m)}`),
      );
      expect(await answer).to.deep.equal({ args: ['got early'], error: undefined });
    });

    it('gives "Receiving end does not exist" when the only listener went away before the message arrived', async () => {
      const sender = page();
      const receiver = page();
      const listener = (): boolean => true;
      receiver.chrome.runtime.onMessage.addListener(listener);
      await settled(receiver);
      const answer = cb(sender.chrome, sender.chrome.runtime.sendMessage, 'late');
      receiver.chrome.runtime.onMessage.removeListener(listener);
      expect((await answer).error).to.equal(NO_RECEIVER);
    });

    it('answers from the page that has a listener when another page has none', async () => {
      const sender = page();
      await settled(page());
      const receiver = page();
      await settled(receiver);
      receiver.chrome.runtime.onMessage.addListener((_m: unknown, _s: unknown, sendResponse: (r: unknown) => void) => sendResponse('here'));
      expect(await sender.chrome.runtime.sendMessage('who')).to.equal('here');
    });
  });

  describe('chrome.runtime.connect / onConnect', () => {
    /** Resolves with the next port a page's onConnect gets. */
    function nextConnect(p: Page): Promise<any> {
      return new Promise((resolve) => {
        const listener = (port: unknown): void => {
          p.chrome.runtime.onConnect.removeListener(listener);
          resolve(port);
        };
        p.chrome.runtime.onConnect.addListener(listener);
      });
    }
    const nextMessage = (port: any): Promise<unknown> => new Promise((resolve) => port.onMessage.addListener((m: unknown) => resolve(m)));
    const disconnected = (p: Page, port: any): Promise<string | undefined> =>
      new Promise((resolve) => port.onDisconnect.addListener(() => resolve(p.chrome.runtime.lastError?.message)));

    it('opens a Port with name and sender, carries JSON both ways, and disconnects only the other end', async () => {
      const opener = page();
      const receiver = page();
      // Its start (hello, what it listens to) has reached the host: it is one of the app's pages.
      await settled(receiver);
      const incoming = nextConnect(receiver);
      const port = opener.chrome.runtime.connect({ name: 'chat' });
      expect(port.name).to.equal('chat');
      expect(port.sender).to.equal(undefined);
      // Posted before the channel opened: it still arrives, after onConnect.
      port.postMessage({ n: 1, list: ['a', null] });
      const theirs = await incoming;
      expect(theirs.name).to.equal('chat');
      expect(theirs.sender).to.deep.equal({ id: APP, url: 'http://127.0.0.1:1/index.html' });
      expect(await nextMessage(theirs)).to.deep.equal({ n: 1, list: ['a', null] });
      const back = nextMessage(port);
      theirs.postMessage('pong');
      expect(await back).to.equal('pong');

      let openerHeard = false;
      port.onDisconnect.addListener(() => (openerHeard = true));
      const theirEnd = disconnected(receiver, theirs);
      port.disconnect();
      expect(await theirEnd).to.equal(undefined);
      expect(() => port.postMessage('x')).to.throw(Error, 'Attempting to use a disconnected port object');
      expect(() => theirs.postMessage('x')).to.throw(Error, 'Attempting to use a disconnected port object');
      port.disconnect(); // a second disconnect() is no error, as in Chrome
      await settled(opener);
      expect(openerHeard).to.equal(false);
    });

    it('fires onDisconnect at the opener when the receiving end disconnects or its page goes away', async () => {
      const opener = page();
      const receiver = page();
      await settled(receiver);
      let incoming = nextConnect(receiver);
      const first = opener.chrome.runtime.connect();
      const theirs = await incoming;
      const gone = disconnected(opener, first);
      theirs.disconnect();
      expect(await gone).to.equal(undefined);

      incoming = nextConnect(receiver);
      const second = opener.chrome.runtime.connect({ name: 'second' });
      await incoming;
      const closed = disconnected(opener, second);
      receiver.close();
      expect(await closed).to.equal(undefined);
    });

    it('gives onDisconnect with "Receiving end does not exist" when no page listens to onConnect', async () => {
      const opener = page();
      const alone = disconnected(opener, opener.chrome.runtime.connect());
      expect(await alone).to.equal(NO_RECEIVER);
      await settled(page()); // a page without onConnect listeners closes its end at once
      const unheard = disconnected(opener, opener.chrome.runtime.connect({ name: 'x' }));
      expect(await unheard).to.equal(NO_RECEIVER);
      const elsewhere = disconnected(opener, opener.chrome.runtime.connect('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'));
      expect(await elsewhere).to.equal(NO_RECEIVER);
      // Each listener read lastError, so nothing was reported as unchecked.
      expect(opener.errors).to.deep.equal([]);
    });

    it("throws Chrome's errors for bad arguments and messages JSON cannot carry", async () => {
      const opener = page();
      const receiver = page();
      await settled(receiver);
      const incoming = nextConnect(receiver);
      expect(() => opener.chrome.runtime.connect({ name: 5 })).to.throw(
        TypeError,
        "Error in invocation of runtime.connect(optional string extensionId, optional object connectInfo): Error at parameter 'connectInfo': Error at property 'name': Invalid type: expected string, found number.",
      );
      expect(() => opener.chrome.runtime.connect(1, 2)).to.throw(TypeError, 'No matching signature.');
      const port = opener.chrome.runtime.connect(APP, { name: 'mine' });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => port.postMessage(cyclic)).to.throw(Error, 'Could not serialize message.');
      expect((await incoming).name).to.equal('mine');
    });

    it(`refuses messages longer than ${MAX_MESSAGE_BYTES} bytes of JSON in the page, and in the host from a page that skips the check`, async () => {
      const sender = page();
      const receiver = page();
      const heard: unknown[] = [];
      let responseError: unknown;
      receiver.chrome.runtime.onMessage.addListener((m: unknown, _s: unknown, sendResponse: (r: unknown) => void) => {
        heard.push(m);
        if (m === 'big answer') {
          try {
            sendResponse('r'.repeat(MAX_MESSAGE_BYTES));
          } catch (error) {
            responseError = error;
          }
          sendResponse('small'); // the message is still open after the refused answer
        }
      });
      const incoming = new Promise<any>((resolve) => receiver.chrome.runtime.onConnect.addListener(resolve));
      await settled(receiver);
      // The JSON text of a string of MAX_MESSAGE_BYTES characters has two quotes more: one past it.
      const tooLong = 'x'.repeat(MAX_MESSAGE_BYTES);
      expect(() => sender.chrome.runtime.sendMessage(tooLong)).to.throw(Error, MESSAGE_TOO_LONG);
      const port = sender.chrome.runtime.connect({ name: 'big' });
      expect(() => port.postMessage(tooLong)).to.throw(Error, MESSAGE_TOO_LONG);
      const theirs = await incoming;
      // Exactly at the bound it goes: the quotes plus MAX_MESSAGE_BYTES - 2 characters.
      const atBound = new Promise<unknown>((resolve) => theirs.onMessage.addListener((m: string) => resolve(m.length)));
      port.postMessage('y'.repeat(MAX_MESSAGE_BYTES - 2));
      expect(await atBound).to.equal(MAX_MESSAGE_BYTES - 2);
      expect(await sender.chrome.runtime.sendMessage('big answer')).to.equal('small');
      expect(responseError).to.be.an('error').with.property('message', MESSAGE_TOO_LONG);
      expect(heard).to.deep.equal(['big answer']);
      // A page that sends past the bound anyway (its own client, not the facade) meets the host's check.
      const raw = new Uint8Array(MAX_MESSAGE_BYTES + 256 * 1024).fill(0x20);
      const refused = await (sender.client.call('runtime', 'sendMessage', [raw.buffer]) as Promise<unknown>).then(
        () => 'answered',
        (error: unknown) => error,
      );
      expect(refused).to.be.an('error').with.property('message', MESSAGE_TOO_LONG);
      expect(heard).to.deep.equal(['big answer']);
    });

    it(`refuses more than ${MAX_OPEN_PORTS} open ports per app, and counts a closed one as free`, async () => {
      const opener = page();
      const receiver = page();
      let accepted = 0;
      const theirs: any[] = [];
      receiver.chrome.runtime.onConnect.addListener((port: unknown) => {
        accepted++;
        theirs.push(port);
      });
      await settled(receiver);
      const mine = Array.from({ length: MAX_OPEN_PORTS }, () => opener.chrome.runtime.connect());
      const refused = disconnected(opener, opener.chrome.runtime.connect());
      expect(await refused).to.equal(TOO_MANY_PORTS);
      await settled(receiver);
      expect(accepted).to.equal(MAX_OPEN_PORTS);
      mine[0].disconnect();
      const again = nextConnect(receiver);
      opener.chrome.runtime.connect({ name: 'after' });
      expect((await again).name).to.equal('after');
    });
  });

  describe('chrome.power and chrome.system.network', () => {
    it('holds one keep-awake level per app and releases it when the app ends', async () => {
      const { chrome } = page();
      chrome.power.requestKeepAwake('display');
      chrome.power.requestKeepAwake('system');
      await chrome.storage.local.get(null); // a round trip: the calls before it were handled
      expect(keepAwakeLog).to.deep.equal(['start display', 'stop 1', 'start system']);
      host.detachApp(APP);
      expect(keepAwakeLog).to.deep.equal(['start display', 'stop 1', 'start system', 'stop 2']);
      expect(() => chrome.power.requestKeepAwake('screen')).to.throw(TypeError, 'Value must be one of display, system.');
    });

    it('lists network interfaces without loopback, with prefix lengths', async () => {
      expect(
        networkInterfaces({
          lo: [
            { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
          ],
          eth0: [
            {
              address: '192.168.1.5',
              netmask: '255.255.255.0',
              family: 'IPv4',
              mac: 'aa:bb:cc:dd:ee:ff',
              internal: false,
              cidr: '192.168.1.5/24',
            },
            {
              address: 'fe80::1',
              netmask: 'ffff:ffff:ffff:ffff::',
              family: 'IPv6',
              mac: 'aa:bb:cc:dd:ee:ff',
              internal: false,
              cidr: 'fe80::1/64',
              scopeid: 2,
            },
          ],
        }),
      ).to.deep.equal([
        { name: 'eth0', address: '192.168.1.5', prefixLength: 24 },
        { name: 'eth0', address: 'fe80::1', prefixLength: 64 },
      ]);
      const { chrome } = page();
      const list = await chrome.system.network.getNetworkInterfaces();
      expect(list).to.be.an('array');
      expect(list.every((i: any) => !i.address.startsWith('127.'))).to.equal(true);
    });
  });
});
