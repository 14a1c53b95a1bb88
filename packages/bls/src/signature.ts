import { bn254 } from '@noble/curves/bn254.js';
import type { G1Point, G2Point } from './curve.js';
import type { Digest } from './digest.js';
import { toG1Point } from './encoding.js';
import { hashToG1 } from './hash-to-g1.js';
import { pairingProductIsOne } from './pairing.js';

/**
 * Verifies one signature: e(sigma, G2) == e(hashToG1(digest), pkG2), checked as
 * e(sigma, -G2) * e(H, pkG2) == 1 with one final exponentiation.
 * Returns false (never throws) for a wrong signature, including a zero
 * signature or a zero key; throws only for a malformed digest.
 * @param digest - 32-byte digest that was signed.
 * @param signature - G1 signature (already decoded and validated).
 * @param publicKeyG2 - signer's G2 key (already decoded and validated).
 * @throws InvalidEncodingError if the digest is not 32 bytes; InvalidPointError if the signature is not on the curve.
 */
export function verify(digest: Digest, signature: G1Point, publicKeyG2: G2Point): boolean {
  const h = hashToG1(digest);
  if (signature.is0() || publicKeyG2.is0()) return false;
  // Cheap for G1 (cofactor 1: on-curve is enough); G2 keys are validated when decoded.
  toG1Point(signature);
  return pairingProductIsOne([
    [signature, 'negG2'],
    [h, publicKeyG2],
  ]);
}

/** Sum of G1 signatures (infinity for an empty list). */
export function aggregateSignatures(signatures: Iterable<G1Point>): G1Point {
  let acc = bn254.G1.Point.ZERO;
  for (const s of signatures) acc = acc.add(s);
  return acc;
}

/** Sum of G1 public keys (infinity for an empty list). */
export function aggregatePublicKeysG1(keys: Iterable<G1Point>): G1Point {
  let acc = bn254.G1.Point.ZERO;
  for (const k of keys) acc = acc.add(k);
  return acc;
}

/** Sum of G2 public keys (infinity for an empty list). */
export function aggregatePublicKeysG2(keys: Iterable<G2Point>): G2Point {
  let acc = bn254.G2.Point.ZERO;
  for (const k of keys) acc = acc.add(k);
  return acc;
}
