import type { Entry, Snapshot } from '@avs/raft-core';
import type { LogChange, LogState } from './log-state.js';

/** What a backend has persisted, as {@link KvBackend.load} returns it. */
export interface LoadedLog {
  readonly state: LogState;
  /** The latest snapshot, data included ({@link EMPTY_SNAPSHOT} when there is none). */
  readonly snapshot: Snapshot;
  /**
   * The newest entries: contiguous, ending at `state.lastIndex`, holding at
   * most `tailBytes` of payload (possibly none).
   */
  readonly tail: readonly Entry[];
}

/**
 * The durable half of a key-value backed `Storage`: what a backend package
 * (LevelDB, DynamoDB) implements. {@link KvStorage} holds the in-memory half
 * and calls these one at a time for writes; reads may run concurrently with a
 * write and must see either the state before it or after it.
 */
export interface KvBackend {
  /** Opens the store and reads what is persisted. Called once, first. */
  load(tailBytes: number): Promise<LoadedLog>;
  /**
   * Entries of the persisted log in `[lo, hi)`, in order, stopping before the
   * entry that would take the payload total past `maxBytes` (but at least one).
   */
  readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]>;
  /**
   * Makes `change` durable. After a crash the store must show `change.before`
   * or `change.after`, never a mix; resolve only once `after` is durable.
   * Rejects on any failure (the caller then refuses every later write).
   */
  write(change: LogChange): Promise<void>;
  /** Releases the store. Called once, after every write and read settled. */
  close(): Promise<void>;
}
