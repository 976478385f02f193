/**
 * The debugging window's Electron side: its preload (chrome.sockets plus the Inspector feed)
 * and the IPC that answers inspection only for the debugging window.
 */
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { serveInspection, type InspectIpcMain } from '../../main/electron/inspect-ipc';
import { SocketsHost } from '../../main/host';
import { loadBundle } from './bundle-sandbox';

const root = path.resolve(__dirname, '../../..');

/** ipcMain.handle / invoke, as Electron routes them, in miniature. */
class FakeIpcMain extends EventEmitter implements InspectIpcMain {
  private handlers = new Map<string, (event: { sender: unknown }) => unknown>();
  handle(channel: string, listener: (event: { sender: unknown }) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, sender: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender });
  }
}

describe('debugging window (Electron side)', function () {
  this.timeout(30_000);

  describe('inspection IPC', () => {
    it('answers the debugging window with the host snapshot and refuses every other webContents', async () => {
      const host = new SocketsHost({ log: () => {} });
      const ipc = new FakeIpcMain();
      const debuggerContents = { id: 1 };
      const logs: string[] = [];
      const stop = serveInspection(
        ipc,
        host,
        (sender) => sender === debuggerContents,
        (l) => logs.push(l),
      );
      const snapshot = (await ipc.invoke(ELECTRON_CHANNELS.inspect, debuggerContents)) as {
        contexts: unknown[];
        sockets: unknown[];
        takenAt: number;
      };
      expect(snapshot.contexts).to.deep.equal([]);
      expect(snapshot.sockets).to.deep.equal([]);
      expect(snapshot.takenAt).to.be.a('number');
      let refused: Error | undefined;
      await ipc.invoke(ELECTRON_CHANNELS.inspect, { id: 2 }).catch((e: Error) => (refused = e));
      expect(refused?.message).to.equal('not allowed');
      expect(logs).to.have.length(1);
      stop();
      let gone: Error | undefined;
      await ipc.invoke(ELECTRON_CHANNELS.inspect, debuggerContents).catch((e: Error) => (gone = e));
      expect(gone?.message).to.match(/No handler registered/);
      await host.dispose();
    });
  });

  describe('preload (dist/app/preload.bundle.js)', () => {
    let text: string;
    before(async () => {
      const script = pathToFileURL(path.join(root, 'scripts/build-preload.mjs')).href;
      const { buildPreload } = (await import(script)) as { buildPreload(o: { outfile: null; entry: string }): Promise<string> };
      text = await buildPreload({ outfile: null, entry: path.join(root, 'app/preload.ts') });
    });

    it('requires only electron', () => {
      const calls = [...text.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
      expect(new Set(calls)).to.deep.equal(new Set(['"electron"']));
    });

    it('installs chrome.sockets in the main world and exposes chromeSocketsInspect over the inspect channel', async () => {
      const { recorded } = loadBundle(text);
      expect(recorded.required.every((name) => name === 'electron')).to.equal(true);
      expect(recorded.executed, 'the facade installer ran in the main world').to.have.length(1);
      expect(recorded.sent.map(([channel]) => channel)).to.deep.equal([ELECTRON_CHANNELS.requestPort]);
      const inspect = recorded.exposed.get('chromeSocketsInspect') as () => Promise<unknown>;
      expect(inspect).to.be.a('function');
      expect(await inspect()).to.deep.equal({ contexts: [], sockets: [] });
      expect(recorded.invoked).to.deep.equal([ELECTRON_CHANNELS.inspect]);
    });
  });
});
