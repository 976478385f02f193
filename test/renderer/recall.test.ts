/** The window's memory: its bounds and rules (renderer/lib/recall.ts) and the Electron file (main/electron/recall-ipc.ts). */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { RECALL_LIMITS, sanitiseRecall, type RecallData } from '../../common/window-recall';
import { serveRecall } from '../../main/electron/recall-ipc';
import { Recall } from '../../renderer/lib/recall';

describe('the window remembers (recent targets, sent messages, macros)', () => {
  describe('#sanitiseRecall', () => {
    it('keeps well-formed entries, the newest within each bound, and drops everything else', () => {
      const many = Array.from({ length: RECALL_LIMITS.messages + 5 }, (_, i) => ({ mode: 'text', text: `m${i}` }));
      const clean = sanitiseRecall({
        targets: [{ host: '127.0.0.1', port: 7, tls: true, extra: 1 }, { host: '', port: 7 }, { host: 'x', port: 70000 }, null],
        messages: [...many, { mode: 'bin', text: 'x' }, { mode: 'hex', text: 'a'.repeat(RECALL_LIMITS.textChars + 1) }],
        macros: [
          { name: 'hello', mode: 'text', text: 'hi\\r\\n' },
          { name: ' ', mode: 'text', text: 'x' },
        ],
        other: 'dropped',
      });
      expect(clean.targets).to.deep.equal([{ host: '127.0.0.1', port: 7, tls: true }]);
      expect(clean.messages).to.have.length(RECALL_LIMITS.messages);
      expect(clean.messages.at(-1)).to.deep.equal({ mode: 'text', text: `m${RECALL_LIMITS.messages + 4}` });
      expect(clean.macros).to.deep.equal([{ name: 'hello', mode: 'text', text: 'hi\\r\\n' }]);
      expect(sanitiseRecall('garbage')).to.deep.equal({ targets: [], messages: [], macros: [] });
    });
  });

  describe('Recall', () => {
    it('moves a repeated target or message to the end, replaces a macro of the same name, and saves each change', async () => {
      const saved: RecallData[] = [];
      const recall = new Recall({
        load: () => Promise.resolve({ messages: [{ mode: 'text', text: 'old' }] }),
        save: (d) => Promise.resolve(saved.push(d)),
      });
      await recall.load();
      expect(recall.messages('text')).to.deep.equal(['old']);
      recall.addMessage({ mode: 'text', text: 'new' });
      recall.addMessage({ mode: 'text', text: 'old' });
      recall.addMessage({ mode: 'hex', text: 'de ad' });
      expect(recall.messages('text')).to.deep.equal(['new', 'old']);
      expect(recall.messages('hex')).to.deep.equal(['de ad']);
      recall.addTarget({ host: 'a', port: 1 });
      recall.addTarget({ host: 'b', port: 2, tls: true });
      recall.addTarget({ host: 'a', port: 1 });
      expect(recall.data.targets).to.deep.equal([
        { host: 'b', port: 2, tls: true },
        { host: 'a', port: 1 },
      ]);
      expect(recall.setMacro({ name: 'greet', mode: 'text', text: 'hi' })).to.equal(undefined);
      expect(recall.setMacro({ name: 'greet', mode: 'hex', text: '68 69' })).to.equal(undefined);
      expect(recall.data.macros).to.deep.equal([{ name: 'greet', mode: 'hex', text: '68 69' }]);
      expect(recall.setMacro({ name: '', mode: 'text', text: 'x' })).to.equal('Give the macro a name');
      recall.removeMacro('greet');
      expect(recall.data.macros).to.deep.equal([]);
      expect(saved).to.have.length(9);
      expect(saved.at(-1)).to.deep.equal(recall.data);
    });

    it('refuses a macro past the bound', () => {
      const recall = new Recall();
      for (let i = 0; i < RECALL_LIMITS.macros; i++)
        expect(recall.setMacro({ name: `m${i}`, mode: 'text', text: 'x' })).to.equal(undefined);
      expect(recall.setMacro({ name: 'one more', mode: 'text', text: 'x' })).to.equal(
        `At most ${RECALL_LIMITS.macros} macros: delete one first`,
      );
      // Replacing an existing one is still allowed.
      expect(recall.setMacro({ name: 'm0', mode: 'text', text: 'y' })).to.equal(undefined);
    });
  });

  describe('Electron: serveRecall', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecs-recall-'));
    });
    afterEach(() => fs.rm(dir, { recursive: true, force: true }));

    function fakeIpc() {
      const handlers = new Map<string, (event: { sender: unknown }, ...args: unknown[]) => unknown>();
      return {
        handlers,
        handle: (channel: string, fn: (event: { sender: unknown }, ...args: unknown[]) => unknown) => void handlers.set(channel, fn),
        removeHandler: (channel: string) => void handlers.delete(channel),
      };
    }

    it('keeps the window memory in a JSON file, for the debugging window only, and survives a damaged file', async () => {
      const file = path.join(dir, 'debugger-recall.json');
      const ipc = fakeIpc();
      const window = {};
      const refused: string[] = [];
      const stop = serveRecall(
        ipc,
        file,
        (s) => s === window,
        (l) => refused.push(l),
      );
      const load = ipc.handlers.get(ELECTRON_CHANNELS.recallLoad)!;
      const save = ipc.handlers.get(ELECTRON_CHANNELS.recallSave)!;
      expect(await load({ sender: window })).to.equal(undefined);
      await save({ sender: window }, { targets: [{ host: '127.0.0.1', port: 7 }], messages: [], macros: [], junk: 'x' });
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).to.deep.equal({
        targets: [{ host: '127.0.0.1', port: 7 }],
        messages: [],
        macros: [],
      });
      expect(await load({ sender: window })).to.deep.equal({ targets: [{ host: '127.0.0.1', port: 7 }], messages: [], macros: [] });
      const refusal = async (call: () => unknown): Promise<string> => {
        try {
          await call();
          return 'answered';
        } catch (error) {
          return (error as Error).message;
        }
      };
      expect(await refusal(() => load({ sender: {} }))).to.equal('not allowed');
      expect(await refusal(() => save({ sender: {} }, {}))).to.equal('not allowed');
      expect(refused).to.have.length(2);
      await fs.writeFile(file, '{ not json');
      expect(await load({ sender: window })).to.equal(undefined);
      stop();
      expect(ipc.handlers.size).to.equal(0);
    });
  });
});
