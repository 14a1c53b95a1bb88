/**
 * Regression tests for issue #16: one deterministic scenario per defect (each
 * failed before its fix), plus the lease and learner findings.
 */
import { describe, expect, it } from 'vitest';
import { message } from '../src/message.js';
import { leaseValid } from '../src/raft-leader.js';
import type { NodeId } from '../src/types.js';
import {
  type ConfChange,
  ConfChangeTransition,
  ConfChangeType,
  EntryType,
  MessageType,
} from '../src/types.js';
import { Cluster, dec, enc, TestNode } from './support/harness.js';

const single = (type: ConfChangeType, nodeId: NodeId): ConfChange => ({
  transition: ConfChangeTransition.Auto,
  changes: [{ type, nodeId }],
});

/** Persists and applies Readies one by one until `n` leads (its new term's entry is then not yet durable). */
function persistUntilLeader(n: TestNode): void {
  while (n.raw.status().role !== 'leader' && n.raw.hasReady()) {
    const rd = n.raw.ready();
    n.storage.saveSync({ entries: rd.entries, ...(rd.hardState ? { hardState: rd.hardState } : {}) });
    n.raw.persisted(rd);
    n.raw.applied(rd);
  }
}

/** The leader snapshots everything it applied and compacts its log, so a lagging follower needs the snapshot. */
function snapshotAndCompact(n: TestNode): number {
  const st = n.status;
  n.storage.createSnapshotSync({
    metadata: { index: st.applied, term: n.raw.term(st.applied)!, confState: st.config },
    data: new Uint8Array(0),
  });
  n.storage.compactSync(st.applied);
  return st.applied;
}

describe('issue #16, defect 1: a persisted but unapplied snapshot', () => {
  it('tick() and campaign() do not throw CompactedError, and the follower campaigns', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 5; i++) c.propose('a', `x${i}`);
    const snapIndex = snapshotAndCompact(c.node('a'));
    // c persists the snapshot at once but restores it slowly (RaftNode always restores asynchronously).
    c.node('c').holdApply = true;
    c.recover();
    c.tickAll(1);
    const cn = c.node('c');
    expect(cn.held.some((rd) => rd.snapshot?.metadata.index === snapIndex)).toBe(true);
    expect(cn.raw.status().applied).toBeLessThan(snapIndex);
    // The leader is gone; c's election timer fires while its snapshot is still being restored.
    c.isolate('c');
    const term = cn.status.term;
    expect(() => {
      for (let i = 0; i < 40; i++) {
        cn.raw.tick();
        cn.drain();
      }
      cn.raw.campaign();
      cn.drain();
    }).not.toThrow();
    // The snapshot's configuration is in force and nothing after it is pending: c may campaign.
    expect(cn.status.role === 'pre-candidate' || cn.status.term > term).toBe(true);
  });
});

describe('issue #16, defect 2: a snapshot arriving while committed entries are unapplied', () => {
  it("an older Ready's membership entries are not applied on top of the snapshot's configuration", () => {
    const c = new Cluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    const n3 = c.node('n3');
    // n3 learns that "demote n3" committed, but its state machine is slow: the Ready waits.
    n3.holdApply = true;
    c.node('n1').raw.proposeConfChange(single(ConfChangeType.AddLearner, 'n3'));
    c.deliverAll();
    c.tickAll(1); // the heartbeat carries the commit index to n3
    expect(n3.held.some((rd) => rd.committedEntries.some((e) => e.type === EntryType.ConfChange))).toBe(true);
    // Meanwhile the others promote n3 again and compact past both changes.
    c.isolate('n3');
    c.node('n1').raw.proposeConfChange(single(ConfChangeType.AddVoter, 'n3'));
    c.deliverAll();
    c.propose('n1', 'after');
    expect(c.node('n1').status.config.voters).toEqual(['n1', 'n2', 'n3']);
    snapshotAndCompact(c.node('n1'));
    c.recover();
    c.tickAll(1); // n3 receives and persists the snapshot {n1,n2,n3}
    expect(n3.held.some((rd) => rd.snapshot !== undefined)).toBe(true);
    n3.applyHeld(); // the old "demote n3" Ready is applied only now
    expect(n3.status.config.voters).toEqual(['n1', 'n2', 'n3']);
    expect(n3.status.config.learners).toEqual([]);
    expect(n3.confChanges.some((ch) => ch.superseded)).toBe(true);
    c.tickAll(5);
    expect(n3.status.config.voters).toEqual(['n1', 'n2', 'n3']);
  });
});

