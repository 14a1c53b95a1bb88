import { type Entry, EntryType, type Snapshot } from '@avs/raft-core';
import {
  checkLogState,
  EMPTY_LOG_STATE,
  EMPTY_SNAPSHOT,
  entrySize,
  isCount,
  type KvBackend,
  type LoadedLog,
  type LogChange,
  type LogState,
  StorageCorruptError,
} from '@avs/storage-kv';
import { DurableObjectKeys } from './durable-object-keys.js';
import type { DurableObjectKvOperations, DurableObjectStorageLike } from './durable-object-storage.js';

/** The meta record: the log state and how the snapshot data is stored. */
interface MetaRecord {
  readonly v: 1;
  readonly state: LogState;
  readonly snapshotParts: number;
  readonly snapshotBytes: number;
}

/** An entry value: the data inline, or the count and size of its parts. */
interface EntryRecord {
  readonly t: number;
  readonly y: number;
  readonly d?: Uint8Array;
  readonly n?: number;
  readonly s?: number;
}

/** Durable Objects take at most 128 keys per `put`/`delete`/`get`. */
const KEYS_PER_CALL = 128;
/** Keys read per `list` page. */
const LIST_PAGE = 256;

/**
 * The Durable Object half of a `KvStorage`. Each change is one storage
 * transaction: the entries it writes, the entries it replaces or cuts off,
 * the snapshot parts and the meta record are committed together or not at
 * all, and the write resolves once the transaction is durable. Entries and
 * snapshots larger than one value (`partBytes`) are split into parts.
 * Entries below the compaction point are deleted after the commit (garbage a
 * crash may leave is removed when the log is next loaded).
 */
export class DurableObjectBackend implements KvBackend {
  private readonly keys: DurableObjectKeys;
  private meta: MetaRecord = { v: 1, state: EMPTY_LOG_STATE, snapshotParts: 0, snapshotBytes: 0 };

  /**
   * @param storage the object's `ctx.storage`.
   * @param prefix key prefix of this log (several logs may share an object).
   * @param partBytes largest value written (Durable Objects refuse values over 128 KiB).
   */
  constructor(
    private readonly storage: DurableObjectStorageLike,
    prefix: string,
    private readonly partBytes: number,
  ) {
    this.keys = new DurableObjectKeys(prefix);
  }

  private get location(): string {
    return `durable object storage ${JSON.stringify(this.keys.prefix)}`;
  }

  async load(tailBytes: number): Promise<LoadedLog> {
    const stored = await this.storage.get<MetaRecord>(this.keys.meta);
    if (stored !== undefined) this.meta = this.checkMeta(stored);
    const { state } = this.meta;
    // Garbage a crash left: below the compaction point (deleted after a commit) and past the last index.
    await this.deleteEntries(this.storage, this.keys.entry(0), this.keys.entry(state.compacted.index + 1));
    await this.deleteEntries(this.storage, this.keys.entry(state.lastIndex + 1), this.keys.entriesEnd);
    return { state, snapshot: await this.readSnapshot(), tail: await this.readTail(tailBytes) };
  }

