import { activeBackend } from './backend/select.js';
import { G1, type G1Point, type G2Point } from './curve.js';
import { g1ToSolidity, g2ToSolidity } from './encoding.js';
import type { BlsKeyPair } from './keypair.js';
import { pairingProductIsOne } from './pairing.js';
import { hashWordsToScalar } from './signature-checker.js';

/** `IBLSApkRegistry.PubkeyRegistrationParams` (points as noble points; encode with g1ToSolidity/g2ToSolidity). */
export interface PubkeyRegistrationParams {
  pubkeyRegistrationSignature: G1Point;
  pubkeyG1: G1Point;
  pubkeyG2: G2Point;
}

/**
 * Builds the registration parameters: the key pair's G1 and G2 keys and its
 * signature of the registry's message point (sk * messagePoint).
 * @param keyPair - the operator's BLS key pair.
 * @param messagePoint - `RegistryCoordinator.pubkeyRegistrationMessageHash(operator)`: a G1 point
 *   (on-chain it is hashToG1 of the EIP-712 digest of (PUBKEY_REGISTRATION_TYPEHASH, operator)).
 */
export function makePubkeyRegistrationParams(
  keyPair: BlsKeyPair,
  messagePoint: G1Point,
): PubkeyRegistrationParams {
  return {
    pubkeyRegistrationSignature: keyPair.signPoint(messagePoint),
    pubkeyG1: keyPair.publicKeyG1,
    pubkeyG2: keyPair.publicKeyG2,
  };
}

/**
 * The registry's proof-of-possession check (BLSApkRegistry.registerBLSPublicKey):
 * gamma = keccak256(sig.X, sig.Y, pkG1.X, pkG1.Y, pkG2.X[0..1], pkG2.Y[0..1], msg.X, msg.Y) mod r;
 * e(sig + gamma*pkG1, -G2) * e(msg + gamma*G1, pkG2) == 1. It shows the signer
 * knows the secret and that the G1 and G2 keys share it (which blocks rogue-key
 * attacks on aggregates). Zero keys are refused, as the registry refuses them.
 * @returns true if the proof holds.
 */
export function verifyProofOfPossession(params: PubkeyRegistrationParams, messagePoint: G1Point): boolean {
  const { pubkeyRegistrationSignature: sig, pubkeyG1, pubkeyG2 } = params;
  if (pubkeyG1.is0() || pubkeyG2.is0()) return false;
  const s = g1ToSolidity(sig);
  const k1 = g1ToSolidity(pubkeyG1);
  const k2 = g2ToSolidity(pubkeyG2);
  const m = g1ToSolidity(messagePoint);
  const gamma = hashWordsToScalar([s.X, s.Y, k1.X, k1.Y, k2.X[0], k2.X[1], k2.Y[0], k2.Y[1], m.X, m.Y]);
  const b = activeBackend();
  return pairingProductIsOne([
    [sig.add(b.g1Mul(pubkeyG1, gamma)), 'negG2'],
    [messagePoint.add(b.g1Mul(G1.BASE, gamma)), pubkeyG2],
  ]);
}

/**
 * Whether a G1 and a G2 key share one secret: e(pkG1, -G2) * e(G1, pkG2) == 1.
 * (eigensdk's CheckG1AndG2DiscreteLogEquality.) Zero keys return false.
 */
export function publicKeysMatch(publicKeyG1: G1Point, publicKeyG2: G2Point): boolean {
  if (publicKeyG1.is0() || publicKeyG2.is0()) return false;
  return pairingProductIsOne([
    [publicKeyG1, 'negG2'],
    [G1.BASE, publicKeyG2],
  ]);
}
