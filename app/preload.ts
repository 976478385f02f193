/**
 * The debugging window's preload: chrome.sockets as every app gets it (the package's prebuilt
 * preload logic), plus `window.chromeSocketsInspect()` for its Inspector tab. Bundled by
 * scripts/build-preload.mjs into dist/app/preload.bundle.js, requiring only `electron` (sandbox: true).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ELECTRON_CHANNELS } from '../common/electron-channels';
import { exposeChromeSockets } from '../preload/electron/preload-entry';

exposeChromeSockets();
contextBridge.exposeInMainWorld('chromeSocketsInspect', () => ipcRenderer.invoke(ELECTRON_CHANNELS.inspect));
// The tap: only this window's webContents is answered (app/main.ts, main/electron/inspect-ipc.ts).
contextBridge.exposeInMainWorld('chromeSocketsTap', (request: unknown) => ipcRenderer.invoke(ELECTRON_CHANNELS.tap, request));
// What the window remembers (recent targets, sent messages, macros): a JSON file in userData.
contextBridge.exposeInMainWorld('chromeSocketsRecall', {
  load: () => ipcRenderer.invoke(ELECTRON_CHANNELS.recallLoad),
  save: (data: unknown) => ipcRenderer.invoke(ELECTRON_CHANNELS.recallSave, data),
});

// The app the window's sockets belong to, for its title (app/main.ts passes it as an argument).
const appArg = (process.argv ?? []).find((a) => a.startsWith('--ecs-app='));
if (appArg) contextBridge.exposeInMainWorld('chromeSocketsApp', appArg.slice('--ecs-app='.length));