  async readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    const out: Entry[] = [];
    let bytes = 0;
    for await (const entry of this.scanEntries(lo, hi)) {
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) return out;
      out.push(entry);
    }
    if (out.length < hi - lo) {
      throw new StorageCorruptError(this.location, `entry ${lo + out.length} is missing`);
    }
    return out;
  }

  async write(change: LogChange): Promise<void> {
    const { before, after, entries, snapshot } = change;
    let { snapshotParts, snapshotBytes } = this.meta;
    const puts: Record<string, unknown> = {};
    for (const entry of entries) this.putEntry(puts, entry);
    const staleSnapshotParts: string[] = [];
    if (snapshot) {
      const parts = Math.ceil(snapshot.data.byteLength / this.partBytes);
      for (let i = 0; i < parts; i++) {
        // A copy: the caller may reuse its buffer once the write resolved.
        puts[this.keys.snapshotPart(i)] = snapshot.data.slice(i * this.partBytes, (i + 1) * this.partBytes);
      }
      for (let i = parts; i < snapshotParts; i++) staleSnapshotParts.push(this.keys.snapshotPart(i));
      snapshotParts = parts;
      snapshotBytes = snapshot.data.byteLength;
    }
    const meta: MetaRecord = { v: 1, state: after, snapshotParts, snapshotBytes };
    puts[this.keys.meta] = meta;
    // Stored entries from here on are replaced (a conflicting suffix) or no longer in the log (cut off by a snapshot).
    const cut = Math.min(entries[0]?.index ?? Number.POSITIVE_INFINITY, after.lastIndex + 1);
    await this.storage.transaction(async (txn) => {
      if (cut <= before.lastIndex) await this.deleteEntries(txn, this.keys.entry(cut), this.keys.entriesEnd);
      await deleteKeys(txn, staleSnapshotParts);
      const all = Object.keys(puts);
      for (let i = 0; i < all.length; i += KEYS_PER_CALL) {
        const batch: Record<string, unknown> = {};
        for (const key of all.slice(i, i + KEYS_PER_CALL)) batch[key] = puts[key];
        await txn.put(batch);
      }
    });
    this.meta = meta;
    if (after.compacted.index > before.compacted.index) {
      const upTo = Math.min(after.compacted.index, before.lastIndex);
      await this.deleteEntries(
        this.storage,
        this.keys.entry(before.compacted.index + 1),
        this.keys.entry(upTo + 1),
      );
    }
  }

  async close(): Promise<void> {
    // Nothing to release: the object owns its storage.
  }

  private putEntry(puts: Record<string, unknown>, entry: Entry): void {
    const { data } = entry;
    if (data.byteLength <= this.partBytes) {
      puts[this.keys.entry(entry.index)] = {
        t: entry.term,
        y: entry.type,
        d: data.slice(),
      } satisfies EntryRecord;
      return;
    }
    const parts = Math.ceil(data.byteLength / this.partBytes);
    puts[this.keys.entry(entry.index)] = {
      t: entry.term,
      y: entry.type,
      n: parts,
      s: data.byteLength,
    } satisfies EntryRecord;
    for (let i = 0; i < parts; i++) {
      puts[this.keys.entryPart(entry.index, i)] = data.slice(i * this.partBytes, (i + 1) * this.partBytes);
    }
  }

  /** Deletes every key in `[start, end)`, listing them page by page. */
  private async deleteEntries(ops: DurableObjectKvOperations, start: string, end: string): Promise<void> {
    if (start >= end) return;
    for (;;) {
      const page = await ops.list({ start, end, limit: KEYS_PER_CALL });
      if (page.size === 0) return;
      await ops.delete([...page.keys()]);
      if (page.size < KEYS_PER_CALL) return;
    }
  }

  /** Entries `[lo, hi)` in order, parts joined; stops early at a gap (the caller reports it). */
  private async *scanEntries(lo: number, hi: number): AsyncGenerator<Entry> {
    let start = this.keys.entry(lo);
    const end = this.keys.entry(hi);
    let head: { index: number; record: EntryRecord; parts: Uint8Array[] } | undefined;
    for (;;) {
      const page = await this.storage.list<EntryRecord | Uint8Array>({ start, end, limit: LIST_PAGE });
      for (const [key, value] of page) {
        const parsed = this.keys.parseEntry(key);
        if (!parsed) throw new StorageCorruptError(this.location, `unexpected key ${key} among entries`);
        if (parsed.part >= 0) {
          if (!head || head.index !== parsed.index || !(value instanceof Uint8Array)) {
            throw new StorageCorruptError(this.location, `entry ${parsed.index} has a stray part`);
          }
          head.parts.push(value);
          continue;
        }
        if (head) yield this.decode(head.index, head.record, head.parts);
        head = { index: parsed.index, record: value as EntryRecord, parts: [] };
      }
      if (page.size < LIST_PAGE) break;
      start = `${[...page.keys()].at(-1)}\u0000`;
    }
    if (head) yield this.decode(head.index, head.record, head.parts);
  }

  private decode(index: number, record: EntryRecord, parts: readonly Uint8Array[]): Entry {
    const valid =
      typeof record === 'object' &&
      record !== null &&
      isCount(record.t) &&
      (record.y === EntryType.Normal || record.y === EntryType.ConfChange);
    if (!valid) throw new StorageCorruptError(this.location, `entry ${index} is malformed`);
    if (record.d instanceof Uint8Array) return { index, term: record.t, type: record.y, data: record.d };
    if (!isCount(record.n) || !isCount(record.s) || parts.length !== record.n) {
      throw new StorageCorruptError(this.location, `entry ${index} is missing parts`);
    }
    const data = new Uint8Array(record.s);
    let offset = 0;
    for (const part of parts) {
      if (offset + part.byteLength > data.byteLength) {
        throw new StorageCorruptError(this.location, `entry ${index} has too many bytes`);
      }
      data.set(part, offset);
      offset += part.byteLength;
    }
    if (offset !== data.byteLength) throw new StorageCorruptError(this.location, `entry ${index} is short`);
    return { index, term: record.t, type: record.y, data };
  }

  /** The newest entries, newest last, holding at most `tailBytes` of payload. */
  private async readTail(tailBytes: number): Promise<Entry[]> {
    const { compacted, lastIndex } = this.meta.state;
    // Walk back from the newest entry in windows, so a small tail reads little.
    const tail: Entry[] = [];
    let bytes = 0;
    let hi = lastIndex + 1;
    while (hi > compacted.index + 1) {
      const lo = Math.max(compacted.index + 1, hi - LIST_PAGE);
      const window = await this.readEntries(lo, hi, Number.POSITIVE_INFINITY);
      for (let i = window.length - 1; i >= 0; i--) {
        const entry = window[i] as Entry;
        bytes += entrySize(entry);
        if (bytes > tailBytes) return tail.reverse();
        tail.push(entry);
      }
      hi = lo;
    }
    return tail.reverse();
  }

  private async readSnapshot(): Promise<Snapshot> {
    const { state, snapshotParts, snapshotBytes } = this.meta;
    if (state.snapshot.index === 0 && snapshotParts === 0) return EMPTY_SNAPSHOT;
    const data = new Uint8Array(snapshotBytes);
    let offset = 0;
    for (let i = 0; i < snapshotParts; i += KEYS_PER_CALL) {
      const keys = Array.from({ length: Math.min(KEYS_PER_CALL, snapshotParts - i) }, (_, k) =>
        this.keys.snapshotPart(i + k),
      );
      const values = await this.storage.get<Uint8Array>(keys);
      for (const key of keys) {
        const part = values.get(key);
        if (!(part instanceof Uint8Array) || offset + part.byteLength > snapshotBytes) {
          throw new StorageCorruptError(this.location, `snapshot part ${key} is missing or too long`);
        }
        data.set(part, offset);
        offset += part.byteLength;
      }
    }
    if (offset !== snapshotBytes) {
      throw new StorageCorruptError(
        this.location,
        `snapshot holds ${offset} bytes, expected ${snapshotBytes}`,
      );
    }
    return { metadata: state.snapshot, data };
  }

  private checkMeta(value: unknown): MetaRecord {
    const meta = value as Partial<MetaRecord> | null;
    if (meta?.v !== 1 || !isCount(meta.snapshotParts) || !isCount(meta.snapshotBytes)) {
      throw new StorageCorruptError(this.location, 'the meta record is malformed');
    }
    return { ...meta, state: checkLogState(meta.state, this.location) } as MetaRecord;
  }
}

async function deleteKeys(ops: DurableObjectKvOperations, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += KEYS_PER_CALL) await ops.delete(keys.slice(i, i + KEYS_PER_CALL));
}
