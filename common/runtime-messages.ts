/**
 * chrome.runtime messaging's size bound, Chromium's `kMaxMessageLength`
 * (extensions/renderer/api/messaging/messaging_util.cc): a message whose JSON text is longer is
 * refused in the sending page, for sendMessage, a sendResponse and Port.postMessage alike. The
 * host checks it again, since a page is untrusted.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const MESSAGE_TOO_LONG = 'Message length exceeded maximum allowed length.';
/** No page of the app listens (sendMessage, connect), or the target is another extension. */
export const NO_RECEIVER = 'Could not establish connection. Receiving end does not exist.';

const encoder = new TextEncoder();

/** A message's JSON text as UTF-8 bytes for the wire, with Chrome's error past the bound. */
export function encodeMessage(text: string): ArrayBuffer {
  const bytes = encoder.encode(text);
  if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new Error(MESSAGE_TOO_LONG);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
