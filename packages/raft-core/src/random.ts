/**
 * A source of randomness for election timeouts. Injected so that a run is
 * reproducible from its seed; raft-core never calls `Math.random`.
 */
export interface Random {
  /** Returns an integer in `[0, n)`. */
  intn(n: number): number;
}

/**
 * A small seeded PRNG (mulberry32): fast, 32-bit state, good enough for
 * election jitter and simulation. Not cryptographic.
 *
 * @param seed any 32-bit integer; the same seed gives the same sequence.
 */
export function createSeededRandom(seed: number): Random & { next(): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    intn(n: number): number {
      return Math.floor(next() * n);
    },
  };
}
