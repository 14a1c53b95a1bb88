import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../memory-storage.js';
import type { Entry } from '../types.js';
import { EntryType } from '../types.js';
import { RaftLog } from './raft-log.js';

const ent = (index: number, term: number): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new Uint8Array([index % 256]),
});

/** Builds entries 1..n with non-decreasing terms from `steps`. */
function logFrom(steps: number[]): Entry[] {
  let term = 1;
  return steps.map((s, i) => {
    term += s;
    return ent(i + 1, term);
  });
}

describe('RaftLog', () => {
  it('property: after a matching append our log holds the entries of the leader and keeps a matching longer tail', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(2), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(2), { minLength: 1, maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        (ourSteps, leaderSteps, at, persisted) => {
          const ours = logFrom(ourSteps);
          const leader = logFrom(leaderSteps);
          const storage = new MemoryStorage();
          const stableCount = persisted % (ours.length + 1);
          storage.saveSync({ entries: ours.slice(0, stableCount) });
          const log = new RaftLog(storage, 1 << 20);
          if (stableCount < ours.length) log.append(ours.slice(stableCount));
          const prev = at % (leader.length + 1); // leader sends entries after `prev`
          const prevTerm = prev === 0 ? 0 : leader[prev - 1]!.term;
          const res = log.maybeAppend(prev, prevTerm, 0, leader.slice(prev));
          const matches = prev === 0 || (prev <= ours.length && ours[prev - 1]!.term === prevTerm);
          expect(res !== undefined).toBe(matches);
          if (res === undefined) return;
          // Everything the leader sent is now in our log (entries before `prev` matched by induction).
          for (let i = prev + 1; i <= leader.length; i++) expect(log.termOf(i)).toBe(leader[i - 1]!.term);
          expect(res).toBe(leader.length);
          // Entries past the leader's that matched are kept (a stale append must not truncate).
          if (ours.length > leader.length) {
            const conflict = leader.some(
              (e, i) => i >= prev && ours[i] !== undefined && ours[i]!.term !== e.term,
            );
            if (!conflict) expect(log.lastIndex()).toBe(ours.length);
          }
        },
      ),
    );
  });

  it('property: findConflictByTerm returns the last index whose term is <= the given term', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(2), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.nat(8),
        (steps, at, term) => {
          const ents = logFrom(steps);
          const storage = new MemoryStorage();
          storage.saveSync({ entries: ents });
          const log = new RaftLog(storage, 1 << 20);
          const index = at % (ents.length + 1);
          const got = log.findConflictByTerm(index, term);
          let want = 0;
          for (let i = index; i > 0; i--) {
            if (ents[i - 1]!.term <= term) {
              want = i;
              break;
            }
          }
          expect(got.index).toBe(want);
        },
      ),
    );
  });

  it('only commits by counting entries of the given term', () => {
    const storage = new MemoryStorage();
    storage.saveSync({ entries: [ent(1, 1), ent(2, 2)] });
    const log = new RaftLog(storage, 1 << 20);
    expect(log.maybeCommit(2, 3)).toBe(false);
    expect(log.maybeCommit(2, 2)).toBe(true);
    expect(log.committed).toBe(2);
  });
});
