import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { secp256k1 } from './secp256k1-curve.js';

describe('lazily built secp256k1', () => {
  const keys = [1n, 2n, 0xdeadbeefn, noble.Point.CURVE().n - 1n].map((k) => {
    const bytes = new Uint8Array(32);
    for (let i = 0, v = k; i < 32; i++, v >>= 8n) bytes[31 - i] = Number(v & 0xffn);
    return bytes;
  });

  it('is built once and reused', () => {
    expect(secp256k1()).toBe(secp256k1());
  });

  it('derives the same public keys and shared secrets as noble secp256k1', () => {
    for (const key of keys) {
      expect(secp256k1().getPublicKey(key, false)).toEqual(noble.getPublicKey(key, false));
      expect(secp256k1().getPublicKey(key, true)).toEqual(noble.getPublicKey(key, true));
    }
    const peer = noble.getPublicKey(keys[2] as Uint8Array, true);
    expect(secp256k1().getSharedSecret(keys[1] as Uint8Array, peer)).toEqual(
      noble.getSharedSecret(keys[1] as Uint8Array, peer),
    );
  });

  it('makes the same deterministic (RFC 6979) signatures, and each verifies and recovers the other', () => {
    const digest = sha256(new TextEncoder().encode('avs-raft'));
    for (const key of keys) {
      const ours = secp256k1().sign(digest, key, { prehash: false, format: 'recovered' });
      const theirs = noble.sign(digest, key, { prehash: false, format: 'recovered' });
      expect(ours).toEqual(theirs);
      expect(secp256k1().recoverPublicKey(theirs, digest, { prehash: false })).toEqual(
        noble.getPublicKey(key, true),
      );
      const compact = secp256k1().sign(digest, key, { prehash: false });
      expect(noble.verify(compact, digest, noble.getPublicKey(key), { prehash: false })).toBe(true);
      const wrong = sha256(digest);
      expect(secp256k1().verify(compact, wrong, noble.getPublicKey(key), { prehash: false })).toBe(false);
    }
  });
});
