import { describe, expect, it } from 'vitest';
import type { KvOperation } from './history.js';
import { findLostWrites } from './lost-writes.js';

const put = (
  id: number,
  value: string,
  a: number,
  b: number,
  outcome: 'ok' | 'unknown' = 'ok',
): KvOperation => ({
  id,
  client: 0,
  key: 'k',
  input: { f: 'put', value },
  invokedAt: a,
  completedAt: b,
  outcome,
  ...(outcome === 'ok' ? { output: { f: 'put' } } : {}),
});

describe('findLostWrites', () => {
  it('finds nothing when the final value is the last acknowledged write', () => {
    expect(findLostWrites([put(1, 'a', 0, 1), put(2, 'b', 2, 3)], new Map([['k', 'b']]))).toEqual([]);
  });

  it('accepts either of two concurrent writes, and an unknown write applied late', () => {
    expect(findLostWrites([put(1, 'a', 0, 5), put(2, 'b', 1, 6)], new Map([['k', 'a']]))).toEqual([]);
    expect(
      findLostWrites([put(1, 'a', 0, 1), put(2, 'b', 0.5, 0.7, 'unknown')], new Map([['k', 'b']])),
    ).toEqual([]);
  });

  it('reports an acknowledged write overwritten by an older one, or gone', () => {
    expect(findLostWrites([put(1, 'a', 0, 1), put(2, 'b', 2, 3)], new Map([['k', 'a']]))).toEqual([
      { key: 'k', operation: 2, finalValue: 'a' },
    ]);
    expect(findLostWrites([put(1, 'a', 0, 1)], new Map([['k', null]]))).toEqual([
      { key: 'k', operation: 1, finalValue: null },
    ]);
    expect(findLostWrites([put(1, 'a', 0, 1)], new Map([['k', 'zzz']]))).toHaveLength(1);
  });
});
