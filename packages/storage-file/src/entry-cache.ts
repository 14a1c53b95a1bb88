import type { Entry } from '@avs/raft-core';

/**
 * A byte-bounded cache of entries, oldest-inserted evicted first. The most
 * recently loaded range is protected until the next load, so the reader that
 * asked for it finds it on retry even if the range alone exceeds the budget.
 */
export class EntryCache {
  private readonly map = new Map<number, Entry>();
  private bytes = 0;
  private protectedLo = 0;
  private protectedHi = -1;

  constructor(readonly budget: number) {}

  get(index: number): Entry | undefined {
    return this.map.get(index);
  }

  /** Bytes of entry data held. */
  size(): number {
    return this.bytes;
  }

  /** Adds (or replaces) entries, then evicts down to the budget. */
  add(entries: readonly Entry[]): void {
    for (const e of entries) {
      const old = this.map.get(e.index);
      if (old) {
        this.bytes -= old.data.byteLength;
        this.map.delete(e.index);
      }
      this.map.set(e.index, e);
      this.bytes += e.data.byteLength;
    }
    this.evict();
  }

  /** Adds a loaded range and protects it from eviction until the next load. */
  addLoaded(entries: readonly Entry[]): void {
    this.protectedLo = entries[0]?.index ?? 0;
    this.protectedHi = entries[entries.length - 1]?.index ?? -1;
    this.add(entries);
  }

  /** Drops entries with index >= `index`. */
  deleteFrom(index: number): void {
    for (const [i, e] of this.map) {
      if (i >= index) {
        this.map.delete(i);
        this.bytes -= e.data.byteLength;
      }
    }
  }

  /** Drops entries with index <= `index`. */
  deleteUpTo(index: number): void {
    for (const [i, e] of this.map) {
      if (i <= index) {
        this.map.delete(i);
        this.bytes -= e.data.byteLength;
      }
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  private evict(): void {
    if (this.bytes <= this.budget) return;
    for (const [i, e] of this.map) {
      if (this.bytes <= this.budget) break;
      if (i >= this.protectedLo && i <= this.protectedHi) continue;
      this.map.delete(i);
      this.bytes -= e.data.byteLength;
    }
  }
}
