import type { Entry, Snapshot } from '@avs/raft-core';
import {
  EMPTY_LOG_STATE,
  EMPTY_SNAPSHOT,
  entrySize,
  type KvBackend,
  type LoadedLog,
  type LogChange,
  StorageCorruptError,
} from '@avs/storage-kv';
import { ClassicLevel } from 'classic-level';
import { LevelLockedError } from './errors.js';
import { decodeEntry, decodeMeta, encodeEntry, encodeMeta, type LevelMeta } from './level-codec.js';
import { entryKey, entryKeyIndex, META_KEY, snapshotChunkKey } from './level-keys.js';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/** How many entries one iterator step fetches from LevelDB. */
const ITERATOR_STEP = 256;

/**
 * The LevelDB half of a `KvStorage`. Each change is one LevelDB batch written
 * with `sync: true` (LevelDB appends it to its write-ahead log and fsyncs it,
 * and a batch is applied entirely or not at all after a crash). Keys outside
 * the log's `(compacted, lastIndex]` are garbage, removed with range deletes.
 */
export class LevelBackend implements KvBackend {
  private readonly db: Db;
  private meta: LevelMeta = { version: 1, state: EMPTY_LOG_STATE, snapshotChunks: 0, snapshotBytes: 0 };

  /**
   * @param location directory of the database (created if missing).
   * @param snapshotChunkBytes size of the values snapshot data is split into.
   */
  constructor(
    readonly location: string,
    private readonly snapshotChunkBytes: number,
  ) {
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(location, {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
  }

  async load(tailBytes: number): Promise<LoadedLog> {
    try {
      await this.db.open({ createIfMissing: true });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') throw new LevelLockedError(this.location, { cause: error });
      throw error;
    }
    try {
      const stored = await this.db.get(META_KEY);
      if (stored) this.meta = decodeMeta(stored);
      const { state } = this.meta;
      await this.removeGarbage(0, state.compacted.index);
      await this.removeGarbage(state.lastIndex, Number.MAX_SAFE_INTEGER);
      return { state, snapshot: await this.readSnapshot(), tail: await this.readTail(tailBytes) };
    } catch (error) {
      // Release the lock: a storage that failed to open is never closed by its owner.
      await this.db.close();
      throw error;
    }
  }

  async readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    const out: Entry[] = [];
    let bytes = 0;
    const iterator = this.db.iterator({ gte: entryKey(lo), lt: entryKey(hi) });
    try {
      for (;;) {
        const step = await iterator.nextv(ITERATOR_STEP);
        if (step.length === 0) break;
        for (const [key, value] of step) {
          const entry = this.decodeAt(lo + out.length, key, value);
          bytes += entrySize(entry);
          if (out.length > 0 && bytes > maxBytes) return out;
          out.push(entry);
        }
      }
    } finally {
      await iterator.close();
    }
    if (out.length < hi - lo) {
      throw new StorageCorruptError(`leveldb ${this.location}`, `entry ${lo + out.length} is missing`);
    }
    return out;
  }

  async write(change: LogChange): Promise<void> {
    const { before, after, entries, snapshot } = change;
    // A chained batch hands each operation to LevelDB as it is added: several times faster than an array batch.
    const batch = this.db.batch();
    for (const entry of entries) batch.put(entryKey(entry.index), encodeEntry(entry));
    let { snapshotChunks, snapshotBytes } = this.meta;
    if (snapshot) {
      const data = snapshot.data;
      const chunks = Math.ceil(data.byteLength / this.snapshotChunkBytes);
      for (let i = 0; i < chunks; i++) {
        // A copy: the caller may reuse its buffer once the write resolved.
        batch.put(
          snapshotChunkKey(i),
          data.slice(i * this.snapshotChunkBytes, (i + 1) * this.snapshotChunkBytes),
        );
      }
      for (let i = chunks; i < snapshotChunks; i++) batch.del(snapshotChunkKey(i));
      snapshotChunks = chunks;
      snapshotBytes = data.byteLength;
    }
    const meta: LevelMeta = { version: 1, state: after, snapshotChunks, snapshotBytes };
    batch.put(META_KEY, encodeMeta(meta));
    await batch.write({ sync: true });
    this.meta = meta;
    // Garbage only from here on: the meta record already excludes it, so these need no sync.
    if (after.lastIndex < before.lastIndex) await this.removeGarbage(after.lastIndex, before.lastIndex);
    if (after.compacted.index > before.compacted.index) {
      await this.removeGarbage(before.compacted.index, Math.min(after.compacted.index, before.lastIndex));
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Closes the database underneath this backend, so its next write fails in
   * classic-level as it would on an I/O error. For fault-injection tests.
   */
  async breakForTests(): Promise<void> {
    await this.db.close();
  }

  /** Range-deletes entry keys in `(after, upTo]`. */
  private async removeGarbage(after: number, upTo: number): Promise<void> {
    if (upTo <= after) return;
    await this.db.clear({ gt: entryKey(after), lte: entryKey(upTo) });
  }

  private async readSnapshot(): Promise<Snapshot> {
    const { state, snapshotChunks, snapshotBytes } = this.meta;
    if (state.snapshot.index === 0 && snapshotChunks === 0) return EMPTY_SNAPSHOT;
    const keys = Array.from({ length: snapshotChunks }, (_, i) => snapshotChunkKey(i));
    const chunks = await this.db.getMany(keys);
    const data = new Uint8Array(snapshotBytes);
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      if (!chunk || offset + chunk.byteLength > snapshotBytes) {
        throw new StorageCorruptError(
          `leveldb ${this.location} snapshot chunk ${i}`,
          'is missing or too long',
        );
      }
      data.set(chunk, offset);
      offset += chunk.byteLength;
    }
    if (offset !== snapshotBytes) {
      throw new StorageCorruptError(
        `leveldb ${this.location} snapshot`,
        `holds ${offset} bytes, expected ${snapshotBytes}`,
      );
    }
    return { metadata: state.snapshot, data };
  }

  /** The newest entries, newest last, holding at most `tailBytes` of payload. */
  private async readTail(tailBytes: number): Promise<Entry[]> {
    const { compacted, lastIndex } = this.meta.state;
    const tail: Entry[] = [];
    let bytes = 0;
    const iterator = this.db.iterator({
      gt: entryKey(compacted.index),
      lte: entryKey(lastIndex),
      reverse: true,
    });
    try {
      for (;;) {
        const step = await iterator.nextv(ITERATOR_STEP);
        if (step.length === 0) break;
        for (const [key, value] of step) {
          const entry = this.decodeAt(lastIndex - tail.length, key, value);
          bytes += entrySize(entry);
          if (bytes > tailBytes) return tail.reverse();
          tail.push(entry);
        }
      }
    } finally {
      await iterator.close();
    }
    if (tail.length < lastIndex - compacted.index) {
      throw new StorageCorruptError(
        `leveldb ${this.location}`,
        `entry ${lastIndex - tail.length} is missing`,
      );
    }
    return tail.reverse();
  }

  /** Decodes the entry under `key`, which must be the key of `expected`. */
  private decodeAt(expected: number, key: Uint8Array, value: Uint8Array): Entry {
    const index = entryKeyIndex(key);
    if (index !== expected) {
      throw new StorageCorruptError(
        `leveldb ${this.location}`,
        `entry ${expected} is missing (found ${index === undefined ? 'a foreign key' : `entry ${index}`} in its place)`,
      );
    }
    return decodeEntry(index, value);
  }
}
