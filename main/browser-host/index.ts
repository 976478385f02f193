/**
 * `electron-chrome-sockets/browser-host`: serve chrome.sockets to pages in any browser.
 */
export { startBrowserHost, DEFAULT_APP, WEBSOCKET_PATH } from './server';
export type { BrowserHost, BrowserHostOptions } from './server';
export { WebSocketHostPort } from './ws-host-port';
export { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from './request-checks';
