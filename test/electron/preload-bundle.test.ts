/**
 * The prebuilt preload (dist/preload/preload.js): one file that requires nothing but
 * `electron` (so it runs with sandbox: true), and whose main-world installer is self-contained
 * (contextBridge.executeInMainWorld serialises it: it must work from its source text alone).
 */
import { loadBundle } from './bundle-sandbox';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import { ELECTRON_CHANNELS, ELECTRON_GLUE_VERSION, MAIN_WORLD_PORT_TAG } from '../../common/electron-channels';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { ALLOW_ALL_SOCKETS } from '../../main/permissions';

const root = path.resolve(__dirname, '../../..');

describe('prebuilt preload bundle', function () {
  this.timeout(30_000);
  let text: string;

  before(async () => {
    // Built from the sources now, exactly as `npm run build` writes dist/preload/preload.js.
    const script = pathToFileURL(path.join(root, 'scripts/build-preload.mjs')).href;
    const { buildPreload } = (await import(script)) as { buildPreload(o: { outfile: null }): Promise<string> };
    text = await buildPreload({ outfile: null });
  });

  it('is what the package exports as electron-chrome-sockets/preload', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['./preload'].default).to.equal('./dist/preload/preload.js');
  });

  it('calls require only with "electron"', () => {
    const calls = [...text.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
    expect(calls).to.deep.equal(['"electron"']);
    expect(text).to.not.match(/\bimport\s*\(/);
  });

  it('loads with a require that has nothing but electron, asks for a port once, and exposes exposeChromeSockets', () => {
    const { recorded, exports } = loadBundle(text);
    expect(recorded.required).to.deep.equal(['electron']);
    expect(recorded.executed).to.have.length(1);
    expect(recorded.on).to.have.members([ELECTRON_CHANNELS.port, ELECTRON_CHANNELS.attached]);
    expect(recorded.sent).to.have.length(1);
    const [channel, request] = recorded.sent[0];
    expect(channel).to.equal(ELECTRON_CHANNELS.requestPort);
    expect(request).to.have.property('v', ELECTRON_GLUE_VERSION);
    expect(request)
      .to.have.property('page')
      .that.matches(/^[0-9a-f]{32}$/);

    const expose = exports.exposeChromeSockets as () => string;
    expect(expose()).to.equal('executeInMainWorld');
    expect(recorded.executed, 'idempotent').to.have.length(1);
    expect(recorded.sent).to.have.length(1);
  });

  it('runs its installer in the page world directly when context isolation is off', () => {
    const { recorded, world } = loadBundle(text, { contextIsolated: false });
    expect(recorded.executed).to.have.length(0);
    expect(Object.keys((world as { chrome: { sockets: object } }).chrome.sockets)).to.have.members(['tcp', 'tcpServer', 'udp']);
    expect(recorded.sent).to.have.length(1);
  });

  it('gives executeInMainWorld a self-contained installer that serves chrome.sockets from its source text alone', async () => {
    const { recorded } = loadBundle(text);
    const [{ func, args }] = recorded.executed;
    const config = args![0] as { token: string };
    expect(config.token).to.match(/^[0-9a-f]{32}$/);

    // A fresh realm with no require, module or process: what Electron's main world offers.
    const listeners: Array<(event: unknown) => void> = [];
    const errors: string[] = [];
    const mainWorld = vm.createContext({
      addEventListener: (_type: string, l: (event: unknown) => void) => listeners.push(l),
      removeEventListener: (_type: string, l: (event: unknown) => void) => listeners.splice(listeners.indexOf(l), 1),
      console: { error: (...a: unknown[]) => errors.push(a.join(' ')) },
    });
    expect(vm.runInContext(`(${func.toString()})(${JSON.stringify(config)})`, mainWorld)).to.equal(true);
    const chrome = vm.runInContext('chrome', mainWorld) as {
      sockets: { tcp: { create(p?: object): Promise<{ socketId: number }>; getInfo(id: number): Promise<{ name?: string }> } };
      runtime: { lastError?: unknown };
    };
    expect(Object.keys(chrome.sockets)).to.have.members(['tcp', 'tcpServer', 'udp']);
    expect(chrome.runtime.lastError).to.equal(undefined);

    // A call before the port arrives is kept; then the preload posts the port in.
    const created = chrome.sockets.tcp.create({ name: 'from the main world' });
    const host = new SocketsHost({ log: () => undefined });
    const { port1, port2 } = new MessageChannel();
    try {
      host.attachPort(hostPortFromNodePort(port2), { app: 'bundle', sockets: ALLOW_ALL_SOCKETS });
      const self = vm.runInContext('globalThis', mainWorld) as object;
      let stopped = false;
      const event = {
        source: self,
        data: { tag: MAIN_WORLD_PORT_TAG, token: config.token },
        ports: [port1],
        stopImmediatePropagation: () => (stopped = true),
      };
      const forged = { ...event, data: { tag: MAIN_WORLD_PORT_TAG, token: 'guess' } };
      listeners[0](forged);
      expect(stopped, 'a message without the token is not ours').to.equal(false);
      listeners[0](event);
      expect(stopped, 'page listeners never see the hand-off').to.equal(true);
      expect(listeners, 'the listener is removed after the hand-off').to.have.length(0);

      const { socketId } = await created;
      expect((await chrome.sockets.tcp.getInfo(socketId)).name).to.equal('from the main world');
      expect(errors).to.deep.equal([]);
    } finally {
      await host.dispose();
      port1.close();
    }
  });
});
