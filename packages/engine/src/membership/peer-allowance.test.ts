import type { ConfState } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { PeerAllowance } from './peer-allowance.js';

const conf = (voters: string[], learners: string[] = []): ConfState =>
  ({ voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false }) as unknown as ConfState;

/** A joiner `j` whose applied configuration the test sets; `forgotten` collects the peers no longer dialled. */
function joiner(replicated: string[] = []) {
  let applied: ConfState | undefined;
  const forgotten: string[] = [];
  const peers = new PeerAllowance(
    'j',
    () => (applied === undefined ? undefined : { status: () => ({ config: applied! }) }),
    { member: (id) => (replicated.includes(id) ? {} : undefined) },
    { removePeer: (id) => forgotten.push(id) },
  );
  return { peers, forgotten, apply: (c: ConfState) => (applied = c) };
}

describe('PeerAllowance: the join answer grants nothing beyond the applied configuration', () => {
  it('answer members are allowed until the joiner is in its configuration; then the ones it lacks are forgotten', () => {
    const { peers, forgotten, apply } = joiner(['pending']);
    for (const id of ['leader', 'planted', 'pending']) expect(peers.learnFromJoin(id)).toBe(true);
    expect(peers.isAllowed('planted')).toBe(true);
    apply(conf(['leader'], ['j']));
    peers.settle();
    // A replicated member not yet in the configuration (a joiner in progress) is still dialled, not allowed.
    expect(forgotten).toEqual(['planted']);
    expect(peers.isAllowed('planted')).toBe(false);
    expect(peers.isAllowed('pending')).toBe(false);
    expect(peers.isAllowed('leader')).toBe(true);
    peers.settle();
    expect(forgotten).toEqual(['planted']);
  });

  it('a check after the configuration arrived settles too; an answer read afterwards adds nothing', () => {
    const { peers, forgotten, apply } = joiner();
    peers.learnFromJoin('planted');
    apply(conf(['leader', 'j']));
    expect(peers.isAllowed('planted')).toBe(false);
    expect(forgotten).toEqual(['planted']);
    expect(peers.learnFromJoin('other')).toBe(false);
    expect(peers.learnFromJoin('leader')).toBe(true);
    expect(peers.isAllowed('other')).toBe(false);
  });
});
