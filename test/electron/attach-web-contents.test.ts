/**
 * host.attach(webContents): the Electron glue between SocketsHost and pages, against typed fakes
 * of ipcMain, webContents, WebFrameMain and MessageChannelMain (test/electron/fakes.ts), with
 * the real host, the real preload logic and real sockets on 127.0.0.1.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import * as sinon from 'sinon';
import type { tcp as tcpTypes } from '../../common/api-types';
import { ELECTRON_CHANNELS, ELECTRON_GLUE_VERSION } from '../../common/electron-channels';
import { ElectronSocketsHost as SocketsHost } from '../../main/electron/electron-host';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';
import type { AttachOptions } from '../../main/types';
import { FakeFrame, FakeIpcMain, FakeMessageChannelMain, FakeWebContents, loadPage, type FakeRenderer } from './fakes';
import { until } from '../support/wait';

/** The promise forms of chrome.sockets.tcp used here. */
interface Tcp {
  create(properties?: tcpTypes.SocketProperties): Promise<tcpTypes.CreateInfo>;
  connect(socketId: number, address: string, port: number): Promise<number>;
  send(socketId: number, data: ArrayBuffer): Promise<tcpTypes.SendInfo>;
  getInfo(socketId: number): Promise<tcpTypes.SocketInfo>;
  getInfo(socketId: number, callback: (info: tcpTypes.SocketInfo | undefined) => void): void;
  getSockets(): Promise<tcpTypes.SocketInfo[]>;
  onReceive: { addListener(f: (info: tcpTypes.ReceiveInfo) => void): void; removeListener(f: (info: tcpTypes.ReceiveInfo) => void): void };
}

function tcpOf(page: FakeRenderer): Tcp {
  return page.chrome.sockets.tcp as unknown as Tcp;
}

/** Sends `text` on a connected socket and resolves with what comes back. */
function echo(page: FakeRenderer, socketId: number, text: string): Promise<string> {
  const tcp = tcpOf(page);
  return new Promise((resolve, reject) => {
    let got = '';
    const onReceive = (info: tcpTypes.ReceiveInfo): void => {
      if (info.socketId !== socketId) return;
      got += Buffer.from(info.data).toString();
      if (got.length >= text.length) {
        tcp.onReceive.removeListener(onReceive);
        resolve(got);
      }
    };
    tcp.onReceive.addListener(onReceive);
    tcp.send(socketId, new TextEncoder().encode(text).buffer as ArrayBuffer).catch(reject);
  });
}

