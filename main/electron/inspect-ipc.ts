/**
 * Serves `SocketsHost.inspect()` to the debugging window over IPC. Only the webContents the app
 * names may ask: the snapshot shows every app's sockets, which no other page may see.
 */
import { ELECTRON_CHANNELS } from '../../common/electron-channels';
import type { HostSnapshot } from '../host';
import { encodeTapAnswer, type SocketTap } from '../tap';

/** `ipcMain`, as far as this uses it (Electron's handle/removeHandler). */
export interface InspectIpcMain {
  handle(channel: string, listener: (event: { sender: unknown }, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Answers inspection requests from `isAllowed(sender)` webContents; returns the function that
 * stops answering. A request from any other webContents is refused (the invoke rejects) and logged.
 */
export function serveInspection(
  ipcMain: InspectIpcMain,
  host: { inspect(): HostSnapshot },
  isAllowed: (sender: unknown) => boolean,
  log: (line: string) => void = (line) => console.warn(`[electron-chrome-sockets] ${line}`),
): () => void {
  ipcMain.handle(ELECTRON_CHANNELS.inspect, (event) => {
    if (!isAllowed(event.sender)) {
      log('refused an inspection request from a webContents that is not the debugging window');
      throw new Error('not allowed');
    }
    return { ...host.inspect(), takenAt: Date.now() };
  });
  return () => ipcMain.removeHandler(ELECTRON_CHANNELS.inspect);
}

/**
 * Answers the window's tap requests (watch, read, unwatch a socket of any app) for
 * `isAllowed(sender)` webContents only; every other sender is refused and logged, as for
 * inspection. Returns the function that stops answering.
 */
export function serveTap(
  ipcMain: InspectIpcMain,
  host: { tap: Pick<SocketTap, 'handle'> },
  isAllowed: (sender: unknown) => boolean,
  log: (line: string) => void = (line) => console.warn(`[electron-chrome-sockets] ${line}`),
): () => void {
  ipcMain.handle(ELECTRON_CHANNELS.tap, (event, request) => {
    if (!isAllowed(event.sender)) {
      log('refused a tap request from a webContents that is not the debugging window');
      throw new Error('not allowed');
    }
    return encodeTapAnswer(host.tap.handle(request));
  });
  return () => ipcMain.removeHandler(ELECTRON_CHANNELS.tap);
}
