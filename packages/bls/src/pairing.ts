import { bn254 } from '@noble/curves/bn254.js';
import type { G1Point, G2Point } from './curve.js';

type Precompute = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;

let negG2Precompute: Precompute | undefined;

/** The Miller-loop line table of -G2, computed once: every check pairs against it. */
function negG2Lines(): Precompute {
  if (negG2Precompute === undefined) {
    negG2Precompute = bn254.utils.calcPairingPrecomputes(bn254.G2.Point.BASE.negate());
  }
  return negG2Precompute;
}

/** Line tables kept for G2 points that recur (see {@link prepareG2}); weak, so they go with their points. */
const prepared = new WeakMap<G2Point, Precompute>();

/**
 * Computes and keeps the Miller-loop line table of a G2 point that will be paired
 * again (about 2.5 ms saved per later check). Meant for a few long-lived points,
 * such as an operator set's total key; each table is some tens of kilobytes.
 */
export function prepareG2(point: G2Point): void {
  if (!point.is0() && !prepared.has(point)) prepared.set(point, bn254.utils.calcPairingPrecomputes(point));
}

/** A G2 operand: a point, or the marker for -G2 (whose line table is cached). */
export type PairingG2 = G2Point | 'negG2';

/**
 * Checks prod e(g1_i, g2_i) == 1 with one shared Miller loop and one final
 * exponentiation. Terms with a point at infinity contribute 1 (as in the
 * EIP-197 precompile), so they are skipped rather than rejected.
 * Inputs must already be valid points (callers validate at decode time).
 */
export function pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, PairingG2]>): boolean {
  const loops: [Precompute, bigint, bigint][] = [];
  for (const [g1, g2] of pairs) {
    if (g1.is0()) continue;
    if (g2 !== 'negG2' && g2.is0()) continue;
    const a = g1.toAffine();
    const lines =
      g2 === 'negG2' ? negG2Lines() : (prepared.get(g2) ?? bn254.utils.calcPairingPrecomputes(g2));
    loops.push([lines, a.x, a.y]);
  }
  if (loops.length === 0) return true;
  const f = bn254.millerLoopBatch(loops);
  const Fp12 = bn254.fields.Fp12;
  return Fp12.eql(Fp12.finalExponentiate(f), Fp12.ONE);
}
