/**
 * The Electron debugging window's memory (common/window-recall.ts) as a JSON file in the app's
 * userData folder, over IPC answered only for the window's own webContents (as inspection and
 * the tap). What is read or written goes through `sanitiseRecall`, and the file is replaced
 * whole (written beside it, then renamed), one save at a time.
 */
import { promises as fs } from 'node:fs';
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import { RECALL_LIMITS, sanitiseRecall, type RecallData } from '../../common/window-recall';
import type { InspectIpcMain } from './inspect-ipc';

export function serveRecall(
  ipcMain: InspectIpcMain,
  file: string,
  isAllowed: (sender: unknown) => boolean,
  log: (line: string) => void = (line) => console.warn(`[electron-chrome-sockets] ${line}`),
): () => void {
  let saving: Promise<unknown> = Promise.resolve();
  const guard = (sender: unknown): void => {
    if (isAllowed(sender)) return;
    log('refused a recall request from a webContents that is not the debugging window');
    throw new Error('not allowed');
  };
  ipcMain.handle(ELECTRON_CHANNELS.recallLoad, async (event): Promise<RecallData | undefined> => {
    guard(event.sender);
    try {
      const stat = await fs.stat(file);
      if (stat.size > RECALL_LIMITS.fileBytes) return undefined;
      return sanitiseRecall(JSON.parse(await fs.readFile(file, 'utf8')));
    } catch {
      // No file yet, or a damaged one: start empty.
      return undefined;
    }
  });
  ipcMain.handle(ELECTRON_CHANNELS.recallSave, (event, data) => {
    guard(event.sender);
    const json = JSON.stringify(sanitiseRecall(data));
    if (json.length > RECALL_LIMITS.fileBytes) throw new Error('recall data too large');
    const write = async (): Promise<void> => {
      await fs.writeFile(`${file}.tmp`, json, 'utf8');
      await fs.rename(`${file}.tmp`, file);
    };
    saving = saving.then(write, write);
    return saving;
  });
  return () => {
    ipcMain.removeHandler(ELECTRON_CHANNELS.recallLoad);
    ipcMain.removeHandler(ELECTRON_CHANNELS.recallSave);
  };
}
