/** Hex helpers for the auth code: @noble/hashes utils, accepting and producing a 0x prefix. */
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js';

export { concatBytes, randomBytes, utf8ToBytes as utf8 } from '@noble/hashes/utils.js';

/** Lowercase 0x-prefixed hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return `0x${nobleBytesToHex(bytes)}`;
}

/** Bytes of a hex string with or without 0x. @throws Error (from @noble/hashes) on odd length or non-hex characters */
export function hexToBytes(hex: string): Uint8Array {
  return nobleHexToBytes(hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex);
}
