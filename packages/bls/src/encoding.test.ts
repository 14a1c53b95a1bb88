import { bn254 } from '@noble/curves/bn254.js';
import { describe, expect, it } from 'vitest';
import { FP_MODULUS, G1, G2 } from './curve.js';
import {
  g1FromBytes,
  g1FromJson,
  g1FromSolidity,
  g1ToBytes,
  g1ToJson,
  g1ToSolidity,
  g2FromBytes,
  g2FromJson,
  g2FromSolidity,
  g2ToBytes,
  g2ToJson,
  g2ToSolidity,
  toG1Point,
  toG2Point,
} from './encoding.js';
import { BlsError, InvalidEncodingError, InvalidPointError } from './errors.js';

const P1 = G1.BASE.multiply(123456789n);
const P2 = G2.BASE.multiply(987654321n);

function errorOf(fn: () => unknown): BlsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BlsError) return e;
    throw new Error(`expected a BlsError, got ${String(e)}`);
  }
  throw new Error('expected a throw');
}

describe('G1 encodings', () => {
  it('round-trips through Solidity, JSON and bytes', () => {
    expect(g1FromSolidity(g1ToSolidity(P1)).equals(P1)).toBe(true);
    expect(g1FromJson(JSON.parse(JSON.stringify(g1ToJson(P1)))).equals(P1)).toBe(true);
    const b = g1ToBytes(P1);
    expect(b.length).toBe(64);
    expect(g1FromBytes(b).equals(P1)).toBe(true);
  });
  it('encodes infinity as (0, 0) and accepts it only when asked', () => {
    expect(g1ToSolidity(G1.ZERO)).toEqual({ X: 0n, Y: 0n });
    expect(errorOf(() => g1FromSolidity({ X: 0n, Y: 0n })).code).toBe('INVALID_POINT');
    expect(g1FromSolidity({ X: 0n, Y: 0n }, { allowInfinity: true }).is0()).toBe(true);
    expect(errorOf(() => toG1Point(G1.ZERO))).toBeInstanceOf(InvalidPointError);
  });
  it('rejects a point off the curve', () => {
    const e = errorOf(() => g1FromSolidity({ X: 1n, Y: 3n }));
    expect(e).toBeInstanceOf(InvalidPointError);
    expect(e.message).toMatch(/not on the BN254 G1 curve/);
  });
  it('rejects unreduced coordinates (x + p encodes the same residue)', () => {
    const s = g1ToSolidity(P1);
    expect(errorOf(() => g1FromSolidity({ X: s.X + FP_MODULUS, Y: s.Y })).message).toMatch(/reduced/);
    expect(errorOf(() => g1FromSolidity({ X: s.X, Y: s.Y + FP_MODULUS })).code).toBe('INVALID_POINT');
    expect(errorOf(() => g1FromSolidity({ X: -1n, Y: s.Y })).code).toBe('INVALID_POINT');
  });
  it('rejects malformed shapes with typed errors', () => {
    expect(errorOf(() => g1FromJson(null))).toBeInstanceOf(InvalidEncodingError);
    expect(errorOf(() => g1FromJson({ X: '0x01', Y: '2' })).code).toBe('INVALID_ENCODING');
    expect(errorOf(() => g1FromJson({ X: '01', Y: '2' })).code).toBe('INVALID_ENCODING');
    expect(errorOf(() => g1FromJson({ X: 1, Y: 2 })).code).toBe('INVALID_ENCODING');
    expect(errorOf(() => g1FromBytes(new Uint8Array(63))).message).toMatch(/expected 64 bytes/);
  });
});

describe('G2 encodings', () => {
  it('uses Solidity order: imaginary part first', () => {
    const a = P2.toAffine();
    expect(g2ToSolidity(P2)).toEqual({ X: [a.x.c1, a.x.c0], Y: [a.y.c1, a.y.c0] });
  });
  it('round-trips through Solidity, JSON and bytes', () => {
    expect(g2FromSolidity(g2ToSolidity(P2)).equals(P2)).toBe(true);
    expect(g2FromJson(JSON.parse(JSON.stringify(g2ToJson(P2)))).equals(P2)).toBe(true);
    const b = g2ToBytes(P2);
    expect(b.length).toBe(128);
    expect(g2FromBytes(b).equals(P2)).toBe(true);
  });
  it('rejects swapped (real-first) coordinates', () => {
    const s = g2ToSolidity(P2);
    expect(errorOf(() => g2FromSolidity({ X: [s.X[1], s.X[0]], Y: [s.Y[1], s.Y[0]] })).code).toBe(
      'INVALID_POINT',
    );
  });
  it('rejects a twist point outside the r-order subgroup', () => {
    // Find a point on the twist curve y^2 = x^3 + b' by trying x = (k, 0); almost surely not in G2.
    const Fp2: FieldFp2 = bn254.fields.Fp2;
    let found: { X: [bigint, bigint]; Y: [bigint, bigint] } | undefined;
    for (let k = 1n; found === undefined && k < 50n; k++) {
      const x = Fp2.fromBigTuple([k, 0n]);
      const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2.CURVE().b);
      let y: ReturnType<typeof Fp2.sqrt> | undefined;
      try {
        y = Fp2.sqrt(rhs);
      } catch {
        y = undefined;
      }
      if (y !== undefined) found = { X: [x.c1, x.c0], Y: [y.c1, y.c0] };
    }
    expect(found).toBeDefined();
    const e = errorOf(() => g2FromSolidity(found!));
    expect(e.code).toBe('INVALID_POINT');
    expect(e.message).toMatch(/subgroup/);
  });
  it('rejects infinity unless asked, unreduced coordinates, wrong shapes and lengths', () => {
    const zero = { X: [0n, 0n] as const, Y: [0n, 0n] as const };
    expect(errorOf(() => g2FromSolidity(zero)).code).toBe('INVALID_POINT');
    expect(g2FromSolidity(zero, { allowInfinity: true }).is0()).toBe(true);
    expect(errorOf(() => toG2Point(G2.ZERO)).code).toBe('INVALID_POINT');
    const s = g2ToSolidity(P2);
    expect(errorOf(() => g2FromSolidity({ X: [s.X[0] + FP_MODULUS, s.X[1]], Y: s.Y })).message).toMatch(
      /reduced/,
    );
    expect(errorOf(() => g2FromJson({ X: ['1'], Y: ['1', '2'] })).code).toBe('INVALID_ENCODING');
    expect(errorOf(() => g2FromBytes(new Uint8Array(127))).message).toMatch(/expected 128 bytes/);
  });
});

type FieldFp2 = typeof bn254.fields.Fp2;
