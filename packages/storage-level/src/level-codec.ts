import type { Entry, EntryType } from '@avs/raft-core';
import { checkLogState, isCount, type LogState, StorageCorruptError } from '@avs/storage-kv';

const TWO_32 = 2 ** 32;
const ENTRY_HEADER = 9;

/**
 * An entry's value: term (u64 BE), type (u8), then the payload. The index is
 * the key. A copy of the payload, so the caller may reuse its buffer.
 */
export function encodeEntry(entry: Entry): Uint8Array {
  const out = new Uint8Array(ENTRY_HEADER + entry.data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(entry.term / TWO_32));
  view.setUint32(4, entry.term >>> 0);
  out[8] = entry.type;
  out.set(entry.data, ENTRY_HEADER);
  return out;
}

/**
 * Decodes an entry's value stored under `index`.
 * @throws StorageCorruptError when the value is shorter than its header.
 */
export function decodeEntry(index: number, value: Uint8Array): Entry {
  if (value.byteLength < ENTRY_HEADER) {
    throw new StorageCorruptError(
      `leveldb entry ${index}`,
      `value has ${value.byteLength} bytes, expected at least ${ENTRY_HEADER}`,
    );
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return {
    index,
    term: view.getUint32(0) * TWO_32 + view.getUint32(4),
    type: value[8] as EntryType,
    data: value.subarray(ENTRY_HEADER),
  };
}

/** The meta record: the log state plus where the snapshot data lives. */
export interface LevelMeta {
  readonly version: 1;
  readonly state: LogState;
  /** Number of `s` chunks holding the latest snapshot's data. */
  readonly snapshotChunks: number;
  /** Total bytes of the latest snapshot's data. */
  readonly snapshotBytes: number;
}

/** Encodes the meta record as UTF-8 JSON (small, and readable with any LevelDB tool). */
export function encodeMeta(meta: LevelMeta): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(meta));
}

/**
 * Decodes and checks the meta record.
 * @throws StorageCorruptError when it is not a version-1 meta record.
 */
export function decodeMeta(value: Uint8Array): LevelMeta {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value));
  } catch (cause) {
    throw new StorageCorruptError('leveldb meta record', 'is not UTF-8 JSON', { cause });
  }
  const meta = parsed as Partial<LevelMeta> | null;
  if (meta?.version !== 1 || !isCount(meta.snapshotChunks) || !isCount(meta.snapshotBytes)) {
    throw new StorageCorruptError(
      'leveldb meta record',
      'expected {version: 1, state, snapshotChunks, snapshotBytes} with non-negative integer counts',
    );
  }
  return { ...meta, state: checkLogState(meta.state, 'leveldb meta record state') } as LevelMeta;
}
