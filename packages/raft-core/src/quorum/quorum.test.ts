import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jointCommitted,
  jointVoteResult,
  majorityCommitted,
  majorityVoteResult,
  UNBOUNDED_INDEX,
  VoteResult,
} from './quorum.js';

const ids = (n: number) => new Set(Array.from({ length: n }, (_, i) => `n${i}`));

describe('majority quorum', () => {
  it('commits the index a majority has acknowledged', () => {
    const acked: Record<string, number> = { n0: 5, n1: 3, n2: 9 };
    expect(majorityCommitted(ids(3), (id) => acked[id])).toBe(5);
    expect(majorityCommitted(ids(4), (id) => acked[id])).toBe(3); // n3 acked nothing: 3 of 4 have >= 3
    expect(majorityCommitted(new Set(), () => 0)).toBe(UNBOUNDED_INDEX);
  });

  it('property: the committed index is acknowledged by a majority and no higher index is', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 9 }), (acks) => {
        const voters = ids(acks.length);
        const c = majorityCommitted(voters, (id) => acks[Number(id.slice(1))]);
        const q = Math.floor(acks.length / 2) + 1;
        expect(acks.filter((a) => a >= c).length).toBeGreaterThanOrEqual(q);
        expect(acks.filter((a) => a >= c + 1).length).toBeLessThan(q);
      }),
    );
  });

  it('vote results: won, lost, pending', () => {
    const v = (e: [string, boolean][]) => new Map(e);
    expect(
      majorityVoteResult(
        ids(3),
        v([
          ['n0', true],
          ['n1', true],
        ]),
      ),
    ).toBe(VoteResult.Won);
    expect(
      majorityVoteResult(
        ids(3),
        v([
          ['n0', false],
          ['n1', false],
        ]),
      ),
    ).toBe(VoteResult.Lost);
    expect(
      majorityVoteResult(
        ids(3),
        v([
          ['n0', true],
          ['n1', false],
        ]),
      ),
    ).toBe(VoteResult.Pending);
    expect(majorityVoteResult(new Set(), v([]))).toBe(VoteResult.Won);
  });

  it('property: votes are monotone: adding a granted vote never turns Won into something else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<boolean | undefined>(true, false, undefined), {
          minLength: 1,
          maxLength: 9,
        }),
        (vs) => {
          const voters = ids(vs.length);
          const votes = new Map<string, boolean>();
          vs.forEach((x, i) => {
            if (x !== undefined) votes.set(`n${i}`, x);
          });
          const r = majorityVoteResult(voters, votes);
          const missing = vs.indexOf(undefined);
          if (missing >= 0) {
            const more = new Map(votes).set(`n${missing}`, true);
            const r2 = majorityVoteResult(voters, more);
            if (r === VoteResult.Won) expect(r2).toBe(VoteResult.Won);
            if (r === VoteResult.Lost) expect(r2).toBe(VoteResult.Lost);
          } else {
            expect(r).not.toBe(VoteResult.Pending);
          }
        },
      ),
    );
  });
});

describe('joint quorum', () => {
  it('commits the minimum of both halves and needs both to win', () => {
    const inc = new Set(['a', 'b', 'c']);
    const out = new Set(['c', 'd', 'e']);
    const acked: Record<string, number> = { a: 10, b: 10, c: 4, d: 2, e: 1 };
    expect(jointCommitted(inc, out, (id) => acked[id])).toBe(2);
    expect(jointCommitted(inc, new Set(), (id) => acked[id])).toBe(10);
    const votes = new Map([
      ['a', true],
      ['b', true],
    ]);
    expect(jointVoteResult(inc, out, votes)).toBe(VoteResult.Pending);
    votes.set('d', false).set('e', false);
    expect(jointVoteResult(inc, out, votes)).toBe(VoteResult.Lost);
  });

  it('property: joint with an empty outgoing half equals the majority of the incoming', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 7 }), (acks) => {
        const voters = ids(acks.length);
        const f = (id: string) => acks[Number(id.slice(1))];
        expect(jointCommitted(voters, new Set(), f)).toBe(majorityCommitted(voters, f));
      }),
    );
  });
});
