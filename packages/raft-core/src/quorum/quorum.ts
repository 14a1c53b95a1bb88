import type { NodeId } from '../types.js';

/** Outcome of counting votes. */
export enum VoteResult {
  /** Neither won nor lost yet: some voters have not answered. */
  Pending = 'pending',
  Lost = 'lost',
  Won = 'won',
}

/** Sentinel for "no voters constrain this": an empty configuration commits everything (joint maths). */
export const UNBOUNDED_INDEX = Number.MAX_SAFE_INTEGER;

/**
 * Highest index acknowledged by a majority of `voters`. `acked(id)` gives the
 * highest index `id` has acknowledged (undefined counts as 0). An empty voter
 * set returns {@link UNBOUNDED_INDEX} so that a joint configuration with an
 * empty half is decided by the other half. Raft paper, section 5.3.
 */
export function majorityCommitted(
  voters: ReadonlySet<NodeId>,
  acked: (id: NodeId) => number | undefined,
): number {
  const n = voters.size;
  if (n === 0) return UNBOUNDED_INDEX;
  if (n <= 3) {
    // The common sizes, without an array and a sort: the median of three, the lower of two.
    let a = 0;
    let b = 0;
    let c = 0;
    let k = 0;
    for (const id of voters) {
      const v = acked(id) ?? 0;
      if (k === 0) a = v;
      else if (k === 1) b = v;
      else c = v;
      k++;
    }
    if (n === 1) return a;
    if (n === 2) return Math.min(a, b);
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  const idx: number[] = [];
  for (const id of voters) idx.push(acked(id) ?? 0);
  idx.sort((a, b) => b - a);
  // With voters sorted by acked index descending, the (n/2+1)-th one is acked by a majority.
  return idx[Math.floor(n / 2)]!;
}

/**
 * Result of an election among `voters`; `votes` maps a voter to its answer
 * (absent means it has not answered). An empty set wins (joint maths).
 */
export function majorityVoteResult(
  voters: ReadonlySet<NodeId>,
  votes: ReadonlyMap<NodeId, boolean>,
): VoteResult {
  if (voters.size === 0) return VoteResult.Won;
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = Math.floor(voters.size / 2) + 1;
  if (granted >= q) return VoteResult.Won;
  if (granted + missing >= q) return VoteResult.Pending;
  return VoteResult.Lost;
}

/** Committed index of a joint configuration: both halves must agree, so the minimum. Raft thesis 4.3. */
export function jointCommitted(
  incoming: ReadonlySet<NodeId>,
  outgoing: ReadonlySet<NodeId>,
  acked: (id: NodeId) => number | undefined,
): number {
  return Math.min(majorityCommitted(incoming, acked), majorityCommitted(outgoing, acked));
}

/** Election result in a joint configuration: won only if both halves win; lost if either loses. */
export function jointVoteResult(
  incoming: ReadonlySet<NodeId>,
  outgoing: ReadonlySet<NodeId>,
  votes: ReadonlyMap<NodeId, boolean>,
): VoteResult {
  const r1 = majorityVoteResult(incoming, votes);
  const r2 = majorityVoteResult(outgoing, votes);
  if (r1 === r2) return r1;
  if (r1 === VoteResult.Lost || r2 === VoteResult.Lost) return VoteResult.Lost;
  return VoteResult.Pending;
}
