import { describe, expect, it } from 'vitest';
import { digestOf, keyPair } from '../../test/aggregation-fixtures.js';
import { G1 } from '../curve.js';
import { hashToG1 } from '../hash-to-g1.js';
import { aggregatePublicKeysG2, aggregateSignatures } from '../signature.js';
import { type AggregateClaim, checkClaim, checkClaimsBatch, findInvalidSignatures } from './verifier.js';

const D = [digestOf('a'), digestOf('b'), digestOf('c')];
const claim = (d: Uint8Array, signers: number[]): AggregateClaim => ({
  h: hashToG1(d),
  signature: aggregateSignatures(signers.map((i) => keyPair(i).sign(d))),
  apkG2: aggregatePublicKeysG2(signers.map((i) => keyPair(i).publicKeyG2)),
});

describe('aggregate verification', () => {
  it('a batch of valid claims passes; one wrong claim fails it', () => {
    const claims = [claim(D[0]!, [0, 1]), claim(D[1]!, [2]), claim(D[2]!, [3, 4, 5])];
    expect(checkClaimsBatch(claims)).toBe(true);
    const wrong = [...claims];
    wrong[1] = { ...claims[1]!, signature: claims[1]!.signature.add(G1.BASE) };
    expect(checkClaimsBatch(wrong)).toBe(false);
  });

  it('the random combination catches errors that cancel in a plain sum', () => {
    const [a, b] = [claim(D[0]!, [0]), claim(D[1]!, [1])];
    const delta = G1.BASE.multiply(12345n);
    const shifted = [
      { ...a, signature: a.signature.add(delta) },
      { ...b, signature: b.signature.subtract(delta) },
    ];
    expect(checkClaim(shifted[0]!) || checkClaim(shifted[1]!)).toBe(false);
    // With unit coefficients the errors cancel and the batch would pass:
    expect(checkClaimsBatch(shifted, () => 1n)).toBe(true);
    // With random coefficients it fails.
    expect(checkClaimsBatch(shifted)).toBe(false);
  });

  it('claims under one key share a Miller loop and are still checked one by one in effect', () => {
    const signers = [0, 1, 2];
    const claims = D.map((d) => claim(d, signers));
    // Distinct key objects with equal values are grouped too.
    expect(claims[0]!.apkG2).not.toBe(claims[1]!.apkG2);
    expect(checkClaimsBatch(claims)).toBe(true);
    expect(checkClaimsBatch([...claims, claim(D[0]!, [3])])).toBe(true);
    // One signature over the wrong message among them fails the batch.
    const wrong = [...claims];
    wrong[2] = { ...claims[2]!, signature: aggregateSignatures(signers.map((i) => keyPair(i).sign(D[0]!))) };
    expect(checkClaimsBatch(wrong)).toBe(false);
    // Errors that cancel in a plain sum under the same key are caught by the random coefficients.
    const delta = G1.BASE.multiply(777n);
    const shifted = [
      { ...claims[0]!, signature: claims[0]!.signature.add(delta) },
      { ...claims[1]!, signature: claims[1]!.signature.subtract(delta) },
    ];
    expect(checkClaimsBatch(shifted, () => 1n)).toBe(true);
    expect(checkClaimsBatch(shifted)).toBe(false);
  });

  it('bisection finds every bad signature, wherever it is', () => {
    const h = hashToG1(D[0]!);
    const entries = Array.from({ length: 11 }, (_, i) => ({
      signature: keyPair(i).sign(D[0]!),
      publicKeyG2: keyPair(i).publicKeyG2,
    }));
    for (const bad of [[10], [0, 5, 6]]) {
      const mixed = entries.map((e, i) =>
        bad.includes(i) ? { ...e, signature: keyPair(i).sign(D[1]!) } : e,
      );
      expect(findInvalidSignatures(h, mixed).sort((x, y) => x - y)).toEqual(bad);
    }
  });
});
