/**
 * `electron-chrome-sockets/browser`: the page side of the browser host. Bundled into
 * dist/browser/index.mjs (ESM) and dist/browser/electron-chrome-sockets.js (a <script> that
 * defines the global `ElectronChromeSockets`).
 */
export { connectBrowserHost, connectSocketApis, installSocketApis, openBrowserHostPort, tokenFromUrl, webSocketUrl } from './connect';
export type { ConnectOptions, FacadeOptions, SocketApis } from './connect';
export { WebSocketPagePort } from './ws-page-port';
export type { ChromeSockets } from '../preload/facade';
