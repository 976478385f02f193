import { createHash } from 'node:crypto';

/** Chrome's extension id (crx_file::id_util::GenerateId): SHA-256 of the input, the first 16 bytes as 32 letters a–p. */
export function chromeAppId(input: string | Uint8Array): string {
  const hex = createHash('sha256').update(input).digest('hex').slice(0, 32);
  let id = '';
  for (const digit of hex) id += String.fromCharCode(97 + parseInt(digit, 16));
  return id;
}
