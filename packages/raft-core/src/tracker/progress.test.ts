import { describe, expect, it } from 'vitest';
import { Inflights } from './inflights.js';
import { Progress } from './progress.js';

describe('Inflights (flow control window)', () => {
  it('is full by message count or by bytes, and frees acknowledged messages', () => {
    const w = new Inflights(3, 100);
    w.add(1, 10);
    w.add(2, 10);
    expect(w.full()).toBe(false);
    w.add(3, 10);
    expect(w.full()).toBe(true); // count
    w.freeLE(2);
    expect(w.count).toBe(1);
    expect(w.full()).toBe(false);
    w.add(4, 95);
    expect(w.full()).toBe(true); // bytes: 105 >= 100
    w.freeLE(10);
    expect(w.count).toBe(0);
    expect(w.bytes).toBe(0);
  });

  it('has no byte limit when maxBytes is 0', () => {
    const w = new Inflights(2, 0);
    w.add(1, 1e9);
    expect(w.full()).toBe(false);
  });
});

describe('Progress', () => {
  it('probe: one append at a time until a reply; replicate: optimistic until the window is full', () => {
    const p = new Progress(5, 2, 0, false);
    expect(p.isPaused()).toBe(false);
    p.sentEntries(1, 10, 5);
    expect(p.isPaused()).toBe(true); // probe waits for the answer
    expect(p.maybeUpdate(5)).toBe(true);
    p.becomeReplicate();
    expect(p.next).toBe(6);
    p.sentEntries(2, 10, 7);
    expect(p.next).toBe(8); // optimistic
    p.sentEntries(1, 10, 8);
    expect(p.isPaused()).toBe(true); // window of 2 full
    p.inflights.freeLE(7);
    expect(p.isPaused()).toBe(false);
  });

  it('replicate: a rejection rewinds next to match+1; stale rejections are ignored', () => {
    const p = new Progress(1, 10, 0, false);
    p.maybeUpdate(5);
    p.becomeReplicate();
    p.sentEntries(3, 0, 8);
    expect(p.maybeDecrTo(4, 0)).toBe(false); // below match: stale
    expect(p.maybeDecrTo(7, 0)).toBe(true);
    expect(p.next).toBe(6);
  });

  it('probe: uses the follower hint to skip back quickly (fast backtracking)', () => {
    const p = new Progress(100, 10, 0, false);
    expect(p.maybeDecrTo(50, 0)).toBe(false); // not the latest probe
    expect(p.maybeDecrTo(99, 42)).toBe(true);
    expect(p.next).toBe(43);
  });

  it('snapshot: paused until the snapshot lands, then probes after it', () => {
    const p = new Progress(1, 10, 0, false);
    p.becomeSnapshot({
      metadata: {
        index: 20,
        term: 2,
        confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      },
      data: new Uint8Array(1),
    });
    expect(p.isPaused()).toBe(true);
    p.becomeProbe();
    expect(p.next).toBe(21);
  });
});
