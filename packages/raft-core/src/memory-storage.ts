import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT_METADATA } from './conf-state.js';
import { CompactedError, RaftUsageError, StorageClosedError, StorageFatalError } from './errors.js';
import type { InitialState, Storage, StorageUpdate } from './storage.js';
import type { Entry, HardState, Snapshot } from './types.js';
import { EntryType } from './types.js';

/** Options of {@link MemoryStorage}, mostly hooks for tests. */
export interface MemoryStorageOptions {
  /**
   * Called before each write (`save`, `createSnapshot`, `compact`) is applied;
   * the write waits for the returned promise. Lets tests make storage slow, or
   * fail (reject, and the storage turns fatal).
   */
  beforeWrite?: (kind: 'save' | 'createSnapshot' | 'compact', update?: StorageUpdate) => Promise<void> | void;
}

/**
 * The reference {@link Storage}: everything in memory, nothing survives the
 * process. A write is applied atomically when its promise resolves, so a test
 * that drops the object after a crash keeps exactly what was "durable".
 *
 * `firstIndex() - 1` is the compaction point (as in etcd): `createSnapshot`
 * keeps the log, `compact` drops the prefix.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = { metadata: EMPTY_SNAPSHOT_METADATA, data: new Uint8Array(0) };
  /** ents[0] is a dummy entry holding the compaction point's index and term. */
  private ents: Entry[] = [{ index: 0, term: 0, type: EntryType.Normal, data: new Uint8Array(0) }];
  private failed: unknown;
  private closed = false;
  private writeChain: Promise<void> = Promise.resolve();
  private readonly beforeWrite: MemoryStorageOptions['beforeWrite'];
  /** Number of writes applied so far (tests use it to see that writes happened). */
  writes = 0;

  constructor(options: MemoryStorageOptions = {}) {
    this.beforeWrite = options.beforeWrite;
  }

  async initialState(): Promise<InitialState> {
    this.checkOpen();
    return { hardState: this.hardState, snapshotMetadata: this.snap.metadata };
  }

  /** The persisted hard state (synchronous; for tests and simulations). */
  getHardState(): HardState {
    return this.hardState;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.ents[0]!.index;
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) {
      throw new RaftUsageError(`entries(${lo}, ${hi}) is out of bounds: lastIndex is ${this.lastIndex()}`);
    }
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - offset]!;
      size += e.data.byteLength;
      if (out.length > 0 && size > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: number): number {
    const offset = this.ents[0]!.index;
    if (index < offset) throw new CompactedError(index, offset + 1);
    if (index > this.lastIndex()) {
      throw new RaftUsageError(`term(${index}) is out of bounds: lastIndex is ${this.lastIndex()}`);
    }
    return this.ents[index - offset]!.term;
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  save(update: StorageUpdate): Promise<void> {
    return this.write('save', update, () => {
      if (update.snapshot) this.applySnapshot(update.snapshot);
      if (update.entries && update.entries.length > 0) this.append(update.entries);
      if (update.hardState) this.hardState = update.hardState;
    });
  }

  /**
   * Applies an update synchronously (simulations and tests that model
   * durability themselves). Same rules as {@link save}.
   */
  saveSync(update: StorageUpdate): void {
    this.checkOpen();
    if (update.snapshot) this.applySnapshot(update.snapshot);
    if (update.entries && update.entries.length > 0) this.append(update.entries);
    if (update.hardState) this.hardState = update.hardState;
    this.writes++;
  }

  createSnapshot(snapshot: Snapshot): Promise<void> {
    return this.write('createSnapshot', undefined, () => this.createSnapshotNow(snapshot));
  }

  /** {@link createSnapshot}, applied synchronously (simulations). */
  createSnapshotSync(snapshot: Snapshot): void {
    this.checkOpen();
    this.createSnapshotNow(snapshot);
  }

  /** {@link compact}, applied synchronously (simulations). */
  compactSync(index: number): void {
    this.checkOpen();
    this.compactNow(index);
  }

  private createSnapshotNow(snapshot: Snapshot): void {
    {
      const { index } = snapshot.metadata;
      if (index <= this.snap.metadata.index) return; // older than what we have: nothing to do
      if (index > this.lastIndex()) {
        throw new RaftUsageError(`snapshot index ${index} is past lastIndex ${this.lastIndex()}`);
      }
      this.snap = snapshot;
    }
  }

  compact(index: number): Promise<void> {
    return this.write('compact', undefined, () => this.compactNow(index));
  }

  private compactNow(index: number): void {
    {
      const offset = this.ents[0]!.index;
      if (index <= offset) return;
      if (index > this.snap.metadata.index) {
        throw new RaftUsageError(
          `compact(${index}) is past the latest snapshot's index ${this.snap.metadata.index}`,
        );
      }
      const kept = this.ents.slice(index - offset);
      const head = kept[0]!;
      kept[0] = { index: head.index, term: head.term, type: EntryType.Normal, data: new Uint8Array(0) };
      this.ents = kept;
    }
  }

  onAvailable(_listener: () => void): void {
    // Everything is always in memory: the listener is never needed.
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private write(
    kind: 'save' | 'createSnapshot' | 'compact',
    update: StorageUpdate | undefined,
    apply: () => void,
  ) {
    if (!this.beforeWrite) {
      // No hook: nothing is ever pending, so applying now keeps the order and saves promise hops.
      try {
        this.checkOpen();
        apply();
      } catch (err) {
        return Promise.reject(err);
      }
      this.writes++;
      return Promise.resolve();
    }
    const run = async (): Promise<void> => {
      this.checkOpen();
      if (this.beforeWrite) {
        try {
          await this.beforeWrite(kind, update);
        } catch (err) {
          this.failed = err;
          throw new StorageFatalError(`memory storage ${kind} failed`, { cause: err });
        }
      }
      this.checkOpen();
      apply();
      this.writes++;
    };
    const p = this.writeChain.then(run);
    this.writeChain = p.catch(() => undefined);
    return p;
  }

  private checkOpen(): void {
    if (this.failed !== undefined) {
      throw new StorageFatalError('memory storage failed earlier; refusing writes', { cause: this.failed });
    }
    if (this.closed) throw new StorageClosedError();
  }

  private applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    this.snap = snapshot;
    this.ents = [{ index, term, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  private append(entries: readonly Entry[]): void {
    const first = this.firstIndex();
    const last = entries[entries.length - 1]!.index;
    if (last < first) return; // entirely compacted already
    let ents = entries;
    if (first > ents[0]!.index) ents = ents.slice(first - ents[0]!.index);
    const start = ents[0]!.index;
    if (start > this.lastIndex() + 1) {
      throw new RaftUsageError(`append at ${start} leaves a gap after lastIndex ${this.lastIndex()}`);
    }
    const offset = this.ents[0]!.index;
    // Truncate in place: copying the array on every append would make appends O(log length).
    this.ents.length = start - offset;
    for (const e of ents) this.ents.push(e);
  }
}
