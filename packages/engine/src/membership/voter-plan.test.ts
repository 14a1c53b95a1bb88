import { describe, expect, it } from 'vitest';
import { planVoterStep, quorumOf, type VoterCandidate } from './voter-plan.js';

const healthy = { qualified: true, reachable: true, failed: false, caughtUp: true };
const voter = (id: string, stake = 100n, extra: Partial<VoterCandidate> = {}): VoterCandidate => ({
  id,
  voter: true,
  stake,
  ...healthy,
  ...extra,
});
const learner = (id: string, stake = 100n, extra: Partial<VoterCandidate> = {}): VoterCandidate => ({
  ...voter(id, stake, extra),
  voter: false,
});
const dead = { reachable: false, failed: true };

describe('planVoterStep', () => {
  it('quorum sizes', () => {
    expect([1, 2, 3, 4, 5].map(quorumOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it('fills a free seat with the caught-up learner with the most stake; equal stakes by id', () => {
    const members = [
      voter('a'),
      learner('c', 50n),
      learner('d', 70n),
      learner('e', 90n, { caughtUp: false }),
    ];
    expect(planVoterStep('a', members, 3)).toMatchObject({ kind: 'promote', id: 'd' });
    expect(planVoterStep('a', [voter('a'), learner('z', 5n), learner('y', 5n)], 3)).toMatchObject({
      id: 'y',
    });
    // Unqualified or unreachable learners never get a seat.
    const unfit = [
      voter('a'),
      learner('b', 900n, { qualified: false }),
      learner('c', 800n, { reachable: false }),
    ];
    expect(planVoterStep('a', unfit, 3)).toBeUndefined();
  });

  it('does nothing when the seats are full and every voter is fine, even for a richer learner', () => {
    expect(
      planVoterStep('a', [voter('a'), voter('b'), voter('c'), learner('d', 10_000n)], 3),
    ).toBeUndefined();
  });

  it('replaces a failed voter: promotion first, then the failed one is demoted', () => {
    const before = [voter('a'), voter('b'), voter('c', 100n, dead), learner('d', 10n), learner('e', 20n)];
    expect(planVoterStep('a', before, 3)).toMatchObject({ kind: 'promote', id: 'e' });
    const after = [voter('a'), voter('b'), voter('c', 100n, dead), learner('d', 10n), voter('e', 20n)];
    expect(planVoterStep('a', after, 3)).toMatchObject({ kind: 'demote', id: 'c' });
  });

  it('replaces an unqualified voter (deregistered or below minimumStake)', () => {
    const members = [voter('a'), voter('b', 100n, { qualified: false }), voter('c'), learner('d')];
    expect(planVoterStep('a', members, 3)).toMatchObject({ kind: 'promote', id: 'd' });
  });

  it('never promotes or demotes into a configuration without a live quorum', () => {
    // 3 voters, 2 dead: 4 voters would need 3 live, only 2 would be.
    const lost = [voter('a'), voter('b', 100n, dead), voter('c', 100n, dead), learner('d')];
    expect(planVoterStep('a', lost, 3)).toBeUndefined();
    // 4 voters, 2 unreachable: demoting a live one leaves 1 live of 3.
    const overfull = [voter('a'), voter('b', 1n), voter('c', 100n, dead), voter('d', 100n, dead)];
    // Both failed with equal stake: the lower-ranked by id (d) goes first.
    expect(planVoterStep('a', overfull, 3)).toMatchObject({ kind: 'demote', id: 'd' });
    const noSafeDemotion = [
      voter('a'),
      voter('b', 1n),
      voter('c', 100n, { reachable: false }),
      voter('d', 100n, { reachable: false }),
    ];
    // c and d are only briefly silent (not failed): the victim is b (least stake), which would leave 1 live of 3.
    expect(planVoterStep('a', noSafeDemotion, 3)).toBeUndefined();
  });

  it('demotes the least-stake voter when there are more than maxVoters, never the leader unless it is the worst', () => {
    const members = [voter('a', 1n), voter('b', 50n), voter('c', 60n), voter('d', 70n), voter('e', 80n)];
    expect(planVoterStep('e', members, 3)).toMatchObject({ kind: 'demote', id: 'a' });
    expect(planVoterStep('a', members, 3)).toMatchObject({ kind: 'transfer-leadership' });
  });

  it('a leader that no longer qualifies gets its replacement promoted, then hands leadership off', () => {
    const withLearner = [voter('a', 100n, { qualified: false }), voter('b'), voter('c'), learner('d')];
    expect(planVoterStep('a', withLearner, 3)).toMatchObject({ kind: 'promote', id: 'd' });
    const promoted = [voter('a', 100n, { qualified: false }), voter('b'), voter('c'), voter('d')];
    expect(planVoterStep('a', promoted, 3)).toMatchObject({ kind: 'transfer-leadership' });
    // The next leader demotes it.
    expect(planVoterStep('b', promoted, 3)).toMatchObject({ kind: 'demote', id: 'a' });
  });
});