describe('issue #16, defect 3: reads with a single voter wait for a commit of the new term', () => {
  it('a. the sole voter crashed before its commit index was durable; a learner had applied it', () => {
    const c = new Cluster(['a', 'l'], { learners: ['l'] });
    c.elect('a');
    c.propose('a', 'x');
    const a = c.node('a');
    const l = c.node('l');
    a.raw.propose(enc('y'));
    const rd1 = a.raw.ready();
    a.storage.saveSync({ entries: rd1.entries, ...(rd1.hardState ? { hardState: rd1.hardState } : {}) });
    a.raw.persisted(rd1); // a's own ack: y commits
    const rd2 = a.raw.ready(); // carries commit = y's index; a crashes before persisting it
    const yIndex = rd1.entries[rd1.entries.length - 1]!.index;
    expect(rd2.hardState?.commit).toBe(yIndex);
    for (const m of [...rd1.messages, ...rd2.messages]) if (m.to === 'l') l.raw.step(m);
    l.drain();
    expect(l.appliedData()).toContain('y');
    expect(a.storage.getHardState().commit).toBe(yIndex - 1);
    // Restart from what is durable, campaign, and read before the new term's entry is durable.
    a.raw = TestNode.open('a', a.storage, a.config, a.status.config);
    a.raw.campaign();
    persistUntilLeader(a);
    expect(a.status.role).toBe('leader');
    a.raw.readIndex(enc('r'));
    c.deliverAll();
    expect(a.readStates.length).toBe(1);
    // A read after l observed y must see y.
    expect(a.readStates[0]!.index).toBeGreaterThanOrEqual(yIndex);
  });

  it('b. the remaining voter of a two-voter cluster did not learn the commit of a write the demoted leader acknowledged', () => {
    // The state issue #16 describes: n1 demoted itself (index 3) and committed and acknowledged a write
    // at index 5 with n2 alone as the quorum; n2 holds entries 1..5 but only learned commit 3.
    const n2 = new Cluster(['n2']).node('n2');
    const cs = { voters: ['n2'], learners: ['n1'], votersOutgoing: [], learnersNext: [], autoLeave: false };
    const ents = [1, 2, 3, 4, 5].map((index) => ({
      term: 1,
      index,
      type: EntryType.Normal,
      data: enc(`w${index}`),
    }));
    n2.storage.saveSync({ entries: ents, hardState: { term: 1, vote: 'n1', commit: 3 } });
    n2.raw = TestNode.open('n2', n2.storage, n2.config, cs);
    n2.drain();
    n2.raw.campaign();
    persistUntilLeader(n2); // n2 leads alone; its term's entry (index 6) is not durable yet
    expect(n2.status.role).toBe('leader');
    n2.raw.readIndex(enc('r'));
    n2.drain();
    expect(n2.readStates.length).toBe(1);
    expect(n2.readStates[0]!.index).toBeGreaterThanOrEqual(5);
  });
});

