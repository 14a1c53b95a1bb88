/**
 * The autopilot's decision, as a pure function of what the leader knows: which single membership
 * step (if any) brings the voter set closer to "the `maxVoters` healthy, qualified operators with
 * the most stake". One step at a time, each quorum-safe on its own, so a crash between steps
 * leaves a configuration the next round simply continues from (e.g. a replacement is a promotion
 * followed, in a later round, by the demotion of the surplus voter).
 */

/** What the leader knows of one member of the configuration. */
export interface VoterCandidate {
  readonly id: string;
  readonly voter: boolean;
  /** Stake in the task quorums (summed), the ranking key; 0 when unknown. */
  readonly stake: bigint;
  /** Registered on-chain with at least `minimumStake` in every task quorum. */
  readonly qualified: boolean;
  /** The leader heard from it recently (within about an election timeout). */
  readonly reachable: boolean;
  /** The leader has not heard from it for `voterUnreachableMs`. */
  readonly failed: boolean;
  /** Its log is close enough to the commit index to vote without stalling commits. */
  readonly caughtUp: boolean;
}

/** One membership step, with the reason reported in the events. */
export type VoterStep =
  | { readonly kind: 'promote'; readonly id: string; readonly reason: string }
  | { readonly kind: 'demote'; readonly id: string; readonly reason: string }
  /** The leader itself no longer qualifies: hand leadership to another voter, which then demotes it. */
  | { readonly kind: 'transfer-leadership'; readonly reason: string };

/** Voters needed for a decision in a configuration of `n` voters. */
export const quorumOf = (n: number): number => Math.floor(n / 2) + 1;

/** Most stake first; equal stakes by id, so every leader ranks alike. */
export function byStake(a: VoterCandidate, b: VoterCandidate): number {
  if (a.stake !== b.stake) return a.stake > b.stake ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isBad = (c: VoterCandidate) => !c.qualified || c.failed;

/** Demotion order: failed first, then unqualified, then least stake. */
function demotionOrder(a: VoterCandidate, b: VoterCandidate): number {
  const score = (c: VoterCandidate) => (c.failed ? 2 : 0) + (c.qualified ? 0 : 1);
  return score(b) - score(a) || -byStake(a, b);
}

/**
 * The next step for leader `leaderId`, or undefined when the voter set is as it should be (or no
 * step is safe now). `members` is the whole (non-joint) configuration, leader included.
 */
export function planVoterStep(
  leaderId: string,
  members: readonly VoterCandidate[],
  maxVoters: number,
): VoterStep | undefined {
  const voters = members.filter((m) => m.voter);
  const live = voters.filter((v) => v.reachable).length;
  const ready = members
    .filter((m) => !m.voter && m.qualified && m.reachable && !m.failed && m.caughtUp)
    .sort(byStake);
  const best = ready[0];
  // A promotion must leave the larger configuration a live quorum (the newcomer is live).
  const canPromote = best !== undefined && live + 1 >= quorumOf(voters.length + 1);

  // 1. Too many voters (a replacement's promotion done, or maxVoters lowered): demote the worst.
  if (voters.length > maxVoters) {
    const victim = [...voters].sort(demotionOrder)[0];
    if (victim?.id === leaderId) {
      // The leader is the one to go: a successor leads first, then demotes it.
      if (voters.some((v) => v.id !== leaderId && v.reachable && v.qualified)) {
        return { kind: 'transfer-leadership', reason: 'the leader no longer qualifies as a voter' };
      }
    } else if (victim) {
      const liveAfter = live - (victim.reachable ? 1 : 0);
      if (liveAfter >= quorumOf(voters.length - 1)) {
        return { kind: 'demote', id: victim.id, reason: reasonOf(victim, 'more voters than maxVoters') };
      }
    }
  }
  // 2. A failed or unqualified voter: promote its replacement first (the demotion follows in step 1).
  const bad = voters.filter((v) => v.id !== leaderId && isBad(v)).sort(demotionOrder)[0];
  if (bad && voters.length <= maxVoters && canPromote) {
    return { kind: 'promote', id: best.id, reason: `replaces ${bad.id} (${reasonOf(bad, '')})` };
  }
  // 3. A free seat: the ready learner with the most stake takes it.
  if (voters.length < maxVoters && canPromote) {
    return { kind: 'promote', id: best.id, reason: 'a voter seat is free' };
  }
  // 4. The leader itself no longer qualifies: its replacement first, then leadership to another voter.
  const self = voters.find((v) => v.id === leaderId);
  if (self && !self.qualified) {
    if (voters.length <= maxVoters && canPromote) {
      return {
        kind: 'promote',
        id: best.id,
        reason: `replaces the leader ${leaderId} (no longer qualified)`,
      };
    }
    if (voters.some((v) => v.id !== leaderId && v.reachable && v.qualified)) {
      return { kind: 'transfer-leadership', reason: 'the leader no longer qualifies as a voter' };
    }
  }
  return undefined;
}

function reasonOf(c: VoterCandidate, otherwise: string): string {
  if (c.failed) return 'unreachable for voterUnreachableMs';
  if (!c.qualified) return 'deregistered or below minimumStake';
  return otherwise;
}
