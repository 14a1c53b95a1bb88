import type { Entry } from '@avs/raft-core';
import { entrySize } from './entry-size.js';

/**
 * Older entries loaded on demand (below the in-memory tail), bounded by a byte
 * budget and evicted oldest-loaded first, so a range that was just loaded
 * survives until the reader retries.
 */
export class ColdCache {
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(index: number): Entry | undefined {
    return this.entries.get(index);
  }

  /**
   * Adds loaded entries, then evicts the oldest-loaded ones beyond the budget.
   * The entries just added are never evicted by their own insertion, even when
   * they alone exceed the budget: otherwise a reader waiting for them (say, one
   * entry larger than the budget) would reload them forever.
   */
  addAll(entries: readonly Entry[]): void {
    const added = new Set<number>();
    for (const entry of entries) {
      this.remove(entry.index);
      this.entries.set(entry.index, entry);
      this.bytes += entrySize(entry);
      added.add(entry.index);
    }
    for (const [index] of this.entries) {
      if (this.bytes <= this.maxBytes || added.has(index)) break;
      this.remove(index);
    }
  }

  /** Drops every entry for which `drop(index)` holds. */
  removeWhere(drop: (index: number) => boolean): void {
    for (const [index] of this.entries) if (drop(index)) this.remove(index);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(index: number): void {
    const entry = this.entries.get(index);
    if (!entry) return;
    this.entries.delete(index);
    this.bytes -= entrySize(entry);
  }
}
