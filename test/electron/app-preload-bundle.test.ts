/**
 * The runner's app preload (dist/preload/app-preload.js) as Electron runs it: a sandboxed
 * preload that requires only `electron`, asks main for the page's AppConfig, and hands
 * executeInMainWorld a self-contained installer. The installer is run from its source text in a
 * fresh realm standing in for the background page's main world, on a real SocketsHost with the
 * runner's app services: chrome.* per the manifest's permissions, onInstalled then onLaunched
 * after load, storage through the host.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import { ELECTRON_CHANNELS, MAIN_WORLD_PORT_TAG } from '../../common/electron-channels';
import { createAppServices, type ServedApp } from '../../main/app-services';
import { SocketsHost } from '../../main/host';
import { hostPortFromNodePort } from '../../main/node-port';
import { appConfig } from '../../main/runner/browser-runner';
import { loadChromeApp } from '../../main/runner/manifest';
import { loadBundle } from './bundle-sandbox';

const root = path.resolve(__dirname, '../../..');
const APP_DIR = path.join(root, 'test/fixtures/apps/storage-alarms-i18n');

describe('runner app preload bundle (Electron mode)', function () {
  this.timeout(30_000);
  let text: string;

  before(async () => {
    const script = pathToFileURL(path.join(root, 'scripts/build-preload.mjs')).href;
    const { buildPreload } = (await import(script)) as { buildPreload(o: Record<string, unknown>): Promise<string> };
    text = await buildPreload({
      outfile: null,
      entry: path.join(root, 'preload/app-runtime/app-preload-entry.ts'),
      mainWorldEntry: path.join(root, 'browser/app-runtime/electron-main-world.ts'),
      install: 'installAppRuntime',
    });
  });

  it('calls require only with "electron"', () => {
    const calls = [...text.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
    expect(calls).to.deep.equal(['"electron"']);
  });

  it('does nothing in a page main does not give an app config', () => {
    const { recorded } = loadBundle(text, { contextIsolated: true }, { [ELECTRON_CHANNELS.appConfig]: null });
    expect(recorded.synced).to.deep.equal([ELECTRON_CHANNELS.appConfig]);
    expect(recorded.executed).to.have.length(0);
    expect(recorded.sent).to.have.length(0);
  });

  it('installs the app runtime in the main world from its source text; the background page launches on load', async () => {
    const app = loadChromeApp(APP_DIR, { uiLocale: 'en' });
    const config = appConfig(app);
    const { recorded } = loadBundle(text, { contextIsolated: true }, { [ELECTRON_CHANNELS.appConfig]: config });
    expect(recorded.executed).to.have.length(1);
    expect(recorded.sent.map(([channel]) => channel)).to.deep.equal([ELECTRON_CHANNELS.requestPort]);
    const [{ func, args }] = recorded.executed;
    const mainConfig = args![0] as { token: string; app: unknown };
    expect(mainConfig.app).to.deep.equal(config);

    // The background page's main world: what start() touches of a window.
    const listeners = new Map<string, Array<(event: unknown) => void>>();
    const storage = new Map<string, string>();
    const origin = `chrome-app://${app.id}`;
    const world: Record<string, unknown> = {
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      queueMicrotask,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      console: { error: (...a: unknown[]) => errors.push(a.map(String).join(' ')), warn: () => undefined, log: () => undefined },
      location: { href: `${origin}${app.backgroundPath}`, pathname: app.backgroundPath, origin },
      navigator: { platform: 'Linux x86_64', userAgent: 'Electron' },
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
      opener: null,
      addEventListener: (type: string, l: (event: unknown) => void) => listeners.set(type, [...(listeners.get(type) ?? []), l]),
      removeEventListener: (type: string, l: (event: unknown) => void) =>
        listeners.set(
          type,
          (listeners.get(type) ?? []).filter((x) => x !== l),
        ),
    };
    const errors: string[] = [];
    const mainWorld = vm.createContext(world);
    vm.runInContext('globalThis.parent = globalThis; globalThis.self = globalThis;', mainWorld);
    expect(vm.runInContext(`(${func.toString()})(${JSON.stringify(mainConfig)})`, mainWorld)).to.equal(true);
    const chrome = vm.runInContext('chrome', mainWorld) as Record<string, any>;
    // Permissions decide the namespaces: storage and alarms, no sockets section, no power.
    expect(Object.keys(chrome).sort()).to.deep.equal(['alarms', 'app', 'i18n', 'runtime', 'storage']);
    expect(chrome.runtime.id).to.equal(app.id);
    expect(chrome.i18n.getMessage('appName')).to.equal(app.name);
    const events: string[] = [];
    chrome.runtime.onInstalled.addListener((d: { reason: string }) => events.push(`installed ${d.reason}`));
    const launched = new Promise<void>((resolve) =>
      chrome.app.runtime.onLaunched.addListener((d: { source: string }) => {
        events.push(`launched ${d.source}`);
        resolve();
      }),
    );

    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-app-preload-'));
    const served: ServedApp = { name: app.id, permissions: new Set(app.permissions), dataDir, launch: { installReason: 'install' } };
    const host = new SocketsHost({
      log: () => undefined,
      services: createAppServices({ apps: (n) => (n === app.id ? served : undefined) }),
    });
    const { port1, port2 } = new MessageChannel();
    try {
      // A call before the port arrives is kept; then the preload posts the port in.
      const set = chrome.storage.local.set({ greeting: 'hello' }) as Promise<void>;
      host.attachPort(hostPortFromNodePort(port2), { app: app.id, appId: app.id, background: true });
      const self = vm.runInContext('globalThis', mainWorld) as object;
      for (const l of listeners.get('message') ?? []) {
        l({
          source: self,
          data: { tag: MAIN_WORLD_PORT_TAG, token: mainConfig.token },
          ports: [port1],
          stopImmediatePropagation: () => undefined,
        });
      }
      await set;
      expect(await chrome.storage.local.get('greeting')).to.deep.equal({ greeting: 'hello' });
      for (const l of listeners.get('load') ?? []) l({});
      // onLaunched comes after onInstalled, once the host answered why the app starts.
      await launched;
      expect(events).to.deep.equal(['installed install', 'launched command_line']);
      // runtime.connect through the host: alone, the page's port hears that nobody receives.
      const port = chrome.runtime.connect({ name: 'alone' });
      expect(port.name).to.equal('alone');
      const lastError = await new Promise<string | undefined>((resolve) =>
        port.onDisconnect.addListener(() => resolve(chrome.runtime.lastError?.message)),
      );
      expect(lastError).to.equal('Could not establish connection. Receiving end does not exist.');
      expect(() => port.postMessage('x')).to.throw('Attempting to use a disconnected port object');
      expect(errors).to.deep.equal([]);
    } finally {
      await host.dispose();
      port1.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
