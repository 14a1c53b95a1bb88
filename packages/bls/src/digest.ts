import { hexToBytes } from '@noble/hashes/utils.js';
import { InvalidEncodingError } from './errors.js';

/** A 32-byte message digest: bytes, or a 0x-prefixed hex string of 64 hex digits. */
export type Digest = Uint8Array | `0x${string}`;

const HEX_32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * Normalises a digest to 32 bytes.
 * @throws InvalidEncodingError if it is not exactly 32 bytes / 64 hex digits.
 */
export function digestToBytes(digest: Digest): Uint8Array {
  if (typeof digest === 'string') {
    if (!HEX_32.test(digest)) {
      throw new InvalidEncodingError(
        `expected a digest as 0x followed by 64 hex digits, got ${JSON.stringify(digest.slice(0, 80))}`,
      );
    }
    return hexToBytes(digest.slice(2));
  }
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    const what = digest instanceof Uint8Array ? `${digest.length} bytes` : typeof digest;
    throw new InvalidEncodingError(`expected a 32-byte digest, got ${what}`);
  }
  return digest;
}

/** The digest as a lowercase 0x-prefixed hex string (a stable map key). */
export function digestToHex(digest: Digest): `0x${string}` {
  const bytes = digestToBytes(digest);
  let hex = '0x';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex as `0x${string}`;
}
