import { describe, expect, it } from 'vitest';
import { Cluster } from './support/harness.js';

describe('smoke', () => {
  it('elects a leader and replicates', () => {
    const c = new Cluster(['a', 'b', 'c'], { preVote: true });
    c.elect('a');
    expect(c.node('a').status.role).toBe('leader');
    c.propose('a', 'hello');
    for (const id of ['a', 'b', 'c']) expect(c.node(id).appliedData()).toEqual(['hello']);
    c.propose('b', 'forwarded');
    for (const id of ['a', 'b', 'c']) expect(c.node(id).appliedData()).toEqual(['hello', 'forwarded']);
  });
  it('elects by ticking', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.tickAll(30);
    expect(c.leaders().length).toBe(1);
  });
});
