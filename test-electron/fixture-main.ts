/**
 * The Electron app the real-Electron suite launches: one window with the prebuilt preload and
 * the settings the package is made for, attached to a SocketsHost.
 */
import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { ElectronSocketsHost as SocketsHost } from '../main/electron/electron-host';

const root = path.resolve(__dirname, '../..');
const host = new SocketsHost();

void app.whenReady().then(() => {
  const window = new BrowserWindow({
    show: false,
    webPreferences: {
      preload: require.resolve('electron-chrome-sockets/preload'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  host.attach(window.webContents, { app: 'e2e', sockets: { tcp: { connect: '127.0.0.1' } }, background: true });
  void window.loadFile(path.join(root, 'test-electron/page.html'));
});

app.on('window-all-closed', () => {
  void host.dispose().finally(() => app.quit());
});
