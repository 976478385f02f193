/**
 * The host as the package exports it for Electron: the core (main/host.ts) plus `attach`, which
 * serves a webContents' pages through the glue. The glue depends on the core, not the reverse.
 */
import { SocketsHost } from '../host';
import type { AttachOptions } from '../types';
import { attachWebContents, type AttachedWebContents, type ElectronGlueDeps } from './attach-web-contents';
import type { WebContentsLike } from './electron-types';

export class ElectronSocketsHost extends SocketsHost {
  /**
   * Serves chrome.sockets to the pages of an Electron `webContents` (whose window loads the
   * package's preload) as contexts of `options.app`: every page load gets a fresh
   * MessageChannelMain and context, ended by navigation, reload, crash or destroy.
   * `electron` is for tests; by default `MessageChannelMain` and `ipcMain` come from 'electron'.
   */
  attach(webContents: WebContentsLike, options: AttachOptions, electron?: ElectronGlueDeps): AttachedWebContents {
    return attachWebContents(this, webContents, options, { log: this.log, ...electron });
  }
}
