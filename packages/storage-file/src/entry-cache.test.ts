import { type Entry, EntryType } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { EntryCache } from './entry-cache.js';

const e = (index: number, size = 10, term = 1): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new Uint8Array(size),
});

describe('EntryCache', () => {
  it('evicts oldest first down to the budget', () => {
    const c = new EntryCache(30);
    c.add([e(1), e(2), e(3)]);
    expect(c.size()).toBe(30);
    c.add([e(4)]);
    expect(c.get(1)).toBeUndefined();
    expect(c.get(4)).toBeDefined();
    expect(c.size()).toBe(30);
  });

  it('keeps the last loaded range even past the budget, until the next load', () => {
    const c = new EntryCache(10);
    c.addLoaded([e(5), e(6), e(7)]);
    expect([5, 6, 7].map((i) => c.get(i) !== undefined)).toEqual([true, true, true]);
    c.add([e(8)]);
    expect(c.get(5)).toBeDefined();
    expect(c.get(8)).toBeUndefined();
    c.addLoaded([e(1)]);
    expect(c.get(5)).toBeUndefined();
    expect(c.get(1)).toBeDefined();
  });

  it('replaces a suffix and removes ranges with exact byte accounting', () => {
    const c = new EntryCache(1000);
    c.add([e(1), e(2), e(3), e(4)]);
    c.deleteFrom(3);
    c.add([e(3, 50, 2)]);
    expect(c.get(3)?.term).toBe(2);
    expect(c.get(4)).toBeUndefined();
    expect(c.size()).toBe(70);
    c.deleteFrom(3);
    expect(c.size()).toBe(20);
    c.deleteUpTo(1);
    expect(c.size()).toBe(10);
    expect(c.get(1)).toBeUndefined();
    expect(c.get(2)).toBeDefined();
  });

  it('serves loaded entries below the tail and drops them on compaction', () => {
    const c = new EntryCache(100);
    c.add([e(50), e(51)]);
    c.addLoaded([e(10), e(11)]);
    expect(c.get(10)).toBeDefined();
    expect(c.get(51)).toBeDefined();
    expect(c.size()).toBe(40);
    c.deleteUpTo(10);
    expect(c.get(10)).toBeUndefined();
    expect(c.get(11)).toBeDefined();
    c.deleteFrom(11);
    expect(c.size()).toBe(0);
  });

  it('evicts a long tail from the front without losing the newest entries', () => {
    const c = new EntryCache(10 * 100);
    for (let i = 1; i <= 20_000; i += 100) c.add(Array.from({ length: 100 }, (_, k) => e(i + k)));
    expect(c.size()).toBe(1000);
    expect(c.get(20_000)).toBeDefined();
    expect(c.get(19_901)).toBeDefined();
    expect(c.get(19_900)).toBeUndefined();
  });
});
