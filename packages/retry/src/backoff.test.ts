import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const policy = { baseDelayMs: 50, maxDelayMs: 2000 };

describe('backoffDelay', () => {
  it('counts retries from 1: the first retry waits the base, each next one twice as long, up to the cap', () => {
    const none = { ...policy, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 6, 7].map((r) => backoffDelay(none, r))).toEqual([
      50, 100, 200, 400, 800, 1600, 2000,
    ]);
    expect(backoffDelay(none, 0)).toBe(50);
    expect(backoffDelay(none, 10_000)).toBe(2000);
  });

  it("'equal' jitter stays in [ceiling/2, ceiling) and is the default", () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(100);
    expect(backoffDelay(policy, 3, () => 0.999)).toBeCloseTo(199.9, 5);
    expect(backoffDelay({ ...policy, jitter: 'equal' }, 3, () => 0.5)).toBe(150);
  });

  it("'full' jitter spreads over [0, ceiling) in whole milliseconds", () => {
    const full = { ...policy, jitter: 'full' as const };
    expect(backoffDelay(full, 3, () => 0)).toBe(0);
    expect(backoffDelay(full, 3, () => 0.999)).toBe(199);
    expect(backoffDelay(full, 100, () => 0.5)).toBe(1000);
  });
});
