import { describe, expect, it } from 'vitest';
import { MessageType } from '../src/types.js';
import { Cluster } from './support/harness.js';

describe('leadership transfer (thesis 3.10)', () => {
  it('an up-to-date target gets TimeoutNow and wins at once', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.propose('a', 'x');
    c.node('a').raw.transferLeader('b');
    c.deliverAll();
    expect(c.node('b').status.role).toBe('leader');
    expect(c.node('a').status.role).toBe('follower');
  });

  it('a lagging target is caught up first, and proposals are refused meanwhile', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.cut('a', 'c');
    c.propose('a', 'x');
    c.propose('a', 'y');
    c.recover();
    c.filter = (m) => m.type !== MessageType.AppResp || m.from !== 'c'; // c cannot report progress yet
    c.node('a').raw.transferLeader('c');
    c.deliverAll();
    expect(c.node('a').status.leadTransferee).toBe('c');
    expect(() => c.node('a').raw.propose(new Uint8Array([1]))).toThrow(/transfer-in-progress/);
    c.recover();
    c.tickAll(1); // heartbeat reply lets the leader resend; c catches up and is told to campaign
    expect(c.node('c').status.role).toBe('leader');
    expect(c.node('c').appliedData()).toEqual(['x', 'y']);
  });

  it('a transfer that cannot finish is abandoned after an election timeout', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('c');
    c.node('a').raw.transferLeader('c');
    c.deliverAll();
    expect(c.node('a').status.leadTransferee).toBe('c');
    for (let i = 0; i < 10; i++) {
      c.node('a').raw.tick();
      c.deliverAll();
    }
    expect(c.node('a').status.leadTransferee).toBe('');
    expect(c.node('a').status.role).toBe('leader');
  });

  it('a follower forwards the request to the leader', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.node('b').raw.transferLeader('c');
    c.deliverAll();
    expect(c.node('c').status.role).toBe('leader');
  });

  it('TimeoutNow-triggered votes break the check-quorum lease of the other followers', () => {
    const c = new Cluster(['a', 'b', 'c'], { checkQuorum: true, preVote: true });
    c.elect('a');
    c.tickAll(1);
    c.node('a').raw.transferLeader('b');
    c.deliverAll();
    expect(c.node('b').status.role).toBe('leader');
  });
});
