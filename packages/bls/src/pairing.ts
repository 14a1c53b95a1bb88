import { activeBackend } from './backend/select.js';
import type { PairingG2 } from './backend/types.js';
import type { G1Point, G2Point } from './curve.js';

export type { PairingG2 } from './backend/types.js';

/**
 * Computes and keeps the Miller-loop precomputation of a G2 point that will be
 * paired again (about 2.5 ms saved per later check on noble). Meant for a few
 * long-lived points, such as an operator set's total key.
 */
export function prepareG2(point: G2Point): void {
  activeBackend().prepareG2(point);
}

/**
 * Checks prod e(g1_i, g2_i) == 1 with one shared final exponentiation, on the
 * active backend (see `initBls`). Terms with a point at infinity contribute 1
 * (as in the EIP-197 precompile), so they are skipped rather than rejected.
 * Inputs must already be valid points (callers validate at decode time).
 */
export function pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, PairingG2]>): boolean {
  return activeBackend().pairingProductIsOne(pairs);
}
