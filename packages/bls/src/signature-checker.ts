import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { activeBackend } from './backend/select.js';
import { FR_MODULUS, G1, type G1Point, type G2Point } from './curve.js';
import { type Digest, digestToBytes } from './digest.js';
import { g1ToSolidity, g2ToSolidity } from './encoding.js';
import { hashToG1 } from './hash-to-g1.js';

/** Result of {@link trySignatureAndApkVerification}, as the on-chain function returns it. */
export interface SignatureCheckResult {
  /** False when the pairing precompile would fail: an input is not a valid point. */
  pairingSuccessful: boolean;
  /** True when the pairing equation holds. */
  signatureIsValid: boolean;
}

/** keccak256 of 32-byte big-endian words, as a uint256 mod r. */
export function hashWordsToScalar(words: readonly bigint[], prefix?: Uint8Array): bigint {
  const offset = prefix?.length ?? 0;
  const buf = new Uint8Array(offset + words.length * 32);
  if (prefix) buf.set(prefix, 0);
  for (const [i, w] of words.entries()) buf.set(numberToBytesBE(w, 32), offset + i * 32);
  return bytesToNumberBE(keccak_256(buf)) % FR_MODULUS;
}

/**
 * gamma = keccak256(abi.encodePacked(msgHash, apk.X, apk.Y, apkG2.X[0], apkG2.X[1],
 * apkG2.Y[0], apkG2.Y[1], sigma.X, sigma.Y)) mod r, as BLSSignatureChecker computes it
 * (G2 words in Solidity order, imaginary part first).
 */
export function signatureCheckerGamma(
  msgHash: Digest,
  apkG1: G1Point,
  apkG2: G2Point,
  sigma: G1Point,
): bigint {
  const a = g1ToSolidity(apkG1);
  const b = g2ToSolidity(apkG2);
  const s = g1ToSolidity(sigma);
  return hashWordsToScalar([a.X, a.Y, b.X[0], b.X[1], b.Y[0], b.Y[1], s.X, s.Y], digestToBytes(msgHash));
}

/**
 * The same check as EigenLayer's `BLSSignatureChecker.trySignatureAndApkVerification`:
 * with gamma from {@link signatureCheckerGamma},
 * e(sigma + gamma*apkG1, -G2) * e(hashToG1(msgHash) + gamma*G1, apkG2) == 1.
 * It proves both that sigma is valid for apkG2 and that apkG1 and apkG2 share a secret.
 * Points at infinity count as the EVM precompiles count them (neutral terms).
 * @returns `pairingSuccessful: false` if any point is not a valid curve/subgroup point
 *   (the precompile would fail); otherwise whether the equation holds.
 * @throws InvalidEncodingError if msgHash is not 32 bytes.
 */
export function trySignatureAndApkVerification(
  msgHash: Digest,
  apkG1: G1Point,
  apkG2: G2Point,
  sigma: G1Point,
): SignatureCheckResult {
  const h = hashToG1(msgHash);
  try {
    apkG1.assertValidity();
    sigma.assertValidity();
  } catch {
    return { pairingSuccessful: false, signatureIsValid: false };
  }
  if (!activeBackend().g2IsValid(apkG2)) return { pairingSuccessful: false, signatureIsValid: false };
  return { pairingSuccessful: true, signatureIsValid: checkWithGamma(msgHash, h, apkG1, apkG2, sigma) };
}

/** The pairing part of the check, for inputs already known to be valid points. */
export function checkWithGamma(
  msgHash: Digest,
  h: G1Point,
  apkG1: G1Point,
  apkG2: G2Point,
  sigma: G1Point,
): boolean {
  const gamma = signatureCheckerGamma(msgHash, apkG1, apkG2, sigma);
  const b = activeBackend();
  return b.pairingProductIsOne([
    [sigma.add(b.g1Mul(apkG1, gamma)), 'negG2'],
    [h.add(b.g1Mul(G1.BASE, gamma)), apkG2],
  ]);
}
