import type { Entry, HardState, Snapshot, StorageUpdate } from '@avs/raft-core';
import { EMPTY_CONF_STATE, EMPTY_HARD_STATE } from './fixtures.js';

/** A snapshot meaning "none yet": index 0, term 0, empty configuration and data. */
export const EMPTY_SNAPSHOT: Snapshot = {
  metadata: { index: 0, term: 0, confState: EMPTY_CONF_STATE },
  data: new Uint8Array(0),
};

/**
 * The reference semantics of `Storage`, kept as plain arrays. The suite
 * applies every operation to a model and to the backend, then compares what
 * the backend shows with what the model holds.
 */
export class LogModel {
  hardState: HardState = EMPTY_HARD_STATE;
  snapshot: Snapshot = EMPTY_SNAPSHOT;
  /** Index of the entry before `entries[0]` (the compaction point). */
  offset = 0;
  /** Term of the entry at `offset`. */
  offsetTerm = 0;
  entries: Entry[] = [];

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.entries.length;
  }

  /** Term at `index`, or undefined outside `[firstIndex() - 1, lastIndex()]`. */
  term(index: number): number | undefined {
    if (index === this.offset) return this.offsetTerm;
    return this.entries[index - this.offset - 1]?.term;
  }

  /** The entry at `index`, if the model holds it. */
  entry(index: number): Entry | undefined {
    return this.entries[index - this.offset - 1];
  }

  /** Applies `save(update)`: snapshot first, then entries (replacing the conflicting suffix), then hard state. */
  save(update: StorageUpdate): void {
    if (update.snapshot) {
      this.snapshot = update.snapshot;
      this.offset = update.snapshot.metadata.index;
      this.offsetTerm = update.snapshot.metadata.term;
      this.entries = [];
    }
    const entries = update.entries ?? [];
    const first = entries[0];
    if (first) {
      if (first.index <= this.offset || first.index > this.lastIndex() + 1) {
        throw new RangeError(
          `model: append at ${first.index} outside [${this.offset + 1}, ${this.lastIndex() + 1}]`,
        );
      }
      this.entries = this.entries.slice(0, first.index - this.offset - 1).concat(entries);
    }
    if (update.hardState) this.hardState = update.hardState;
  }

  /** Applies `createSnapshot(snapshot)`: the log is untouched. */
  createSnapshot(snapshot: Snapshot): void {
    this.snapshot = snapshot;
  }

  /** Applies `compact(index)`: drops entries up to and including `index`; a no-op at or below the compaction point. */
  compact(index: number): void {
    if (index <= this.offset) return;
    const term = this.term(index);
    if (term === undefined)
      throw new RangeError(`model: compact(${index}) beyond lastIndex ${this.lastIndex()}`);
    this.entries = this.entries.slice(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }

  /** A deep-enough copy (entries are immutable, arrays are not). */
  clone(): LogModel {
    const copy = new LogModel();
    copy.hardState = this.hardState;
    copy.snapshot = this.snapshot;
    copy.offset = this.offset;
    copy.offsetTerm = this.offsetTerm;
    copy.entries = this.entries.slice();
    return copy;
  }
}
