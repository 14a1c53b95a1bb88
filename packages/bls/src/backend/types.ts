import type { G1Point, G2Point } from '../curve.js';

/** Names of the arithmetic backends. */
export type BlsBackendName = 'noble' | 'mcl-wasm';

/** A G2 operand of a pairing: a point, or the marker for -G2 (whose line table every backend keeps). */
export type PairingG2 = G2Point | 'negG2';

/**
 * The expensive operations of the package, behind one interface so that a
 * WebAssembly implementation can replace the pure-JS one. Inputs and outputs
 * are noble points in both: the public API does not change with the backend,
 * and results are the same points (the same bytes in every encoding).
 */
export interface BlsBackend {
  readonly name: BlsBackendName;
  /** k * p for a G1 point; k in [0, r). */
  g1Mul(point: G1Point, k: bigint): G1Point;
  /** k * p for a G2 point; k in [0, r). */
  g2Mul(point: G2Point, k: bigint): G2Point;
  /** Whether a G2 point is on the twist and in the order-r subgroup. */
  g2IsValid(point: G2Point): boolean;
  /** prod e(g1_i, g2_i) == 1; terms with a point at infinity count as 1. */
  pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, PairingG2]>): boolean;
  /** Keeps the Miller-loop precomputation of a G2 point that will be paired again. */
  prepareG2(point: G2Point): void;
}
