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
  /** Entries kept behind a snapshot when compacting (0: followers behind it need the snapshot). */
  readonly keepAfterSnapshot: number;
  /** Bytes per append message; 1 sends one entry per message, so appends of a term arrive piecemeal. */
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
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
  // One seed in five is a snapshot storm: frequent snapshots compacted to the end, frequent membership
  // changes and slow applies, so snapshots land while committed membership entries are unapplied.
  const storm = seed % 5 === 3;
  // Another in five is an election storm: forced campaigns, one entry per append and one append in
  // flight, so a new leader's old-term entries reach followers before its own entry (Figure 8).
  const elections = seed % 5 === 4;
  return {
    ...s,
    preVote: seed % 2 === 0,
    checkQuorum: lease || seed % 3 !== 0,
    lease,
    dropRate: rnd.next() * 0.2,
    dupRate: rnd.next() * 0.05,
    maxDelay: 1 + rnd.intn(4),
    lateTimeoutNow: rnd.next() * 0.5,
    crashRate: rnd.next() * (elections ? 0.06 : 0.02),
    partitionRate: elections ? 0.2 + rnd.next() * 0.3 : rnd.next() * 0.03,
    persistDelay: rnd.next() * 0.7,
    applyMax: storm ? 20 + rnd.intn(40) : slow ? 1 + rnd.intn(40) : 1,
    restoreMax: slow || storm ? 1 + rnd.intn(80) : 1,
    snapshotRate: storm ? 0.5 : rnd.next() * 0.05,
    keepAfterSnapshot: storm || rnd.intn(2) === 0 ? 0 : rnd.intn(5),
    maxSizePerMsg: elections || rnd.intn(3) === 0 ? 1 : 64 + rnd.intn(256),
    maxInflightMsgs: elections ? 1 : 1 + rnd.intn(8),
    confRate: storm ? 0.05 : seed % 10 < 7 ? rnd.next() * 0.03 : 0,
    proposeRate: elections ? 0.3 : 0.15,
    readRate: rnd.next() * 0.4,
    campaignRate: elections ? 0.03 + rnd.next() * 0.05 : rnd.next() * 0.01,
    transferRate: rnd.next() * 0.01,
  };
}
