/**
 * Shared fixtures of the aggregation tests (not exported from the package).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  type InMemoryOperator,
  InMemoryOperatorStateProvider,
} from '../src/aggregation/memory-operator-state.js';
import type { AggregatedResult } from '../src/aggregation/types.js';
import { G1, type G1Point } from '../src/curve.js';
import { BlsKeyPair } from '../src/keypair.js';
import { trySignatureAndApkVerification } from '../src/signature-checker.js';

const keyCache = new Map<number, BlsKeyPair>();

/** Deterministic key pairs (secret 1000 + i), cached across tests (G2 keys are slow to compute). */
export function keyPair(i: number): BlsKeyPair {
  let k = keyCache.get(i);
  if (k === undefined) {
    k = BlsKeyPair.fromSecretKey(BigInt(1000 + i));
    keyCache.set(i, k);
  }
  return k;
}

/** A provider with operators 0..n-1; `stakes(i)` gives operator i's stakes per quorum. */
export function operators(
  n: number,
  stakes: (i: number) => Record<number, bigint> = () => ({ 0: 100n }),
): { provider: InMemoryOperatorStateProvider; keys: BlsKeyPair[] } {
  const keys = Array.from({ length: n }, (_, i) => keyPair(i));
  const ops: InMemoryOperator[] = keys.map((k, i) => ({
    publicKeyG1: k.publicKeyG1,
    publicKeyG2: k.publicKeyG2,
    stakes: stakes(i),
  }));
  return { provider: new InMemoryOperatorStateProvider(ops), keys };
}

export function digestOf(text: string): Uint8Array {
  return keccak_256(utf8ToBytes(text));
}

/**
 * Checks a result the way BLSSignatureChecker.checkSignatures does: apk = sum of quorum apks
 * minus each non-signer's key times the number of task quorums it is in, then the pairing check.
 */
export function verifiesOnChain(result: AggregatedResult, membership: (id: string) => number): boolean {
  let apk: G1Point = G1.ZERO;
  for (const q of result.quorumApksG1) apk = apk.add(q);
  result.nonSignerPublicKeysG1.forEach((pk, i) => {
    const k = membership(result.nonSignerOperatorIds[i] as string);
    for (let j = 0; j < k; j++) apk = apk.subtract(pk);
  });
  const r = trySignatureAndApkVerification(result.digest, apk, result.signersApkG2, result.signersAggSigG1);
  return r.pairingSuccessful && r.signatureIsValid;
}
