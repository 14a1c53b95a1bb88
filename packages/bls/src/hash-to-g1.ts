import { bn254 } from '@noble/curves/bn254.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { FP_MODULUS, type G1Point } from './curve.js';
import { type Digest, digestToBytes } from './digest.js';

const Fp = bn254.fields.Fp;
// (p + 1) / 4: p = 3 mod 4, so beta^((p+1)/4) is a square root of beta when one exists.
const SQRT_EXPONENT = (FP_MODULUS + 1n) / 4n;

/**
 * EigenLayer's hash-to-G1 (BN254.hashToG1 in eigenlayer-middleware, MapToCurve
 * in eigensdk-go): try-and-increment. x = uint256(digest) mod p; while x^3 + 3
 * is not a square, x = x + 1. The y returned is beta^((p+1)/4) as computed,
 * never normalised to the smaller root: the contracts do not normalise either.
 *
 * Not a constant-time or indifferentiable hash (it is not RFC 9380); it is
 * what the on-chain verifier computes, which is what matters for interop.
 * @param digest - 32-byte message digest (e.g. keccak256 of the ABI-encoded response).
 * @returns The G1 point H(digest).
 * @throws InvalidEncodingError if the digest is not 32 bytes.
 */
export function hashToG1(digest: Digest): G1Point {
  let x = Fp.create(bytesToNumberBE(digestToBytes(digest)));
  for (;;) {
    const beta = Fp.add(Fp.mul(Fp.sqr(x), x), 3n);
    const y = Fp.pow(beta, SQRT_EXPONENT);
    if (Fp.eql(Fp.sqr(y), beta)) return bn254.G1.Point.fromAffine({ x, y });
    x = Fp.add(x, 1n);
  }
}
