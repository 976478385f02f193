/**
 * In a real Electron window (contextIsolation, sandbox, no Node), through the real prebuilt
 * preload: `npm run test:electron`. Needs an Electron binary; scripts/test-electron.mjs says so
 * in one line where there is none. Not part of `npm test`.
 */
import { expect } from 'chai';
import * as net from 'node:net';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';

const executablePath = process.env.ECS_ELECTRON_BINARY;

/** What the page sees; the callbacks run in the page, so only globals are used there. */
type PageChrome = any;

describe('in a real Electron window (sandbox: true, contextIsolation: true)', function () {
  this.timeout(60_000);
  let electronApp: ElectronApplication;
  let page: Page;
  let server: net.Server;
  let port: number;
  const connections = new Set<net.Socket>();

  before(async function () {
    if (!executablePath) throw new Error('ECS_ELECTRON_BINARY is not set: run this suite with npm run test:electron');
    server = net.createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    electronApp = await _electron.launch({ executablePath, args: [path.join(__dirname, 'fixture-main.js')] });
    page = await electronApp.firstWindow();
    await page.waitForFunction(() => typeof (globalThis as PageChrome).chrome?.sockets?.tcp?.create === 'function');
  });

  after(async () => {
    await electronApp?.close();
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('gives the page no Node and a main-world chrome.sockets', async () => {
    const seen = await page.evaluate(() => ({
      require: typeof (globalThis as PageChrome).require,
      process: typeof (globalThis as PageChrome).process,
      namespaces: Object.keys((globalThis as PageChrome).chrome.sockets).sort(),
    }));
    expect(seen).to.deep.equal({ require: 'undefined', process: 'undefined', namespaces: ['tcp', 'tcpServer', 'udp'] });
  });

  it('echoes over TCP, with callbacks and chrome.runtime.lastError as in Chrome', async () => {
    const result = await page.evaluate(
      (echoPort) =>
        new Promise<{ text: string; identity: boolean; lastError: string | undefined }>((resolve) => {
          const chrome = (globalThis as PageChrome).chrome;
          chrome.sockets.tcp.create({}, ({ socketId }: { socketId: number }) => {
            const onReceive = (info: { socketId: number; data: ArrayBuffer }) => {
              if (info.socketId !== socketId) return;
              chrome.sockets.tcp.onReceive.removeListener(onReceive);
              const identity = !chrome.sockets.tcp.onReceive.hasListener(onReceive);
              chrome.sockets.tcp.getInfo(987654, () => {
                resolve({ text: new TextDecoder().decode(info.data), identity, lastError: chrome.runtime.lastError?.message });
              });
            };
            chrome.sockets.tcp.onReceive.addListener(onReceive);
            chrome.sockets.tcp.connect(socketId, '127.0.0.1', echoPort, () => {
              chrome.sockets.tcp.send(socketId, new TextEncoder().encode('through the real preload'), () => undefined);
            });
          });
        }),
      port,
    );
    expect(result).to.deep.equal({ text: 'through the real preload', identity: true, lastError: 'Socket not found' });
  });

  it('keeps a persistent socket across a reload, where the new page finds it with getSockets', async () => {
    const socketId = await page.evaluate(async (echoPort) => {
      const tcp = (globalThis as PageChrome).chrome.sockets.tcp;
      const { socketId } = await tcp.create({ persistent: true, name: 'kept' });
      await tcp.connect(socketId, '127.0.0.1', echoPort);
      return socketId as number;
    }, port);
    await page.reload();
    await page.waitForFunction(() => typeof (globalThis as PageChrome).chrome?.sockets?.tcp?.getSockets === 'function');
    const sockets = await page.evaluate(async () => (globalThis as PageChrome).chrome.sockets.tcp.getSockets());
    expect(sockets.map((s: { socketId: number; name: string }) => [s.socketId, s.name])).to.deep.equal([[socketId, 'kept']]);
  });
});
