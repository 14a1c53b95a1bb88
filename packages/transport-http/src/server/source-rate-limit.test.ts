import { describe, expect, it } from 'vitest';
import { SourceRateLimiter } from './source-rate-limit.js';

describe('SourceRateLimiter', () => {
  it('allows a burst per source, refills over time, and keeps sources apart', () => {
    const limiter = new SourceRateLimiter({ burst: 3, perSecond: 2 });
    const taken = (source: string, now: number) => limiter.take(source, now);
    expect([taken('a', 0), taken('a', 0), taken('a', 0), taken('a', 0)]).toEqual([true, true, true, false]);
    expect(taken('b', 0)).toBe(true);
    expect(taken('a', 499)).toBe(false);
    expect(taken('a', 500)).toBe(true); // one token after 0.5 s at 2/s
    expect(taken('a', 500)).toBe(false);
  });

  it('remembers at most maxSources, forgetting the least recently seen', () => {
    const limiter = new SourceRateLimiter({ burst: 1, perSecond: 0, maxSources: 2 });
    expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.take('a', 0)).toBe(false); // a is now the most recent
    expect(limiter.take('c', 0)).toBe(true); // b is forgotten
    expect(limiter.take('a', 0)).toBe(false);
    expect(limiter.take('b', 0)).toBe(true); // b starts over
  });
});
