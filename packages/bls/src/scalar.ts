import { bytesToNumberBE } from '@noble/curves/utils.js';
import { FR_MODULUS } from './curve.js';
import { InvalidScalarError } from './errors.js';

/** A secret key: a bigint, a decimal string, a 0x-prefixed hex string, or 32 big-endian bytes. */
export type SecretKeyInput = bigint | string | Uint8Array;

const DECIMAL = /^[0-9]{1,78}$/;
const HEX = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * Parses a secret key and checks 1 <= sk < r. Out-of-range values are refused
 * rather than reduced, so a typo never silently becomes another key.
 * @throws InvalidScalarError.
 */
export function parseSecretKey(input: SecretKeyInput): bigint {
  let sk: bigint;
  if (typeof input === 'bigint') sk = input;
  else if (typeof input === 'string') {
    const s = input.trim();
    if (DECIMAL.test(s) || HEX.test(s)) sk = BigInt(s);
    else
      throw new InvalidScalarError(
        'secret key: expected a decimal string or 0x-prefixed hex of at most 32 bytes',
      );
  } else if (input instanceof Uint8Array) {
    if (input.length !== 32)
      throw new InvalidScalarError(`secret key: expected 32 bytes, got ${input.length}`);
    sk = bytesToNumberBE(input);
  } else {
    throw new InvalidScalarError(`secret key: expected a bigint, string or Uint8Array, got ${typeof input}`);
  }
  if (sk <= 0n || sk >= FR_MODULUS) {
    throw new InvalidScalarError('secret key: must be in [1, r-1] where r is the BN254 group order');
  }
  return sk;
}
