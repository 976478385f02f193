/**
 * Chrome's extension and app ids (`crx_file::id_util::GenerateId`): the SHA-256 of the input,
 * its first 16 bytes written as 32 hex digits, each digit 0–f mapped to a letter a–p.
 */
import { createHash } from 'node:crypto';

/** A valid id: 32 letters a–p (`crx_file::id_util::IdIsValid`). */
export const APP_ID_PATTERN = /^[a-p]{32}$/;

/** The id Chrome derives from `input` (a string is hashed as its UTF-8 bytes). */
export function chromeAppId(input: string | Uint8Array): string {
  const hex = createHash('sha256').update(input).digest('hex').slice(0, 32);
  let id = '';
  for (const digit of hex) id += String.fromCharCode(97 + parseInt(digit, 16));
  return id;
}

/** Whether `id` is in Chrome's id format. */
export function isChromeAppId(id: unknown): id is string {
  return typeof id === 'string' && APP_ID_PATTERN.test(id);
}
