import { CompactedError, RaftUsageError, UnavailableError } from '../errors.js';
import type { Storage } from '../storage.js';
import type { Entry, Snapshot } from '../types.js';
import { Unstable } from './unstable.js';

/**
 * The replicated log as one node sees it: durable entries in {@link Storage}
 * followed by the {@link Unstable} tail. Raft paper, figure 2 ("log[]",
 * "commitIndex", "lastApplied").
 *
 * Invariant: applied <= applying <= committed <= lastIndex().
 */
export class RaftLog {
  readonly unstable: Unstable;
  /** Highest index known to be committed on a quorum. */
  committed: number;
  /** Highest index handed to the application for applying. */
  applying: number;
  /** Highest index the application has applied. */
  applied: number;
  /** Storage said the next committed entries are not in memory yet; wait for its callback. */
  applyBlocked = false;

  /**
   * @param storage the durable part; its reads must not block
   * @param maxApplyingBytes most entry bytes handed out to apply per Ready
   */
  constructor(
    readonly storage: Storage,
    readonly maxApplyingBytes: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /**
   * Term of entry `i`, or undefined if `i` is compacted or past the end.
   * @throws UnavailableError when storage must load it first.
   */
  termOf(i: number): number | undefined {
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    if (i + 1 < this.firstIndex() || i > this.lastIndex()) return undefined;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (err instanceof CompactedError) return undefined;
      throw err;
    }
  }

  /** Term of entry `i`, 0 when out of bounds (the "no entry" term). */
  zeroTermOnOutOfBounds(i: number): number {
    return this.termOf(i) ?? 0;
  }

  lastTerm(): number {
    return this.zeroTermOnOutOfBounds(this.lastIndex());
  }

  matchTerm(i: number, term: number): boolean {
    return this.termOf(i) === term;
  }

  /** Whether a log ending at `(lasti, term)` is at least as up to date as ours. Raft paper, section 5.4.1. */
  isUpToDate(lasti: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lasti >= this.lastIndex());
  }

  /**
   * Index of the first entry of `ents` that conflicts with our log (differing
   * term) or is new; 0 when every entry is already present.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term`,
   * with its term. Used by a follower to hint and by the leader to refine a
   * rejection; skips whole terms that cannot match.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    if (index > this.lastIndex()) return { index, term: 0 };
    for (; index > 0; index--) {
      const t = this.termOf(index);
      if (t === undefined) return { index, term: 0 };
      if (t <= term) return { index, term: t };
    }
    return { index: 0, term: 0 };
  }

  /**
   * Appends the leader's entries after `(index, logTerm)` if our log matches
   * there; returns the index of the last new entry, or undefined when the
   * consistency check fails. Raft paper, section 5.3.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) {
        // A leader never rewrites committed entries; such a message is corrupt.
        throw new RaftUsageError(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      }
      this.append(ents.slice(ci - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends entries (truncating a conflicting unstable suffix); returns the new last index. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) {
      throw new RaftUsageError(`append after ${after} is below committed ${this.committed}`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Moves the commit index forward (never back). */
  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new RaftUsageError(`commit ${index} is past the last index ${this.lastIndex()}`);
    }
    this.committed = index;
  }

  /** Commits `maxIndex` if its entry is from `term` (only current-term entries commit by counting: section 5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.zeroTermOnOutOfBounds(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  appliedTo(index: number): void {
    if (index > this.committed || index < this.applied) {
      throw new RaftUsageError(`applied ${index} is outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
    this.applying = Math.max(this.applying, index);
  }

  /**
   * Entries in `[lo, hi)` with at most `maxBytes` of data (at least one entry).
   * @throws CompactedError below firstIndex; UnavailableError when storage is loading.
   */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo >= hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    if (hi > this.lastIndex() + 1)
      throw new RaftUsageError(`slice [${lo}, ${hi}) is past lastIndex ${this.lastIndex()}`);
    const out: Entry[] = [];
    let size = 0;
    const offset = this.unstable.offset;
    if (lo < offset) {
      const stableHi = Math.min(hi, offset);
      const stored = this.storage.entries(lo, stableHi, maxBytes);
      // Storage hands out a fresh array: return it as is when it is the whole answer.
      if (hi <= offset || stored.length < stableHi - lo) return stored;
      for (const e of stored) {
        size += e.data.byteLength;
        out.push(e);
      }
      // Storage stopped early because of the size limit.
      if (stored.length < stableHi - lo) return out;
    }
    if (hi > offset) {
      for (const e of this.unstable.slice(Math.max(lo, offset), hi)) {
        size += e.data.byteLength;
        if (out.length > 0 && size > maxBytes) break;
        out.push(e);
      }
    }
    return out;
  }

  /** Entries from `i` to the end, at most `maxBytes` (at least one). */
  entriesFrom(i: number, maxBytes: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxBytes);
  }

  hasNextOrInProgressSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  /** Whether committed entries are waiting to be handed out for applying. */
  hasNextCommittedEnts(): boolean {
    if (this.applyBlocked || this.hasNextOrInProgressSnapshot()) return false;
    return Math.min(this.committed, this.lastIndex()) > this.applying;
  }

  /**
   * Committed entries not yet handed out, at most `maxApplyingBytes`. Empty
   * while storage loads them (it will call back) or a snapshot is pending.
   */
  nextCommittedEnts(): Entry[] {
    if (!this.hasNextCommittedEnts()) return [];
    const lo = this.applying + 1;
    const hi = Math.min(this.committed, this.lastIndex()) + 1;
    try {
      return this.slice(lo, hi, this.maxApplyingBytes);
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      // Not in memory yet: report nothing to apply until storage calls back (RawNode.notifyAvailable).
      this.applyBlocked = true;
      return [];
    }
  }

  /** The latest snapshot: an incoming one if pending, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Installs an incoming snapshot: the whole log is replaced (section 7). */
  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /**
   * Last index that is durable and still part of this log: a node counts
   * itself towards commitment only up to here.
   */
  persistedLastIndex(): number {
    if (this.unstable.snapshot) return 0;
    return this.unstable.offset - 1;
  }
}
