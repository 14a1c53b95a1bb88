/**
 * Key layout of the LevelDB store. Every key starts with a one-byte tag;
 * numbers are fixed-width big-endian so lexicographic key order is numeric
 * order and a range of entries is one contiguous key range.
 *
 * | key                          | value                                   |
 * | ---------------------------- | --------------------------------------- |
 * | `e` + index (u64 BE)         | an entry ({@link encodeEntry})          |
 * | `m`                          | the log state, JSON ({@link encodeMeta}) |
 * | `s` + chunk number (u32 BE)  | one chunk of the latest snapshot's data |
 */

const ENTRY_TAG = 0x65; // 'e'
const SNAPSHOT_TAG = 0x73; // 's'
const TWO_32 = 2 ** 32;

/** Key of the log state record. */
export const META_KEY = new Uint8Array([0x6d]); // 'm'

/** Key of the entry at `index`. */
export function entryKey(index: number): Uint8Array {
  const key = new Uint8Array(9);
  const view = new DataView(key.buffer);
  key[0] = ENTRY_TAG;
  view.setUint32(1, Math.floor(index / TWO_32));
  view.setUint32(5, index >>> 0);
  return key;
}

/** Index of an entry key, or undefined when `key` is not one. */
export function entryKeyIndex(key: Uint8Array): number | undefined {
  if (key.byteLength !== 9 || key[0] !== ENTRY_TAG) return undefined;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return view.getUint32(1) * TWO_32 + view.getUint32(5);
}

/** Key of snapshot chunk number `chunk`. */
export function snapshotChunkKey(chunk: number): Uint8Array {
  const key = new Uint8Array(5);
  key[0] = SNAPSHOT_TAG;
  new DataView(key.buffer).setUint32(1, chunk);
  return key;
}
