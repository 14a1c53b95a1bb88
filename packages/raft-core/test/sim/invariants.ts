/** Whole-cluster invariants of the simulator that need no simulation state beyond the nodes' storage. */
import type { MemoryStorage } from '../../src/memory-storage.js';
import type { ConfState, NodeId } from '../../src/types.js';

/** A configuration as a comparable string (order of ids ignored). */
export const confKey = (cs: ConfState): string =>
  JSON.stringify([
    [...cs.voters].sort(),
    [...cs.learners].sort(),
    [...cs.votersOutgoing].sort(),
    [...cs.learnersNext].sort(),
  ]);

function lastOf(st: MemoryStorage): { index: number; term: number } {
  const index = st.lastIndex();
  return {
    index,
    term: index === st.snapshot().metadata.index ? st.snapshot().metadata.term : st.term(index),
  };
}

/**
 * Commit safety on the durable logs of a fixed set of voters: no voter lacking
 * the committed entry may have a log at least as up to date as a quorum of
 * voters' logs (it could win an election and overwrite the entry). Raft keeps
 * this true at every instant (the committing quorum holds an entry of the
 * committing leader's term); counting an old-term entry towards commit
 * (Figure 8) breaks it before any overwrite has to happen. Returns a
 * description of the violation, or undefined.
 */
export function commitSafetyViolation(
  voters: readonly { id: NodeId; storage: MemoryStorage }[],
  committed: { index: number; term: number },
): string | undefined {
  const { index, term } = committed;
  for (const cand of voters) {
    const st = cand.storage;
    if (index <= st.snapshot().metadata.index) continue;
    if (index <= st.lastIndex() && index >= st.firstIndex() && st.term(index) === term) continue;
    const c = lastOf(st);
    const grants = voters.filter((v) => {
      const l = lastOf(v.storage);
      return c.term > l.term || (c.term === l.term && c.index >= l.index);
    });
    if (grants.length > voters.length / 2) {
      return `commit safety: ${cand.id} lacks committed entry ${index}/${term} but ${grants.map((v) => v.id).join(',')} would elect it`;
    }
  }
  return undefined;
}
