/**
 * Aggregate-first signature verification. One pairing check for a whole
 * digest's aggregate; several digests' aggregates in one check with a random
 * linear combination; and only when a check fails, bisection to find the bad
 * signatures. A valid aggregate costs 2 Miller loops and 1 final exponentiation,
 * however many signatures it holds.
 * @module
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { activeBackend } from '../backend/select.js';
import type { G1Point, G2Point } from '../curve.js';
import { G1 } from '../curve.js';
import { pairingProductIsOne } from '../pairing.js';
import { aggregatePublicKeysG2, aggregateSignatures } from '../signature.js';

/** One aggregate to check: e(signature, G2) == e(h, apkG2). */
export interface AggregateClaim {
  /** hashToG1 of the digest. */
  h: G1Point;
  signature: G1Point;
  apkG2: G2Point;
}

/** One signature with its signer's key. */
export interface SignedEntry {
  signature: G1Point;
  publicKeyG2: G2Point;
}

/** e(signature, -G2) * e(h, apkG2) == 1. */
export function checkClaim(claim: AggregateClaim): boolean {
  if (claim.signature.is0() && claim.apkG2.is0()) return true;
  return pairingProductIsOne([
    [claim.signature, 'negG2'],
    [claim.h, claim.apkG2],
  ]);
}

function random128(): bigint {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  // Never zero, so no claim can drop out of the combination.
  return bytesToNumberBE(bytes) | 1n;
}

/**
 * Checks several claims at once: with random 128-bit r_j,
 * e(sum r_j sig_j, -G2) * prod e(r_j h_j, apk_j) == 1. A false claim makes the
 * product differ from 1 except with probability about 2^-128. Claims under the
 * same key (the usual case: every task signed by the same operators) share one
 * Miller loop, since prod_j e(r_j h_j, apk) = e(sum_j r_j h_j, apk); so a batch
 * costs one final exponentiation and one Miller loop per distinct key plus one.
 * @returns true if every claim holds (with overwhelming probability); false if at least one fails.
 */
export function checkClaimsBatch(
  claims: readonly AggregateClaim[],
  random: () => bigint = random128,
): boolean {
  if (claims.length === 0) return true;
  if (claims.length === 1) return checkClaim(claims[0] as AggregateClaim);
  const b = activeBackend();
  let sig = G1.ZERO;
  const byKey: { apk: G2Point; h: G1Point }[] = [];
  for (const c of claims) {
    const r = random();
    sig = sig.add(b.g1Mul(c.signature, r));
    const rh = b.g1Mul(c.h, r);
    // Identity first: aggregates of one operator set share the set's key object.
    const same = byKey.find((k) => k.apk === c.apkG2) ?? byKey.find((k) => k.apk.equals(c.apkG2));
    if (same) same.h = same.h.add(rh);
    else byKey.push({ apk: c.apkG2, h: rh });
  }
  return pairingProductIsOne([[sig, 'negG2'], ...byKey.map((k) => [k.h, k.apk] as const)]);
}

/**
 * Finds the invalid signatures among `entries`, all over the same message point
 * `h`, given that their aggregate is already known to fail. Recursive halving:
 * if the left half verifies, the failure is in the right half (by linearity),
 * so that half is not re-checked. About 2*log2(n) pairing checks per bad signature.
 * @returns indices into `entries` of the signatures that fail.
 */
export function findInvalidSignatures(h: G1Point, entries: readonly SignedEntry[]): number[] {
  const bad: number[] = [];
  const check = (idx: readonly number[]) =>
    checkClaim({
      h,
      signature: aggregateSignatures(idx.map((i) => (entries[i] as SignedEntry).signature)),
      apkG2: aggregatePublicKeysG2(idx.map((i) => (entries[i] as SignedEntry).publicKeyG2)),
    });
  const bisect = (idx: readonly number[]): void => {
    if (idx.length === 1) {
      bad.push(idx[0] as number);
      return;
    }
    const mid = idx.length >> 1;
    const left = idx.slice(0, mid);
    const right = idx.slice(mid);
    if (check(left)) bisect(right);
    else {
      bisect(left);
      if (!check(right)) bisect(right);
    }
  };
  if (entries.length > 0) bisect(entries.map((_, i) => i));
  return bad;
}
