/**
 * `npm start`: the socket debugging window, as an Electron app built on the package itself.
 * The window runs with the settings the package is made for (context isolation, sandbox, no
 * Node) and gets chrome.sockets from the prebuilt preload. It loads the debugging window page
 * (dist/renderer/index.html), which `npm start` and `npm run dist` always build first.
 */
import { app, BrowserWindow, ipcMain, Menu } from 'electron';
import path from 'node:path';
import { ElectronSocketsHost as SocketsHost } from '../main/electron/electron-host';
import { serveInspection, serveTap } from '../main/electron/inspect-ipc';
import { ALLOW_ALL_SOCKETS } from '../main/permissions';
import { debuggingMenuTemplate } from './menu';

const root = path.resolve(__dirname, '../..');
// The package's preload plus the Inspector feed (app/preload.ts).
const preload = path.join(root, 'dist/app/preload.bundle.js');
const debuggingWindow = path.join(root, 'dist/renderer/index.html');

const host = new SocketsHost();
const debuggingWindows = new Set<Electron.WebContents>();
serveInspection(ipcMain, host, (sender) => debuggingWindows.has(sender as Electron.WebContents));
serveTap(ipcMain, host, (sender) => debuggingWindows.has(sender as Electron.WebContents));

const DEBUGGER_APP = 'socket-debugger';

function openDebuggingWindow(): void {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    // The page keeps the title current: "Socket debugger — <app> — N sockets open".
    title: 'Socket debugger',
    // Shown on Alt it would take the window's Alt shortcuts (app/menu.ts).
    autoHideMenuBar: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      // The preload reads the app name for the window title.
      additionalArguments: [`--ecs-app=${DEBUGGER_APP}`],
    },
  });
  // A debugging tool: it may connect, listen and bind anywhere, like a manifest with "" rules.
  host.attach(window.webContents, { app: DEBUGGER_APP, sockets: ALLOW_ALL_SOCKETS, background: true });
  const contents = window.webContents;
  debuggingWindows.add(contents);
  contents.once('destroyed', () => debuggingWindows.delete(contents));
  void window.loadFile(debuggingWindow);
}

app.on('window-all-closed', () => {
  void host.dispose().finally(() => app.quit());
});
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) openDebuggingWindow();
});
void app.whenReady().then(() => {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      debuggingMenuTemplate({
        newWindow: openDebuggingWindow,
        // F1 is the window's own shortcut for its help dialog; the menu item sends it there.
        shortcuts: () => BrowserWindow.getFocusedWindow()?.webContents.sendInputEvent({ type: 'keyDown', keyCode: 'F1' }),
      }) as Electron.MenuItemConstructorOptions[],
    ),
  );
  openDebuggingWindow();
});
