import { describe, expect, it } from 'vitest';
import { entryKey, entryKeyIndex } from './level-keys.js';

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

describe('entryKey', () => {
  it('sorts keys in numeric order, across byte and 32-bit boundaries', () => {
    const indexes = [1, 2, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1];
    const keys = indexes.map(entryKey);
    const sorted = [...keys].sort(compareBytes);
    expect(sorted.map((k) => entryKeyIndex(k))).toEqual(indexes);
  });

  it('round-trips and rejects keys of other kinds', () => {
    expect(entryKeyIndex(entryKey(123_456_789_012))).toBe(123_456_789_012);
    expect(entryKeyIndex(new Uint8Array([0x6d]))).toBeUndefined();
    expect(entryKeyIndex(new Uint8Array(9))).toBeUndefined();
  });
});
