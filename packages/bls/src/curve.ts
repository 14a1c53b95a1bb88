/**
 * BN254 (alt_bn128) as EigenLayer uses it, on top of `@noble/curves`.
 *
 * Interop notes: noble stores an Fp2 element `a*i + b` as `{ c0: b, c1: a }`;
 * Solidity (EIP-197) writes it `[a, b]` (imaginary part first). Points here are
 * noble points; see `encoding.ts` for the Solidity and JSON forms.
 * @module
 */

import type { Fp2 } from '@noble/curves/abstract/tower.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bn254 } from '@noble/curves/bn254.js';

/** A G1 point (signatures, G1 public keys, message points). */
export type G1Point = WeierstrassPoint<bigint>;
/** A G2 point (G2 public keys). */
export type G2Point = WeierstrassPoint<Fp2>;

/** Base field modulus p. */
export const FP_MODULUS: bigint = bn254.fields.Fp.ORDER;
/** Group order r (the scalar field modulus). */
export const FR_MODULUS: bigint = bn254.fields.Fr.ORDER;

/** G1 point constructor (noble). */
export const G1: typeof bn254.G1.Point = bn254.G1.Point;
/** G2 point constructor (noble). */
export const G2: typeof bn254.G2.Point = bn254.G2.Point;

/** The noble bn254 bundle, for callers who need raw pairings. */
export const curve: typeof bn254 = bn254;

/** True if `p` is a G1 point object of this curve. */
export function isG1Point(p: unknown): p is G1Point {
  return p instanceof bn254.G1.Point;
}

/** True if `p` is a G2 point object of this curve. */
export function isG2Point(p: unknown): p is G2Point {
  return p instanceof bn254.G2.Point;
}
