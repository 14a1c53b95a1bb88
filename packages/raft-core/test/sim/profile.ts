/**
 * The per-seed shape of a simulation run: cluster shape, Raft options and
 * fault rates, all drawn from the seed so a run is reproducible.
 */
import type { Random } from '../../src/random.js';

/** Voters and learners a cluster starts with (1- and 2-voter shapes on purpose). */
export const SHAPES: readonly { voters: number; learners: number }[] = [
  { voters: 1, learners: 2 },
  { voters: 2, learners: 0 },
  { voters: 2, learners: 1 },
  { voters: 3, learners: 0 },
  { voters: 5, learners: 0 },
  { voters: 3, learners: 1 },
  { voters: 7, learners: 0 },
];

export interface SimProfile {
  readonly voters: number;
  readonly learners: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Lease-based reads (forces check-quorum); the lockstep clock has no drift. */
  readonly lease: boolean;
  readonly dropRate: number;
  readonly dupRate: number;
  /** Largest ordinary message delay, in sub-steps. */
  readonly maxDelay: number;
  /** Chance a TimeoutNow is held back past the transfer's abandonment. */
  readonly lateTimeoutNow: number;
  readonly crashRate: number;
  readonly partitionRate: number;
  /** Chance a write is still pending at each sub-step. */
  readonly persistDelay: number;
  /** Most sub-steps an apply (and, separately, a snapshot restore) may take. */
  readonly applyMax: number;
  readonly restoreMax: number;
  readonly snapshotRate: number;
  readonly confRate: number;
  readonly proposeRate: number;
  readonly readRate: number;
  /** Chance per sub-step of a forced campaign() on a random node, and of a leadership transfer. */
  readonly campaignRate: number;
  readonly transferRate: number;
}

/** Draws the profile of `seed` (the first draws of the run's generator). */
export function drawProfile(seed: number, rnd: Random & { next(): number }, shape?: number): SimProfile {
  const s = SHAPES[shape ?? seed % SHAPES.length]!;
  const lease = seed % 4 === 1;
  const slow = rnd.next() < 0.5;
  return {
    ...s,
    preVote: seed % 2 === 0,
    checkQuorum: lease || seed % 3 !== 0,
    lease,
    dropRate: rnd.next() * 0.2,
    dupRate: rnd.next() * 0.05,
    maxDelay: 1 + rnd.intn(4),
    lateTimeoutNow: rnd.next() * 0.5,
    crashRate: rnd.next() * 0.02,
    partitionRate: rnd.next() * 0.03,
    persistDelay: rnd.next() * 0.7,
    applyMax: slow ? 1 + rnd.intn(40) : 1,
    restoreMax: slow ? 1 + rnd.intn(80) : 1,
    snapshotRate: rnd.next() * 0.05,
    confRate: seed % 10 < 7 ? rnd.next() * 0.03 : 0,
    proposeRate: 0.15,
    readRate: rnd.next() * 0.1,
    campaignRate: rnd.next() * 0.01,
    transferRate: rnd.next() * 0.01,
  };
}
