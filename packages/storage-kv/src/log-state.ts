import {
  type Entry,
  type HardState,
  RaftUsageError,
  type Snapshot,
  type SnapshotMetadata,
  type StorageUpdate,
} from '@avs/raft-core';

/** The hard state of a node that never persisted one. */
export const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/** Snapshot metadata meaning "no snapshot yet". */
export const EMPTY_SNAPSHOT_METADATA: SnapshotMetadata = {
  index: 0,
  term: 0,
  confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
};

/** The snapshot meaning "no snapshot yet". */
export const EMPTY_SNAPSHOT: Snapshot = { metadata: EMPTY_SNAPSHOT_METADATA, data: new Uint8Array(0) };

/** The log position before the first entry: the compaction point. */
export interface LogPosition {
  readonly index: number;
  readonly term: number;
}

/**
 * Everything a backend persists besides entry payloads and snapshot data. The
 * log holds the entries `(compacted.index, lastIndex]`; anything a backend
 * stores outside that range is garbage it may delete at leisure.
 */
export interface LogState {
  readonly hardState: HardState;
  /** Entries up to and including `compacted.index` are discarded; `compacted.term` is that entry's term. */
  readonly compacted: LogPosition;
  readonly lastIndex: number;
  /** Metadata of the latest snapshot (data is stored and held separately). */
  readonly snapshot: SnapshotMetadata;
}

/** The state of a storage that never persisted anything. */
export const EMPTY_LOG_STATE: LogState = {
  hardState: EMPTY_HARD_STATE,
  compacted: { index: 0, term: 0 },
  lastIndex: 0,
  snapshot: EMPTY_SNAPSHOT_METADATA,
};

/**
 * One durable change a backend must make atomically (as seen after a crash:
 * either `before` or `after`, never a mix).
 */
export interface LogChange {
  readonly before: LogState;
  readonly after: LogState;
  /**
   * Entries to write: contiguous, ending at `after.lastIndex`. Stored entries
   * at and after `entries[0].index` are replaced.
   */
  readonly entries: readonly Entry[];
  /** A new snapshot to store; its metadata is `after.snapshot`. */
  readonly snapshot?: Snapshot;
}

/**
 * Computes the change `save(update)` makes to `before`: snapshot first, then
 * entries (replacing a conflicting suffix), then hard state. Entries at or
 * below the compaction point are dropped (they are already in the snapshot).
 * @throws RaftUsageError for a gap, non-contiguous entries or an out-of-date snapshot.
 */
export function planSave(before: LogState, update: StorageUpdate): LogChange {
  let after: LogState = before;
  const snapshot = update.snapshot;
  if (snapshot) {
    const { index, term } = snapshot.metadata;
    if (index <= before.snapshot.index && before.snapshot.index > 0) {
      throw new RaftUsageError(
        `snapshot at index ${index} is out of date: the stored snapshot is at index ${before.snapshot.index}`,
      );
    }
    assertIndex(index, 'snapshot index');
    after = { ...after, snapshot: snapshot.metadata, compacted: { index, term }, lastIndex: index };
  }
  let entries = update.entries ?? [];
  assertContiguous(entries);
  const skip = entries.findIndex((e) => e.index > after.compacted.index);
  entries = skip < 0 ? [] : entries.slice(skip);
  const first = entries[0];
  if (first) {
    if (first.index > after.lastIndex + 1) {
      throw new RaftUsageError(
        `entries start at index ${first.index}, leaving a gap after lastIndex ${after.lastIndex}; expected at most ${after.lastIndex + 1}`,
      );
    }
    after = { ...after, lastIndex: entries[entries.length - 1]!.index };
  }
  if (update.hardState) after = { ...after, hardState: update.hardState };
  return snapshot ? { before, after, entries, snapshot } : { before, after, entries };
}

/**
 * Computes the change `createSnapshot(snapshot)` makes: the snapshot replaces
 * the stored one, the log is untouched.
 * @throws RaftUsageError when the snapshot is older than the stored one or past `lastIndex`.
 */
export function planCreateSnapshot(before: LogState, snapshot: Snapshot): LogChange {
  const { index } = snapshot.metadata;
  assertIndex(index, 'snapshot index');
  if (index < before.snapshot.index) {
    throw new RaftUsageError(
      `snapshot at index ${index} is out of date: the stored snapshot is at index ${before.snapshot.index}`,
    );
  }
  if (index > before.lastIndex) {
    throw new RaftUsageError(`snapshot at index ${index} is past lastIndex ${before.lastIndex}`);
  }
  return { before, after: { ...before, snapshot: snapshot.metadata }, entries: [], snapshot };
}

/**
 * Computes the change `compact(index)` makes, given the term of the entry at
 * `index`; `undefined` when there is nothing to do (at or below the compaction point).
 * @throws RaftUsageError when `index` is past the latest snapshot or past `lastIndex`.
 */
export function planCompact(before: LogState, index: number, term: number): LogChange | undefined {
  if (index <= before.compacted.index) return undefined;
  if (index > before.lastIndex) {
    throw new RaftUsageError(`cannot compact to index ${index}: lastIndex is ${before.lastIndex}`);
  }
  if (index > before.snapshot.index) {
    throw new RaftUsageError(
      `cannot compact to index ${index}: the latest snapshot is at index ${before.snapshot.index}; compact at most up to it`,
    );
  }
  return { before, after: { ...before, compacted: { index, term } }, entries: [] };
}

function assertIndex(index: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RaftUsageError(`${what} must be a non-negative safe integer, got ${index}`);
  }
}

function assertContiguous(entries: readonly Entry[]): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    assertIndex(entry.index, 'entry index');
    if (i > 0 && entry.index !== entries[i - 1]!.index + 1) {
      throw new RaftUsageError(
        `entries must be contiguous: index ${entry.index} follows ${entries[i - 1]!.index}`,
      );
    }
  }
}
