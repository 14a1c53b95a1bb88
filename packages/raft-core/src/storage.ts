import type { Entry, HardState, Snapshot, SnapshotMetadata } from './types.js';

/** What a backend has persisted, read once when a node starts. */
export interface InitialState {
  readonly hardState: HardState;
  /** Metadata of the latest snapshot (index 0, term 0 and an empty configuration when there is none). */
  readonly snapshotMetadata: SnapshotMetadata;
}

/**
 * One durable write: everything a `Ready` asks to persist. Backends write it
 * as one group (one fsync) and resolve only once it is on stable storage.
 */
export interface StorageUpdate {
  /** Entries to append. Any stored entry at or after `entries[0].index` is replaced (the conflicting suffix). */
  readonly entries?: readonly Entry[];
  readonly hardState?: HardState;
  /**
   * A snapshot received from the leader: it replaces the whole log. After it,
   * `firstIndex() === metadata.index + 1` and `lastIndex() === metadata.index`.
   * Applied before `entries` of the same update.
   */
  readonly snapshot?: Snapshot;
}

/**
 * Durable storage of the Raft log, hard state and snapshots, implemented by
 * `@avs/storage-*` (and {@link MemoryStorage}, the reference).
 *
 * Writes are asynchronous and resolve only when durable. Reads are synchronous,
 * so Raft's core never awaits: a backend serves them from memory (the log tail
 * and a cache). For a range it does not hold in memory it throws
 * {@link UnavailableError}, loads it, and calls the {@link onAvailable}
 * listener; Raft retries then.
 *
 * Invariants: `firstIndex() - 1` is the latest snapshot's index; `term(firstIndex() - 1)`
 * is that snapshot's term; entries `[firstIndex(), lastIndex()]` are contiguous.
 * An empty log has `firstIndex() === 1` and `lastIndex() === 0`.
 *
 * A write that fails must reject with `StorageFatalError` and the backend must
 * refuse every later write: the caller stops the node rather than carry on.
 */
export interface Storage {
  /** Loads persisted state. Called once before any other method. */
  initialState(): Promise<InitialState>;
  /**
   * Entries in `[lo, hi)`, at most `maxBytes` of entry data in total but always
   * at least one entry. Throws `CompactedError` below `firstIndex()`,
   * `UnavailableError` for a range not in memory.
   */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at `index`; valid from `firstIndex() - 1` to `lastIndex()`. Throws like {@link entries}. */
  term(index: number): number;
  /** Index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number;
  /** Index of the last entry in the log (the snapshot index when the log is empty). */
  lastIndex(): number;
  /** The latest snapshot. Throws `UnavailableError` while it is being loaded. */
  snapshot(): Snapshot;
  /** Persists an update durably (see {@link StorageUpdate}). Calls are made one at a time, in order. */
  save(update: StorageUpdate): Promise<void>;
  /**
   * Stores a snapshot the local state machine took at `snapshot.metadata.index`
   * (at most `lastIndex()`). Entries after it are kept; call {@link compact} to drop older ones.
   */
  createSnapshot(snapshot: Snapshot): Promise<void>;
  /** Discards entries up to and including `index`, which must not exceed the latest snapshot's index. */
  compact(index: number): Promise<void>;
  /** Registers the listener for "a range you asked for is now in memory". */
  onAvailable(listener: () => void): void;
  /** Flushes and releases resources. Idempotent; concurrent calls share one close. */
  close(): Promise<void>;
}