describe('issue #16, defect 4: a leader that removes itself', () => {
  it('a leader emerges on the healed network although the other voter missed the commit', () => {
    const c = new Cluster(['a', 'b']);
    c.elect('a');
    c.propose('a', 'x');
    const a = c.node('a');
    const k = a.status.lastIndex + 1;
    a.raw.proposeConfChange(single(ConfChangeType.RemoveNode, 'a')); // index k
    a.raw.propose(enc('w')); // index k + 1, so a's log ends up longer than b's
    // b receives entry k but nothing that tells it k committed, and never k + 1.
    c.filter = (m) =>
      !(m.from === 'a' && m.to === 'b' && (m.commit >= k || m.entries.some((e) => e.index > k)));
    c.deliverAll();
    expect(a.status.commit).toBeGreaterThanOrEqual(k);
    expect(a.status.config.voters).toEqual(['b']);
    expect(c.node('b').status.commit).toBeLessThan(k);
    c.recover();
    c.tickAll(100);
    expect(c.leaders()).toEqual(['b']);
    c.propose('b', 'after');
    expect(c.node('b').appliedData()).toContain('after');
    expect(c.node('b').status.config.voters).toEqual(['b']);
  });

  it('a leader emerges even when the removed leader crashes before handing off', () => {
    const c = new Cluster(['a', 'b']);
    c.elect('a');
    const a = c.node('a');
    const k = a.status.lastIndex + 1;
    a.raw.proposeConfChange(single(ConfChangeType.RemoveNode, 'a'));
    a.raw.propose(enc('w'));
    c.filter = (m) =>
      !(m.from === 'a' && m.to === 'b' && (m.commit >= k || m.entries.some((e) => e.index > k)));
    c.deliverAll();
    expect(a.storage.getHardState().commit).toBeGreaterThanOrEqual(k);
    // a crashes and restarts: a follower outside its own configuration, with the longer log.
    c.dropQueued();
    a.raw = TestNode.open('a', a.storage, a.config, a.status.config);
    a.applied.length = 0;
    c.recover();
    c.tickAll(100);
    expect(c.leaders()).toEqual(['b']);
    c.propose('b', 'after');
    expect(c.node('b').appliedData()).toContain('after');
  });

  it('a demoted leader in a two-voter cluster hands off the same way', () => {
    const c = new Cluster(['a', 'b']);
    c.elect('a');
    const a = c.node('a');
    const k = a.status.lastIndex + 1;
    a.raw.proposeConfChange(single(ConfChangeType.AddLearner, 'a'));
    a.raw.propose(enc('w'));
    c.filter = (m) =>
      !(m.from === 'a' && m.to === 'b' && (m.commit >= k || m.entries.some((e) => e.index > k)));
    c.deliverAll();
    expect(a.status.config.learners).toEqual(['a']);
    c.recover();
    c.tickAll(100);
    expect(c.leaders()).toEqual(['b']);
    c.propose('b', 'after');
    expect(a.appliedData()).toContain('after');
  });
});

describe('issue #16, lease and learner findings', () => {
  const lease = { readOnlyOption: 'lease-based' as const, leaseClockDriftTicks: 2 };

  it('in lease mode a forced campaign() is refused while the node is within its promise to the leader', () => {
    const c = new Cluster(['a', 'b', 'c'], lease);
    c.elect('a');
    c.tickAll(2);
    const term = c.node('b').status.term;
    c.node('b').raw.campaign();
    c.deliverAll();
    expect(c.node('b').status.role).toBe('follower');
    expect(c.node('b').status.term).toBe(term);
    expect(c.leaders()).toEqual(['a']);
    expect(c.node('b').status.dropped['campaign-in-lease']).toBe(1);
  });

  it('after an abandoned transfer the leader no longer trusts its lease: the TimeoutNow may still arrive', () => {
    const c = new Cluster(['a', 'b', 'c'], lease);
    c.elect('a');
    c.tickAll(2);
    const a = c.node('a');
    const delayed: ReturnType<typeof message>[] = [];
    c.filter = (m) => {
      if (m.type !== MessageType.TimeoutNow) return true;
      delayed.push(m);
      return false;
    };
    a.raw.transferLeader('b');
    c.deliverAll();
    expect(delayed.length).toBe(1);
    c.tickAll(12); // the transfer is abandoned after an election timeout; heartbeats keep flowing
    expect(a.status.leadTransferee).toBe('');
    expect(leaseValid(a.raw.raft)).toBe(false);
    // The delayed TimeoutNow lands: b wins an election although a's followers acknowledged a recently.
    c.recover();
    c.node('b').raw.step(delayed[0]!);
    c.deliverAll();
    expect(c.node('b').status.role).toBe('leader');
  });

  it('with pre-vote and check-quorum off, a learner at a higher term still catches up', () => {
    const c = new Cluster(['a', 'b', 'l'], { learners: ['l'], preVote: false, checkQuorum: false });
    c.elect('a');
    // l saw a higher term (a vote request from a candidate whose election went nowhere).
    c.node('l').raw.step(
      message({ type: MessageType.Vote, from: 'b', to: 'l', term: 7, index: 100, logTerm: 7 }),
    );
    c.node('l').drain();
    expect(c.node('l').status.term).toBe(7);
    c.propose('a', 'x');
    c.tickAll(60);
    expect(c.leaders().length).toBe(1);
    c.propose(c.leaders()[0]!, 'y');
    expect(c.node('l').appliedData()).toEqual(expect.arrayContaining(['x', 'y']));
    expect(dec(enc('ok'))).toBe('ok');
  });
});
