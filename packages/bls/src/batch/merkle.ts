/**
 * The Merkle tree a batch signature commits to, as `TaskManager.respondToBatch`
 * computes it: leaves are 32-byte digests in batch order; a parent is
 * keccak256(left ‖ right); a node left without a sibling at the end of a level
 * is carried up unchanged (not paired with itself, which would let two batches
 * of different sizes share a root). The leaf count is part of what is signed
 * (see `batchDigest`), which fixes the tree's shape.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Digest, digestToBytes, digestToHex } from '../digest.js';
import { InvalidBatchError } from './errors.js';

/** A 0x-prefixed 32-byte hex string. */
export type Hex32 = `0x${string}`;

function parent(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(left, 0);
  buf.set(right, 32);
  return keccak_256(buf);
}

function levels(leaves: readonly Digest[]): Uint8Array[][] {
  if (leaves.length === 0) throw new InvalidBatchError('a Merkle tree needs at least one leaf');
  const out: Uint8Array[][] = [leaves.map(digestToBytes)];
  for (let level = out[0] as Uint8Array[]; level.length > 1; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? parent(level[i]!, level[i + 1]!) : level[i]!);
    }
    out.push(next);
    level = next;
  }
  return out;
}

/**
 * The root over `leaves` (at least one; a single leaf is its own root).
 * @throws InvalidBatchError for no leaves; InvalidEncodingError for a leaf that is not 32 bytes.
 */
export function merkleRoot(leaves: readonly Digest[]): Hex32 {
  const all = levels(leaves);
  return digestToHex(all[all.length - 1]![0]!);
}

/**
 * The siblings from leaf `index` up to the root (levels where the node is carried up add none).
 * @throws InvalidBatchError if `index` is not a leaf position.
 */
export function merkleProof(leaves: readonly Digest[], index: number): Hex32[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new InvalidBatchError(`leaf ${index} is not in a tree of ${leaves.length}`);
  }
  const proof: Hex32[] = [];
  const all = levels(leaves);
  let i = index;
  for (const level of all.slice(0, -1)) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(digestToHex(level[sibling]!));
    i >>= 1;
  }
  return proof;
}

/**
 * Whether `leaf` is at position `index` of a `count`-leaf tree with this root. Returns false
 * (never throws) for a wrong proof, position or count; throws only for malformed digests.
 */
export function verifyMerkleProof(
  leaf: Digest,
  index: number,
  count: number,
  proof: readonly Digest[],
  root: Digest,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) return false;
  let node = digestToBytes(leaf);
  let used = 0;
  for (let width = count, i = index; width > 1; width = (width + 1) >> 1, i >>= 1) {
    if ((i ^ 1) >= width) continue; // carried up: no sibling at this level
    if (used >= proof.length) return false;
    const sibling = digestToBytes(proof[used++]!);
    node = i & 1 ? parent(sibling, node) : parent(node, sibling);
  }
  return used === proof.length && digestToHex(node) === digestToHex(root);
}
