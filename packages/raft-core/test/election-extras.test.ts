import { describe, expect, it } from 'vitest';
import { Cluster } from './support/harness.js';

describe('pre-vote and check-quorum (thesis 9.6, 6.2)', () => {
  it('pre-vote: a partitioned node does not bump its term, so it does not disrupt the leader when it returns', () => {
    const c = new Cluster(['a', 'b', 'c'], { preVote: true });
    c.elect('a');
    const term = c.node('a').status.term;
    c.isolate('c');
    for (let i = 0; i < 100; i++) c.node('c').raw.tick();
    c.deliverAll();
    expect(c.node('c').status.term).toBe(term);
    expect(c.node('c').status.role).toBe('pre-candidate');
    c.recover();
    c.tickAll(3);
    expect(c.node('a').status.role).toBe('leader');
    expect(c.node('a').status.term).toBe(term);
  });

  it('without pre-vote the returning node forces a new election (the problem pre-vote solves)', () => {
    const c = new Cluster(['a', 'b', 'c'], { preVote: false });
    c.elect('a');
    const term = c.node('a').status.term;
    c.isolate('c');
    for (let i = 0; i < 100; i++) c.node('c').raw.tick();
    c.deliverAll();
    expect(c.node('c').status.term).toBeGreaterThan(term);
  });

  it('check-quorum: a leader that cannot reach a quorum steps down after an election timeout', () => {
    const c = new Cluster(['a', 'b', 'c'], { checkQuorum: true });
    c.elect('a');
    c.isolate('a');
    for (let i = 0; i < 21; i++) {
      c.node('a').raw.tick();
      c.deliverAll();
    }
    expect(c.node('a').status.role).toBe('follower');
  });

  it('check-quorum: followers that hear from a live leader ignore vote requests (leader lease)', () => {
    const c = new Cluster(['a', 'b', 'c'], { checkQuorum: true, preVote: false });
    c.elect('a');
    const term = c.node('a').status.term;
    c.node('c').raw.campaign(); // c is impatient, but b and a heard from a recently
    c.deliverAll();
    expect(c.node('b').status.term).toBe(term);
    expect(c.node('a').status.role).toBe('leader');
    expect(c.node('b').status.dropped['vote-in-lease']).toBe(1);
  });

  it('a learner never campaigns', () => {
    const c = new Cluster(['a', 'b', 'l'], { learners: ['l'] });
    c.isolate('a');
    c.isolate('b');
    for (let i = 0; i < 100; i++) c.node('l').raw.tick();
    expect(c.node('l').status.role).toBe('follower');
    expect(c.node('l').status.term).toBe(0);
  });
});
