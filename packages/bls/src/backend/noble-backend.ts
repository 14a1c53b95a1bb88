import { bn254 } from '@noble/curves/bn254.js';
import type { G1Point, G2Point } from '../curve.js';
import type { BlsBackend, PairingG2 } from './types.js';

type Precompute = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;

let negG2Precompute: Precompute | undefined;

/** The Miller-loop line table of -G2, computed on first use: every check pairs against it. */
function negG2Lines(): Precompute {
  if (negG2Precompute === undefined) {
    negG2Precompute = bn254.utils.calcPairingPrecomputes(bn254.G2.Point.BASE.negate());
  }
  return negG2Precompute;
}

/** Line tables kept for G2 points that recur; weak, so they go with their points. */
const prepared = new WeakMap<G2Point, Precompute>();

/** Pure-JS backend on `@noble/curves`: runs everywhere, including edge runtimes without WebAssembly. */
export const nobleBackend: BlsBackend = {
  name: 'noble',
  g1Mul: (point, k) => (k === 0n ? bn254.G1.Point.ZERO : point.multiply(k)),
  g2Mul: (point, k) => (k === 0n ? bn254.G2.Point.ZERO : point.multiply(k)),
  g2IsValid(point) {
    try {
      point.assertValidity();
      return true;
    } catch {
      return false;
    }
  },
  pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, PairingG2]>): boolean {
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
  },
  prepareG2(point) {
    if (!point.is0() && !prepared.has(point)) prepared.set(point, bn254.utils.calcPairingPrecomputes(point));
  },
};
