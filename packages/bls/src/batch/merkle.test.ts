import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { digestToHex } from '../digest.js';
import { merkleProof, merkleRoot, verifyMerkleProof } from './merkle.js';

const leaf = (i: number) => digestToHex(keccak_256(utf8ToBytes(`response ${i}`)));
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leaf(i));
const h = (a: string, b: string) => `0x${bytesToHex(keccak_256(hexToBytes(a.slice(2) + b.slice(2))))}`;

describe('merkle tree', () => {
  it('is the leaf for one leaf, and pairs then carries an odd last node up', () => {
    const [a, b, c] = leaves(3) as [`0x${string}`, `0x${string}`, `0x${string}`];
    expect(merkleRoot([a])).toBe(a);
    expect(merkleRoot([a, b])).toBe(h(a, b));
    expect(merkleRoot([a, b, c])).toBe(h(h(a, b), c));
    expect(merkleProof([a, b, c], 2)).toEqual([h(a, b)]);
    expect(merkleProof([a], 0)).toEqual([]);
  });

  it('proves every position of trees of 1 to 17 leaves, and nothing else', () => {
    for (let n = 1; n <= 17; n++) {
      const ls = leaves(n);
      const root = merkleRoot(ls);
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(ls, i);
        expect(verifyMerkleProof(ls[i]!, i, n, proof, root)).toBe(true);
        // Another leaf or position, a changed sibling or an extra one, fails. (The count is not bound
        // by the proof alone: it is part of the signed batch digest and stored on-chain.)
        expect(verifyMerkleProof(leaf(100), i, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyMerkleProof(ls[i]!, (i + 1) % n, n, proof, root)).toBe(false);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[0] = leaf(200);
          expect(verifyMerkleProof(ls[i]!, i, n, bad, root)).toBe(false);
          expect(verifyMerkleProof(ls[i]!, i, n, [...proof, leaf(1)], root)).toBe(false);
        }
      }
    }
  });

  it('gives trees of different sizes different roots (no duplicated last leaf)', () => {
    const ls = leaves(3);
    expect(merkleRoot(ls)).not.toBe(merkleRoot([...ls, ls[2]!]));
  });

  it('refuses an empty tree and a position outside it', () => {
    expect(() => merkleRoot([])).toThrow(expect.objectContaining({ code: 'INVALID_BATCH' }));
    expect(() => merkleProof(leaves(2), 2)).toThrow(expect.objectContaining({ code: 'INVALID_BATCH' }));
    expect(verifyMerkleProof(leaf(0), 0, 0, [], leaf(0))).toBe(false);
  });
});
