/** The browser host's URL paths, shared by the server, the page bundle and the debugging window. */
export const BROWSER_HOST_PATHS = {
  /** The WebSocket endpoint: one connection per page context. */
  websocket: '/ws',
  /** Read-only host inspection for the debugging window (token as a Bearer header). */
  inspect: '/inspect',
  /** The debugging window's tap (POST, JSON body, token as a Bearer header; main/tap.ts). */
  tap: '/tap',
  /** The page bundle as an ES module (`electron-chrome-sockets/browser`). */
  bundle: '/browser/index.mjs',
} as const;
