/**
 * chrome.runtime messaging's size bound, Chromium's `kMaxMessageLength`
 * (extensions/renderer/api/messaging/messaging_util.cc): a message whose JSON text is longer is
 * refused in the sending page, for sendMessage, a sendResponse and Port.postMessage alike. The
 * host checks it again, since a page is untrusted.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const MESSAGE_TOO_LONG = 'Message length exceeded maximum allowed length.';