describe('SocketsHost#attach (Electron glue)', () => {
  let sandbox: sinon.SinonSandbox;
  let host: SocketsHost;
  let ipcMain: FakeIpcMain;
  let log: sinon.SinonSpy<[string], void>;
  let server: net.Server;
  let serverPort: number;
  const serverSockets = new Set<net.Socket>();

  const electron = () => ({ MessageChannelMain: FakeMessageChannelMain, ipcMain, log });
  const attach = (wc: FakeWebContents, options: Partial<AttachOptions> = {}) =>
    host.attach(wc, { app: 'app-a', sockets: ALLOW_ALL_SOCKETS, ...options }, electron());

  before(async () => {
    server = net.createServer((socket) => {
      serverSockets.add(socket);
      socket.on('close', () => serverSockets.delete(socket));
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverPort = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    for (const socket of serverSockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    log = sandbox.spy((_line: string) => undefined);
    host = new SocketsHost({ log });
    ipcMain = new FakeIpcMain();
  });

  afterEach(async () => {
    await host.dispose();
    FakeMessageChannelMain.closeAll();
    sandbox.restore();
  });

  /** Attaches, loads a page and waits until its context is up. */
  async function openPage(wc: FakeWebContents, options: Partial<AttachOptions> = {}) {
    const attached = attach(wc, options);
    const page = loadPage(wc, ipcMain);
    await until(() => attached.context !== undefined, 'the context');
    return { attached, page };
  }

  async function connectedSocket(page: FakeRenderer, properties: tcpTypes.SocketProperties = {}): Promise<number> {
    const { socketId } = await tcpOf(page).create(properties);
    expect(await tcpOf(page).connect(socketId, '127.0.0.1', serverPort)).to.equal(0);
    return socketId;
  }

  const contextIds = () => host.inspect().contexts.map((c) => c.id);

  describe('other socket APIs (apis)', () => {
    it('installs navigator.mozTCPSocket and the Direct Sockets globals only for an attach with apis, over the same port', async () => {
      const plain = await openPage(new FakeWebContents('file:///app/plain.html'));
      const plainWindow = plain.page.window as unknown as Record<string, unknown>;
      expect(plainWindow.navigator).to.equal(undefined);
      expect(plainWindow.TCPSocket).to.equal(undefined);

      const { page } = await openPage(new FakeWebContents('file:///app/apis.html'), { apis: ['mozTCPSocket', 'direct'] });
      const w = page.window as unknown as Record<string, any>;
      expect(typeof w.navigator.mozTCPSocket.open).to.equal('function');
      expect(typeof w.TCPSocket).to.equal('function');
      expect(FakeMessageChannelMain.created).to.have.length(2);
      const socket = new w.TCPSocket('127.0.0.1', serverPort);
      const { readable, writable } = await socket.opened;
      const writer = writable.getWriter();
      await writer.write(new TextEncoder().encode('direct over electron'));
      const reader = readable.getReader();
      let got = '';
      while (got.length < 20) got += Buffer.from((await reader.read()).value).toString();
      expect(got).to.equal('direct over electron');
      reader.releaseLock();
      writer.releaseLock();
      await socket.close();
    });

    it('installs the W3C 2013 classes as navigator.w3cSockets for apis: [w3c], beside no Direct Sockets globals', async () => {
      const { page } = await openPage(new FakeWebContents('file:///app/w3c.html'), { apis: ['w3c'] });
      const w = page.window as unknown as Record<string, any>;
      expect(w.TCPSocket).to.equal(undefined);
      expect(w.navigator.mozTCPSocket).to.equal(undefined);
      const socket = new w.navigator.w3cSockets.TCPSocket('127.0.0.1', serverPort);
      await new Promise((resolve) => (socket.onopen = resolve));
      let got = '';
      const echoed = new Promise<void>((resolve) => {
        socket.onmessage = (e: { data: ArrayBuffer }) => {
          got += Buffer.from(e.data).toString();
          if (got.length >= 17) resolve();
        };
      });
      socket.send('w3c over electron');
      await echoed;
      expect(got).to.equal('w3c over electron');
      socket.close();
    });

    it('installs legacy chrome.socket beside chrome.sockets for apis: [chrome.socket]', async () => {
      const plain = await openPage(new FakeWebContents('file:///app/plain2.html'));
      expect((plain.page.window as unknown as Record<string, any>).chrome.socket).to.equal(undefined);
      const { page } = await openPage(new FakeWebContents('file:///app/legacy.html'), { apis: ['chrome.socket'] });
      const chrome = (page.window as unknown as Record<string, any>).chrome;
      expect(typeof chrome.sockets.tcp.create).to.equal('function');
      const { socketId } = await new Promise<{ socketId: number }>((resolve) => chrome.socket.create('tcp', {}, resolve));
      const result = await new Promise<number>((resolve) => chrome.socket.connect(socketId, '127.0.0.1', serverPort, resolve));
      expect(result).to.equal(0);
      await new Promise((resolve) => chrome.socket.write(socketId, new TextEncoder().encode('legacy').buffer, resolve));
      const read = await new Promise<{ resultCode: number; data: ArrayBuffer }>((resolve) => chrome.socket.read(socketId, 100, resolve));
      expect(Buffer.from(read.data).toString()).to.equal('legacy');
      chrome.socket.destroy(socketId);
    });

    it('answers the apis question only for attached webContents', () => {
      const event = { sender: { id: 987654 }, senderFrame: null, returnValue: undefined as unknown };
      attach(new FakeWebContents('file:///app/x.html'), { apis: ['direct'] });
      ipcMain.emit(ELECTRON_CHANNELS.apis, event);
      expect(event.returnValue).to.deep.equal([]);
    });
  });

  describe('port hand-off', () => {
    it('gives the page its own MessageChannelMain and serves chrome.sockets.tcp over it', async () => {
      const wc = new FakeWebContents('file:///app/main.html');
      const { attached, page } = await openPage(wc);

      expect(page.injection).to.equal('executeInMainWorld');
      expect(FakeMessageChannelMain.created).to.have.length(1);
      const [channel] = FakeMessageChannelMain.created;
      expect(channel.port1.started, 'main end started').to.equal(true);
      expect(host.inspect().contexts).to.deep.include({
        id: attached.context!.id,
        app: 'app-a',
        label: `webContents ${wc.id} file:///app/main.html`,
        background: false,
        unackedBytes: 0,
        flowBlocked: false,
        carrierBacklog: 0,
        pendingCalls: 0,
      });

      const socketId = await connectedSocket(page);
      expect(await echo(page, socketId, 'ping over the port')).to.equal('ping over the port');
    });

    it('keeps calls made before the port arrived and sends them once it does', async () => {
      const wc = new FakeWebContents();
      attach(wc);
      const page = loadPage(wc, ipcMain);
      // The facade is in the main world at once; the port is still on its way.
      const created = tcpOf(page).create({ name: 'early' });
      const info = await created;
      expect(info.socketId).to.be.a('number');
      expect((await tcpOf(page).getInfo(info.socketId)).name).to.equal('early');
    });

    it('augments an existing window.chrome without replacing it or its runtime', async () => {
      const wc = new FakeWebContents();
      const attached = attach(wc);
      const runtime = { id: 'existing', sendMessage: () => undefined };
      const existing = { loadTimes: () => 0, runtime };
      const page = loadPage(wc, ipcMain, { chrome: existing });
      expect(page.window.chrome).to.equal(existing);
      expect(existing.runtime).to.equal(runtime);
      expect(existing).to.include.keys('loadTimes', 'sockets');
      expect(runtime).to.include({ id: 'existing' });
      expect((existing as unknown as { sockets: object }).sockets).to.have.keys('tcp', 'tcpServer', 'udp');

      // lastError is the facade's, live: set inside a failing callback, gone after it.
      await until(() => attached.context !== undefined, 'the context');
      const seen = await new Promise<unknown>((resolve) =>
        tcpOf(page).getInfo(12345, () => resolve((runtime as { lastError?: unknown }).lastError)),
      );
      expect(seen).to.deep.equal({ message: 'Socket not found' });
      expect((runtime as { lastError?: unknown }).lastError).to.equal(undefined);
    });

    it('serves a page that loaded before attach: the page asks again when told', async () => {
      attach(new FakeWebContents()); // another window, so main is listening
      const wc = new FakeWebContents();
      const page = loadPage(wc, ipcMain);
      await until(() => page.requests.length === 1, 'the first request');
      await new Promise((resolve) => setImmediate(resolve));
      expect(log.calledWith(`ignored a port request from webContents ${wc.id}: it is not attached`)).to.equal(true);

      const attached = attach(wc);
      expect(wc.sent).to.deep.equal([ELECTRON_CHANNELS.attached]);
      await until(() => attached.context !== undefined, 'the context');
      expect(page.requests).to.have.length(2);
      const socketId = await connectedSocket(page);
      expect(await echo(page, socketId, 'late')).to.equal('late');
    });

    it('ignores a repeated request of the same page instead of opening a second context', async () => {
      const wc = new FakeWebContents();
      const { attached, page } = await openPage(wc);
      const first = attached.context;
      ipcMain.emit(ELECTRON_CHANNELS.requestPort, { sender: wc, senderFrame: wc.mainFrame }, page.requests[0]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(attached.context).to.equal(first);
      expect(FakeMessageChannelMain.created).to.have.length(1);
    });

    it('installs the facade in the page world directly when context isolation is off', async () => {
      const wc = new FakeWebContents();
      const attached = attach(wc);
      const page = loadPage(wc, ipcMain, { contextIsolated: false });
      expect(page.injection).to.equal('same-world');
      await until(() => attached.context !== undefined, 'the context');
      expect((await tcpOf(page).create()).socketId).to.be.a('number');
    });

    it('falls back to webFrame.executeJavaScript without executeInMainWorld, asking for the port after it ran', async () => {
      const wc = new FakeWebContents();
      const attached = attach(wc);
      const page = loadPage(wc, ipcMain, { executeInMainWorld: false });
      expect(page.injection).to.equal('executeJavaScript');
      expect(page.requests, 'no request before the facade is in place').to.have.length(0);
      expect(page.executedCode).to.match(/^\(.*\)\(\{"token":"[^"]+","apis":\[\]\}\)$/s);
      await until(() => attached.context !== undefined, 'the context');
      expect((await tcpOf(page).create()).socketId).to.be.a('number');
    });
  });

  describe('who may ask for a port', () => {
    it('ignores and logs a request from a webContents that was not attached', async () => {
      const stranger = new FakeWebContents();
      const page = loadPage(stranger, ipcMain);
      attach(new FakeWebContents()); // something is attached, just not this one
      await until(() => page.requests.length === 1, 'the request');
      await new Promise((resolve) => setImmediate(resolve));
      expect(log.calledWithMatch(`ignored a port request from webContents ${stranger.id}: it is not attached`)).to.equal(true);
      expect(host.inspect().contexts).to.deep.equal([]);
      expect(FakeMessageChannelMain.created).to.deep.equal([]);
    });

    it('ignores and logs a request from a subframe of an attached webContents', () => {
      const wc = new FakeWebContents();
      attach(wc);
      const sub = new FakeFrame('https://ads.example/', wc.mainFrame);
      ipcMain.emit(ELECTRON_CHANNELS.requestPort, { sender: wc, senderFrame: sub }, { v: ELECTRON_GLUE_VERSION, page: 'p' });
      expect(log.calledWithMatch(`ignored a port request from a subframe of webContents ${wc.id}`)).to.equal(true);
      expect(host.inspect().contexts).to.deep.equal([]);
    });

    it('ignores and logs a request whose frame is gone, and a malformed one', () => {
      const wc = new FakeWebContents();
      attach(wc);
      ipcMain.emit(ELECTRON_CHANNELS.requestPort, { sender: wc, senderFrame: null }, { v: ELECTRON_GLUE_VERSION, page: 'p' });
      ipcMain.emit(ELECTRON_CHANNELS.requestPort, { sender: wc, senderFrame: wc.mainFrame }, { v: 99, page: 'p' });
      ipcMain.emit(
        ELECTRON_CHANNELS.requestPort,
        { sender: wc, senderFrame: wc.mainFrame },
        { v: ELECTRON_GLUE_VERSION, page: 'x'.repeat(65) },
      );
      expect(log.calledWithMatch('vanished frame')).to.equal(true);
      expect(log.withArgs(`ignored a malformed port request from webContents ${wc.id}`).callCount).to.equal(2);
      expect(host.inspect().contexts).to.deep.equal([]);
    });

    it('refuses a manifest "sockets" section Chrome would refuse, before any page asks', () => {
      const wc = new FakeWebContents();
      expect(() => attach(wc, { sockets: { tcp: { connect: 'a:b:c' } } })).to.throw("Invalid host:port pattern 'a:b:c'");
      expect(wc.eventNames()).to.deep.equal([]);
      expect(ipcMain.eventNames()).to.deep.equal([]);
    });

    it('attaches a webContents with no live frame yet (nothing to tell; its first page asks)', async () => {
      const wc = new FakeWebContents();
      sandbox.stub(wc, 'send').throws(new Error('Render frame was disposed before WebFrameMain could be accessed'));
      const attached = attach(wc);
      loadPage(wc, ipcMain);
      await until(() => attached.context !== undefined, 'the context');
    });

    it('refuses to attach a webContents twice, or a destroyed one', () => {
      const wc = new FakeWebContents();
      attach(wc);
      expect(() => attach(wc)).to.throw(`webContents ${wc.id} is already attached`);
      const gone = new FakeWebContents();
      gone.destroyed = true;
      expect(() => attach(gone)).to.throw('cannot attach a destroyed webContents');
    });
  });

  describe('what ends a page context', () => {
    it('the webContents being destroyed (and it stops listening)', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      wc.destroy();
      expect(attached.context).to.equal(undefined);
      expect(contextIds()).to.deep.equal([]);
      for (const name of ['destroyed', 'render-process-gone', 'did-start-navigation', 'did-navigate']) {
        expect(wc.listenerCount(name), name).to.equal(0);
      }
      expect(ipcMain.listenerCount(ELECTRON_CHANNELS.requestPort)).to.equal(0);
    });

    it('the render process going away; the reloaded page gets a new context', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      const before = attached.context!.id;
      wc.crash();
      expect(contextIds()).to.deep.equal([]);
      loadPage(wc, ipcMain, { newFrame: true });
      await until(() => attached.context !== undefined, 'a new context');
      expect(attached.context!.id).to.not.equal(before);
    });

    it('a committed main-frame navigation, even when the old port is not closed', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      wc.startNavigation();
      expect(contextIds(), 'not before the navigation commits').to.have.length(1);
      wc.commitNavigation('https://elsewhere.example/');
      expect(attached.context).to.equal(undefined);
      expect(contextIds()).to.deep.equal([]);
    });

    it('a reload: the new page gets a fresh port and context', async () => {
      const wc = new FakeWebContents();
      const { attached, page } = await openPage(wc);
      const before = attached.context!.id;
      wc.startNavigation();
      wc.commitNavigation();
      const reloaded = loadPage(wc, ipcMain);
      await until(() => attached.context !== undefined, 'the new context');
      expect(attached.context!.id).to.not.equal(before);
      expect(contextIds()).to.deep.equal([attached.context!.id]);
      expect(FakeMessageChannelMain.created).to.have.length(2);
      expect(reloaded.requests[0]).to.not.deep.equal(page.requests[0]);
    });

    it('a request still in flight from the page before a reload does not replace the new page', async () => {
      const wc = new FakeWebContents();
      const { attached, page } = await openPage(wc);
      wc.startNavigation();
      wc.commitNavigation();
      loadPage(wc, ipcMain);
      await until(() => attached.context !== undefined, 'the new context');
      const current = attached.context!.id;
      // The old page's request (e.g. its answer to an "attached" notice) arrives late.
      ipcMain.emit(ELECTRON_CHANNELS.requestPort, { sender: wc, senderFrame: wc.mainFrame }, page.requests[0]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(attached.context!.id).to.equal(current);
      expect(contextIds()).to.deep.equal([current]);
      expect(FakeMessageChannelMain.created).to.have.length(2);
    });

    it('a new page asking for a port, even if it asks before main sees the navigation commit', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      const before = attached.context!.id;
      wc.startNavigation();
      loadPage(wc, ipcMain, { newFrame: true });
      await until(() => attached.context !== undefined && attached.context.id !== before, 'the new context');
      const after = attached.context!.id;
      wc.commitNavigation(); // arrives late: must not end the new page's context
      expect(contextIds()).to.deep.equal([after]);
    });

    it('not an in-page navigation, a subframe navigation, or a navigation that never commits', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      const id = attached.context!.id;
      wc.startNavigation({ isSameDocument: true });
      wc.startNavigation({ isMainFrame: false });
      wc.emit('did-navigate-in-page', {}, 'file:///app/index.html#x', true);
      expect(contextIds()).to.deep.equal([id]);
      wc.startNavigation(); // e.g. cancelled by beforeunload: no did-navigate follows
      expect(contextIds()).to.deep.equal([id]);
    });

    it('detach(), which also removes every listener it added', async () => {
      const wc = new FakeWebContents();
      const { attached } = await openPage(wc);
      attached.detach();
      attached.detach();
      expect(contextIds()).to.deep.equal([]);
      expect(wc.eventNames()).to.deep.equal([]);
      expect(ipcMain.eventNames()).to.deep.equal([]);
    });
  });

  describe('socket lifetime across pages (ARCHITECTURE.md, spec §3.8)', () => {
    it('a persistent socket survives a reload and the new page adopts it with getSockets; a non-persistent one is closed', async () => {
      const wc = new FakeWebContents();
      const { attached, page } = await openPage(wc, { background: true });
      const persistent = await connectedSocket(page, { persistent: true, name: 'keep' });
      const transient = await connectedSocket(page, { name: 'drop' });
      await until(() => serverSockets.size === 2, 'both connections at the server');

      wc.startNavigation();
      wc.commitNavigation();
      await until(() => serverSockets.size === 1, 'the transient connection closed at the server');

      const reloaded = loadPage(wc, ipcMain);
      await until(() => attached.context !== undefined, 'the new context');
      const sockets = await tcpOf(reloaded).getSockets();
      expect(sockets.map((s) => [s.socketId, s.name, s.persistent, s.connected])).to.deep.equal([[persistent, 'keep', true, true]]);
      expect(sockets.map((s) => s.socketId)).to.not.include(transient);
      expect(await echo(reloaded, persistent, 'still here')).to.equal('still here');
    });

    it('without a background context, non-persistent sockets live while another context of the app does', async () => {
      const one = new FakeWebContents();
      const two = new FakeWebContents();
      const { page } = await openPage(one);
      await openPage(two);
      const socketId = await connectedSocket(page);
      one.destroy();
      const pageTwo = two.mainFrame.renderer!;
      expect((await tcpOf(pageTwo).getSockets()).map((s) => s.socketId)).to.deep.equal([socketId]);
      two.destroy();
      await until(() => serverSockets.size === 0, 'the connection closed at the server');
    });

    it('two apps cannot see or use each other\u2019s socket ids', async () => {
      const { page: a } = await openPage(new FakeWebContents(), { app: 'app-a' });
      const { page: b } = await openPage(new FakeWebContents(), { app: 'app-b' });
      const socketId = await connectedSocket(a);

      expect(await tcpOf(b).getSockets()).to.deep.equal([]);
      const seen = await new Promise<{ info: unknown; lastError: string | undefined }>((resolve) =>
        tcpOf(b).getInfo(socketId, (info) => resolve({ info, lastError: b.chrome.runtime.lastError?.message })),
      );
      expect(seen).to.deep.equal({ info: undefined, lastError: 'Socket not found' });
      expect((await tcpOf(a).getSockets()).map((s) => s.socketId)).to.deep.equal([socketId]);
    });
  });
});
