import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from './bytes.js';
import { forcePureJsDigest, hasNativeDigest, hmacSha256, sha256 } from './sha256-digest.js';

afterEach(() => forcePureJsDigest(false));

describe('sha256 digests', () => {
  it('finds the native digest on Node', () => {
    expect(hasNativeDigest()).toBe(true);
  });

  for (const mode of ['native', 'pure JS'] as const) {
    it(`${mode}: matches RFC 4231 test case 2 and noble on split inputs`, () => {
      forcePureJsDigest(mode === 'pure JS');
      expect(hasNativeDigest()).toBe(mode === 'native');
      // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?"
      expect(bytesToHex(hmacSha256(utf8('Jefe'), utf8('what do ya want '), utf8('for nothing?')))).toBe(
        '0x5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      );
      expect(bytesToHex(sha256(utf8('abc')))).toBe(
        '0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff);
      const key = new Uint8Array(32).fill(9);
      expect(hmacSha256(key, big.subarray(0, 77), big.subarray(77))).toEqual(hmac(nobleSha256, key, big));
      expect(sha256(big)).toEqual(nobleSha256(big));
    });
  }
});
