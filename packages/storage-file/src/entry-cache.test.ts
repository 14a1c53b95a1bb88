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

  it('replaces entries and removes ranges with exact byte accounting', () => {
    const c = new EntryCache(1000);
    c.add([e(1), e(2), e(3), e(4)]);
    c.add([e(3, 50, 2)]);
    expect(c.get(3)?.term).toBe(2);
    expect(c.size()).toBe(80);
    c.deleteFrom(3, 4);
    expect(c.size()).toBe(20);
    c.deleteUpTo(1);
    expect(c.size()).toBe(10);
    expect(c.get(2)).toBeDefined();
    // Stale FIFO slots (replaced entry 3) do not evict the live replacement.
    const d = new EntryCache(20);
    d.add([e(1), e(2)]);
    d.add([e(1, 10, 5)]);
    d.add([e(3)]);
    expect(d.get(1)?.term).toBe(5);
    expect(d.size()).toBe(20);
  });
});
