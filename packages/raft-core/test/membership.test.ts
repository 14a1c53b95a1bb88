import { describe, expect, it } from 'vitest';
import { InvalidConfChangeError, RaftUsageError } from '../src/errors.js';
import { type ConfChange, ConfChangeTransition, ConfChangeType, MessageType } from '../src/types.js';
import { Cluster, confState } from './support/harness.js';

const add = (nodeId: string): ConfChange => ({
  transition: ConfChangeTransition.Auto,
  changes: [{ type: ConfChangeType.AddVoter, nodeId }],
});
const learner = (nodeId: string): ConfChange => ({
  transition: ConfChangeTransition.Auto,
  changes: [{ type: ConfChangeType.AddLearner, nodeId }],
});
const remove = (nodeId: string): ConfChange => ({
  transition: ConfChangeTransition.Auto,
  changes: [{ type: ConfChangeType.RemoveNode, nodeId }],
});

describe('membership changes (thesis chapter 4)', () => {
  it('adds a voter: it catches up, and the quorum grows', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.propose('a', 'x');
    // The harness keeps the founding configuration outside the log, so the newcomer is told it.
    c.addNode('d', confState(['a', 'b', 'c']));
    c.node('a').raw.proposeConfChange(add('d'));
    c.deliverAll();
    c.tickAll(2);
    expect(c.node('a').status.config.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(c.node('d').appliedData()).toEqual(['x']);
    expect(c.node('d').status.config.voters).toEqual(['a', 'b', 'c', 'd']);
    // With 4 voters, the leader plus one follower is no longer a quorum.
    c.cut('a', 'c');
    c.cut('a', 'd');
    c.propose('a', 'y');
    expect(c.node('a').appliedData()).toEqual(['x']);
  });

  it('adds a learner that replicates but does not count for the quorum, then promotes it', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.addNode('l');
    c.node('a').raw.proposeConfChange(learner('l'));
    c.deliverAll();
    c.propose('a', 'x');
    c.tickAll(1);
    expect(c.node('l').appliedData()).toEqual(['x']);
    expect(c.node('a').status.config.learners).toEqual(['l']);
    c.node('a').raw.proposeConfChange(add('l'));
    c.deliverAll();
    expect(c.node('a').status.config.voters).toEqual(['a', 'b', 'c', 'l']);
    expect(c.node('a').status.config.learners).toEqual([]);
  });

  it('refuses a second change while one is unapplied, validating against the latest configuration', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('b');
    c.isolate('c');
    c.node('a').raw.proposeConfChange(add('d')); // cannot commit: the change stays unapplied
    c.deliverAll();
    expect(() => c.node('a').raw.proposeConfChange(add('e'))).toThrow(InvalidConfChangeError);
    expect(() => c.node('a').raw.proposeConfChange(add('e'))).toThrow(/not applied yet/);
  });

  it('refuses changes that remove every voter or change two voters without joint consensus', () => {
    const c = new Cluster(['a']);
    c.elect('a');
    expect(() => c.node('a').raw.proposeConfChange(remove('a'))).toThrow(/every voter/);
    const two: ConfChange = {
      transition: ConfChangeTransition.Auto,
      changes: [
        { type: ConfChangeType.AddVoter, nodeId: 'x' },
        { type: ConfChangeType.AddVoter, nodeId: 'y' },
      ],
    };
    // Two changes with the Auto transition go through joint consensus, which is fine:
    c.node('a').raw.proposeConfChange(two);
    expect(() =>
      c.node('a').raw.proposeConfChange({ transition: 99 as ConfChangeTransition, changes: [] }),
    ).toThrow(RaftUsageError);
  });

  it('joint consensus: replaces two voters at once and leaves the joint configuration automatically', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.addNode('d');
    c.addNode('e');
    c.node('a').raw.proposeConfChange({
      transition: ConfChangeTransition.Auto,
      changes: [
        { type: ConfChangeType.AddVoter, nodeId: 'd' },
        { type: ConfChangeType.AddVoter, nodeId: 'e' },
        { type: ConfChangeType.RemoveNode, nodeId: 'b' },
        { type: ConfChangeType.RemoveNode, nodeId: 'c' },
      ],
    });
    c.deliverAll();
    c.tickAll(3);
    const cs = c.node('a').status.config;
    expect(cs.voters).toEqual(['a', 'd', 'e']);
    expect(cs.votersOutgoing).toEqual([]);
    const applied = c.node('a').appliedConfChanges();
    expect(applied.at(-1)!.changes).toEqual([]); // the automatic leave-joint entry
    c.propose('a', 'after');
    expect(c.node('d').appliedData()).toEqual(['after']);
  });

  it('joint consensus with an explicit leave: in the joint config both majorities are needed', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.addNode('d');
    c.node('a').raw.proposeConfChange({
      transition: ConfChangeTransition.JointExplicit,
      changes: [
        { type: ConfChangeType.AddVoter, nodeId: 'd' },
        { type: ConfChangeType.RemoveNode, nodeId: 'c' },
      ],
    });
    c.deliverAll();
    c.tickAll(1);
    expect(c.node('a').status.config.votersOutgoing).toEqual(['a', 'b', 'c']);
    // Joint: a change other than leaving is refused.
    expect(() => c.node('a').raw.proposeConfChange(add('e'))).toThrow(/leave it first/);
    // The old majority {a, b} alone does not commit: the new one {a, b, d} needs a quorum too (it has a, b).
    c.node('a').raw.proposeConfChange({ transition: ConfChangeTransition.Auto, changes: [] });
    c.deliverAll();
    expect(c.node('a').status.config.votersOutgoing).toEqual([]);
    expect(c.node('a').status.config.voters).toEqual(['a', 'b', 'd']);
  });

  it('demotes a voter to learner', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').raw.proposeConfChange(learner('c'));
    c.deliverAll();
    expect(c.node('a').status.config.voters).toEqual(['a', 'b']);
    expect(c.node('a').status.config.learners).toEqual(['c']);
  });

  it('a removed leader hands leadership to a voter of the new configuration, then steps down', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('a').raw.proposeConfChange(remove('a'));
    c.deliverAll();
    expect(c.trace.some((m) => m.type === MessageType.TimeoutNow && m.from === 'a')).toBe(true);
    c.tickAll(30);
    expect(c.node('a').status.role).toBe('follower');
    const leaders = c.leaders();
    expect(leaders.length).toBe(1);
    expect(leaders[0]).not.toBe('a');
    expect(c.node(leaders[0]!).status.config.voters).toEqual(['b', 'c']);
  });

  it('a change forwarded by a follower that turns out invalid at the leader becomes a no-op', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('c');
    c.node('a').raw.proposeConfChange(add('d')); // pending, cannot commit without c... (a, b is a quorum)
    c.cut('a', 'b');
    c.deliverAll();
    c.recover();
    c.cut('a', 'c');
    c.node('b').raw.proposeConfChange(add('e')); // forwarded; refused at a: 'd' is not applied
    c.deliverAll();
    expect(c.node('a').status.dropped['conf-change-refused']).toBe(1);
  });
});
