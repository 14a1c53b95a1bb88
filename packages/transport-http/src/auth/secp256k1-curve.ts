/**
 * secp256k1, built on first use instead of at module load.
 *
 * `@noble/curves/secp256k1.js` builds its curve when the module is evaluated,
 * and building one probes the random source (`crypto.getRandomValues`) for
 * scalar blinding. Cloudflare Workers have refused random values at module top
 * level; where a probe fails, noble also turns blinding off for good. So this
 * package never imports that module: it builds the same curve from noble's
 * abstract parts the first time a key operation needs it (inside a request or
 * a call, where random values are allowed), and loading the package touches no
 * I/O and no randomness. `secp256k1-curve.test.ts` checks it agrees with
 * noble's own secp256k1.
 */

import { Field } from '@noble/curves/abstract/modular.js';
import { type ECDSA, ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** The curve's public parameters (SEC 2, section 2.4.1). */
const PARAMS = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
  n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  h: 1n,
  a: 0n,
  b: 7n,
  Gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
  Gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
} as const;

/**
 * The GLV endomorphism (beta, and the lattice basis that splits a scalar in
 * two halves), which makes multiplication about twice as fast.
 */
const ENDO = {
  beta: 0x7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501een,
  basises: [
    [0x3086d221a7d46bcde86c90e49284eb15n, -0xe4437ed6010e88286f547fa90abfe4c3n],
    [0x114ca50f7a8e2f3f657c1108d9d44cfd8n, 0x3086d221a7d46bcde86c90e49284eb15n],
  ],
} as const;

let curve: ECDSA | undefined;

/** The secp256k1 ECDSA/ECDH API (noble's), built on the first call. */
export function secp256k1(): ECDSA {
  curve ??= ecdsa(
    weierstrass(PARAMS, {
      Fp: Field(PARAMS.p),
      endo: { beta: ENDO.beta, basises: [[...ENDO.basises[0]], [...ENDO.basises[1]]] },
    }),
    sha256,
  );
  return curve;
}
