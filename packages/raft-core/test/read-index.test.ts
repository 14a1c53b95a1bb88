import { describe, expect, it } from 'vitest';
import { RaftConfigError } from '../src/errors.js';
import { MessageType } from '../src/types.js';
import { Cluster, enc } from './support/harness.js';

describe('ReadIndex (thesis 6.4)', () => {
  it('the leader answers after a heartbeat round confirms it still leads, with its commit index', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.propose('a', 'x');
    c.node('a').raw.readIndex(enc('r1'));
    c.deliverAll();
    const rs = c.node('a').readStates;
    expect(rs.length).toBe(1);
    expect(new TextDecoder().decode(rs[0]!.context)).toBe('r1');
    expect(rs[0]!.index).toBe(c.node('a').status.commit);
  });

  it('the leader cannot answer while cut off from the quorum', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.isolate('a');
    c.node('a').raw.readIndex(enc('r1'));
    c.deliverAll();
    expect(c.node('a').readStates).toEqual([]);
  });

  it("a follower forwards the request and gets the leader's read index", () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.propose('a', 'x');
    c.node('b').raw.readIndex(enc('fwd'));
    c.deliverAll();
    expect(c.node('b').readStates.map((r) => r.index)).toEqual([c.node('a').status.commit]);
    expect(c.trace.some((m) => m.type === MessageType.ReadIndexResp && m.to === 'b')).toBe(true);
  });

  it('a new leader defers reads until it has committed an entry of its term', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.cut('a', 'b');
    c.cut('a', 'c');
    c.node('a').raw.campaign(); // term goes up, but the no-op cannot commit
    c.deliverAll();
    c.node('a').raw.readIndex(enc('early'));
    c.deliverAll();
    expect(c.node('a').readStates).toEqual([]);
  });

  it('lease-based reads are answered without a round trip while the lease holds, and need a drift bound', () => {
    expect(() => new Cluster(['a', 'b', 'c'], { readOnlyOption: 'lease-based' })).toThrow(RaftConfigError);
    const c = new Cluster(['a', 'b', 'c'], {
      readOnlyOption: 'lease-based',
      leaseClockDriftTicks: 2,
      checkQuorum: true,
    });
    c.elect('a');
    c.tickAll(2); // heartbeats answered: lease established
    const before = c.trace.length;
    c.node('a').raw.readIndex(enc('lease'));
    c.collect();
    expect(c.node('a').readStates.length).toBe(1);
    expect(c.trace.length).toBe(before);
    // Cut off: after the lease runs out, reads wait for a quorum again.
    c.isolate('a');
    for (let i = 0; i < 9; i++) c.node('a').raw.tick();
    c.deliverAll();
    c.node('a').raw.readIndex(enc('expired'));
    c.deliverAll();
    expect(c.node('a').readStates.length).toBe(1);
  });
});
