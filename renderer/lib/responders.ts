/**
 * Match-and-reply responders: per socket, when received data matches (text, hex bytes or a
 * regular expression), the window sends a fixed reply back (to the datagram's sender for UDP).
 * Each fires a bounded number of times, so two responders answering each other stop by
 * themselves; a socket holds a bounded number of them.
 */
import { parseEscapedText, parseHex } from './bytes';

export type MatchKind = 'text' | 'hex' | 'regex';

/** Bounds (README "Limits"). */
export const RESPONDER_LIMITS = Object.freeze({ perSocket: 16, maxReplies: 1000, defaultReplies: 100 });

export interface Responder {
  readonly id: number;
  readonly match: MatchKind;
  readonly pattern: string;
  readonly reply: Uint8Array;
  /** The reply as typed, for the list. */
  readonly replyText: string;
  readonly limit: number;
  fired: number;
  test(bytes: Uint8Array): boolean;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return -1;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * A responder, or why not: `text` matches those bytes (with `\r\n`-style escapes) anywhere in a
 * received chunk, `hex` those bytes, `regex` a JavaScript regular expression over the chunk
 * decoded as UTF-8. The reply is text with escapes or hex, as `replyMode` says.
 */
export function makeResponder(
  id: number,
  match: MatchKind,
  pattern: string,
  replyMode: 'text' | 'hex',
  replyText: string,
  limit: number = RESPONDER_LIMITS.defaultReplies,
): Responder | string {
  if (pattern === '') return 'Enter what to match';
  if (!Number.isInteger(limit) || limit < 1 || limit > RESPONDER_LIMITS.maxReplies) {
    return `Replies must be a whole number from 1 to ${RESPONDER_LIMITS.maxReplies}`;
  }
  const reply = replyMode === 'hex' ? parseHex(replyText) : parseEscapedText(replyText);
  if (!reply.ok) return `reply: ${reply.error}`;
  if (reply.bytes.length === 0) return 'Enter a reply';
  let test: (bytes: Uint8Array) => boolean;
  if (match === 'regex') {
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch (error) {
      return `regex: ${error instanceof Error ? error.message : String(error)}`;
    }
    const decoder = new TextDecoder('utf-8', { fatal: false });
    test = (bytes) => re.test(decoder.decode(bytes));
  } else {
    const needle = match === 'hex' ? parseHex(pattern) : parseEscapedText(pattern);
    if (!needle.ok) return `match: ${needle.error}`;
    if (needle.bytes.length === 0) return 'Enter what to match';
    test = (bytes) => indexOfBytes(bytes, needle.bytes) >= 0;
  }
  return { id, match, pattern, reply: reply.bytes, replyText, limit, fired: 0, test };
}
