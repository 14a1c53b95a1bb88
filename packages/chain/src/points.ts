import { type G1Point, type G2Point, g1FromSolidity, g2FromSolidity } from '@avs/bls';
import { InvalidChainDataError } from './errors.js';

/** A `BN254.G1Point` as ethers decodes it. */
export interface G1Result {
  X: bigint;
  Y: bigint;
}

/** A `BN254.G2Point` as ethers decodes it (imaginary part first). */
export interface G2Result {
  X: readonly bigint[];
  Y: readonly bigint[];
}

/**
 * Decodes a G1 point read from the chain, validated (reduced, on curve, in subgroup, not zero).
 * @throws InvalidChainDataError
 */
export function g1FromChain(value: G1Result, what: string): G1Point {
  try {
    return g1FromSolidity({ X: value.X, Y: value.Y });
  } catch (cause) {
    throw new InvalidChainDataError(`${what}: not a valid G1 point (${(cause as Error).message})`, { cause });
  }
}

/**
 * Decodes a G2 point read from the chain, validated.
 * @throws InvalidChainDataError
 */
export function g2FromChain(value: G2Result, what: string): G2Point {
  try {
    return g2FromSolidity({ X: [value.X[0]!, value.X[1]!], Y: [value.Y[0]!, value.Y[1]!] });
  } catch (cause) {
    throw new InvalidChainDataError(`${what}: not a valid G2 point (${(cause as Error).message})`, { cause });
  }
}
