import { backoffDelay } from '@avs/retry';
import { describe, expect, it } from 'vitest';
import { heartbeat } from '../../test/support/arbitraries.js';
import { DEFAULT_RETRY } from './backoff.js';
import { SendQueue } from './send-queue.js';

const hb = (i: number) => heartbeat('a', 'b', 1, i);

describe('SendQueue', () => {
  it('cuts batches in order within the byte limit, at least one message each', () => {
    const q = new SendQueue({ maxMessages: 100, maxBytes: 1e9, overflow: 'drop-oldest' });
    for (let i = 0; i < 10; i++) q.push(hb(i));
    const first = q.take(64 * 3);
    expect(first.map((m) => m.commit)).toEqual([0, 1, 2]);
    expect(q.take(1).map((m) => m.commit)).toEqual([3]);
    expect(q.take(1e9).map((m) => m.commit)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(q.length).toBe(0);
    expect(q.queuedBytes).toBe(0);
  });

  it('drop-oldest keeps the newest messages and counts the dropped ones', () => {
    const q = new SendQueue({ maxMessages: 3, maxBytes: 1e9, overflow: 'drop-oldest' });
    const dropped = [0, 1, 2, 3, 4].map((i) => q.push(hb(i)));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(q.take(1e9).map((m) => m.commit)).toEqual([2, 3, 4]);
  });

  it('drop-newest refuses new messages while full', () => {
    const q = new SendQueue({ maxMessages: 3, maxBytes: 1e9, overflow: 'drop-newest' });
    const dropped = [0, 1, 2, 3, 4].map((i) => q.push(hb(i)));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(q.take(1e9).map((m) => m.commit)).toEqual([0, 1, 2]);
  });

  it('bounds bytes as well as messages', () => {
    const q = new SendQueue({ maxMessages: 1000, maxBytes: 64 * 2, overflow: 'drop-oldest' });
    for (let i = 0; i < 10; i++) q.push(hb(i));
    expect(q.length).toBe(2);
    expect(q.queuedBytes).toBeLessThanOrEqual(128);
  });
});

describe('DEFAULT_RETRY', () => {
  it('doubles per retry up to the cap, with half of it jittered', () => {
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 0)).toBe(25);
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 0.999)).toBeCloseTo(50, 0);
    expect(backoffDelay(DEFAULT_RETRY, 3, () => 0.5)).toBe(150);
    expect(backoffDelay(DEFAULT_RETRY, 20, () => 1)).toBe(2000);
  });
});
