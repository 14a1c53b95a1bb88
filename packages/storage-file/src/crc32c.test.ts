import { describe, expect, it } from 'vitest';
import vectors from '../test/vectors/crc32c.json' with { type: 'json' };
import { crc32c } from './crc32c.js';

function input(v: { ascii?: string; hex?: string }): Uint8Array {
  return v.ascii !== undefined
    ? new TextEncoder().encode(v.ascii)
    : Uint8Array.from(Buffer.from(v.hex ?? '', 'hex'));
}

describe('crc32c', () => {
  for (const v of vectors.vectors) {
    it(`matches the published value: ${v.name}`, () => {
      expect(crc32c(input(v)).toString(16).padStart(8, '0')).toBe(v.crc);
    });
  }

  it('is the same computed in one go, in pieces, or on a sub-range', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    const whole = crc32c(data);
    for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(whole);
    }
    const padded = new Uint8Array(1010);
    padded.set(data, 5);
    expect(crc32c(padded, 0, 5, 1005)).toBe(whole);
  });

  it('agrees with a plain bit-at-a-time CRC-32C at every alignment and length', () => {
    const reference = (bytes: Uint8Array): number => {
      let c = 0xffffffff;
      for (const byte of bytes) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Uint8Array.from({ length: 200 }, (_, i) => (i * 131 + 17) & 0xff);
    for (let start = 0; start < 8; start++) {
      for (const length of [0, 1, 3, 15, 16, 17, 31, 32, 33, 64, 100, 150]) {
        const end = Math.min(data.length, start + length);
        expect(crc32c(data, 0, start, end)).toBe(reference(data.subarray(start, end)));
        // Also through a view that starts at an odd byte offset of its buffer.
        expect(crc32c(data.subarray(start, end))).toBe(reference(data.subarray(start, end)));
      }
    }
  });

  it('changes when any single bit flips', () => {
    const data = Uint8Array.from({ length: 64 }, (_, i) => i);
    const good = crc32c(data);
    for (let bit = 0; bit < 64 * 8; bit += 13) {
      const copy = data.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc32c(copy)).not.toBe(good);
    }
  });
});
