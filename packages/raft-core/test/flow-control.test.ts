import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from '../src/errors.js';
import { MessageType } from '../src/types.js';
import { Cluster, enc } from './support/harness.js';
import { ent, makeLeader, msg, newNode, readMessages, tickN } from './support/single-node.js';

describe('flow control', () => {
  it('pipelines up to maxInflightMsgs appends to a follower, then waits for acknowledgements', () => {
    const d = newNode('1', { config: { maxInflightMsgs: 3 } });
    makeLeader(d, ['1', '2', '3'], { ackNoop: true });
    for (let i = 0; i < 6; i++) d.raw.propose(enc(`p${i}`));
    const apps = readMessages(d).filter((m) => m.type === MessageType.App && m.to === '2');
    expect(apps.length).toBe(3);
    d.raw.step(
      msg({ type: MessageType.AppResp, from: '2', to: '1', term: 1, index: apps[0]!.entries.at(-1)!.index }),
    );
    const more = readMessages(d).filter((m) => m.type === MessageType.App && m.to === '2');
    expect(more.length).toBe(1);
  });

  it('limits bytes in flight and the size of one append', () => {
    const d = newNode('1', { config: { maxInflightMsgs: 100, maxInflightBytes: 40, maxSizePerMsg: 20 } });
    makeLeader(d, ['1', '2', '3'], { ackNoop: true });
    for (let i = 0; i < 10; i++) d.raw.propose(new Uint8Array(10));
    const apps = readMessages(d).filter((m) => m.type === MessageType.App && m.to === '2');
    for (const a of apps)
      expect(a.entries.reduce((s, e) => s + e.data.byteLength, 0)).toBeLessThanOrEqual(20);
    const bytes = apps.reduce((s, a) => s + a.entries.reduce((x, e) => x + e.data.byteLength, 0), 0);
    expect(bytes).toBeLessThanOrEqual(40);
    expect(bytes).toBeGreaterThan(0);
  });

  it('drops proposals beyond maxUncommittedEntriesSize and accepts again after commit', () => {
    const c = new Cluster(['a', 'b', 'c'], { maxUncommittedEntriesSize: 30 });
    c.elect('a');
    c.isolate('a');
    c.node('a').raw.propose(new Uint8Array(20));
    c.node('a').raw.propose(new Uint8Array(5));
    expect(() => c.node('a').raw.propose(new Uint8Array(10))).toThrow(ProposalDroppedError);
    c.recover();
    c.tickAll(1);
    expect(c.node('a').status.commit).toBe(3);
    expect(() => c.node('a').raw.propose(new Uint8Array(10))).not.toThrow();
  });

  it('fast backtracking: a follower with a long divergent tail is repaired in few round trips', () => {
    const c = new Cluster(['a', 'b', 'c']);
    const common = [ent(1, 1, 'c1')];
    const divergent = Array.from({ length: 50 }, (_, i) => ent(i + 2, 2, `old${i}`));
    const leaderLog = [...common, ...Array.from({ length: 50 }, (_, i) => ent(i + 2, 3, `new${i}`))];
    c.seed({
      a: { entries: leaderLog, term: 3 },
      b: { entries: leaderLog, term: 3 },
      c: { entries: [...common, ...divergent], term: 3 },
    });
    c.elect('a');
    const rejects = c.trace.filter((m) => m.type === MessageType.AppResp && m.from === 'c' && m.reject);
    expect(rejects.length).toBeLessThanOrEqual(2); // one term skip, not one entry at a time
    expect(c.node('c').raw.term(51)).toBe(3);
  });

  it('a stalled pipeline (lost appends, full window) recovers on the next heartbeat reply', () => {
    const c = new Cluster(['a', 'b', 'c'], { maxInflightMsgs: 2 });
    c.elect('a');
    c.filter = (m) => !(m.type === MessageType.App && m.to === 'c' && m.entries.length > 0);
    for (let i = 0; i < 5; i++) c.propose('a', `p${i}`);
    c.recover();
    c.tickAll(3);
    expect(c.node('c').appliedData()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('a slow follower (acknowledgements later than a heartbeat interval) keeps its pipeline: nothing is resent', () => {
    const d = newNode('1', { config: { maxInflightMsgs: 8 } });
    makeLeader(d, ['1', '2', '3'], { ackNoop: true });
    readMessages(d);
    d.raw.propose(enc('p0'));
    const first = readMessages(d).filter((m) => m.type === MessageType.App && m.to === '2');
    expect(first.map((m) => m.entries.length)).toEqual([1]);
    const sentIndex = first[0]!.entries[0]!.index;
    // Two heartbeat rounds answered while the append is still on its way (no AppResp yet).
    const resent: number[] = [];
    for (let round = 0; round < 2; round++) {
      tickN(d, 1);
      readMessages(d);
      d.raw.step(msg({ type: MessageType.HeartbeatResp, from: '2', to: '1', term: 1 }));
      for (const m of readMessages(d)) {
        if (m.type === MessageType.App && m.to === '2') resent.push(...m.entries.map((e) => e.index));
      }
    }
    expect(resent).not.toContain(sentIndex);
    // New proposals still stream at once (the follower was not put back to probing).
    d.raw.propose(enc('p1'));
    const next = readMessages(d).filter((m) => m.type === MessageType.App && m.to === '2');
    expect(next.flatMap((m) => m.entries.map((e) => e.index))).toEqual([sentIndex + 1]);
  });
});
