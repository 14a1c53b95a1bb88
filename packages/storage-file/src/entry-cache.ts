import type { Entry } from '@avs/raft-core';

/**
 * A byte-bounded cache of entries in two parts:
 * - the *tail*: a dense array for the contiguous run of recently appended
 *   entries (Raft appends in order, so this is where almost every entry
 *   lands; an array push is much cheaper than a Map insert on long logs);
 * - *loaded*: entries read back from disk by the cold path, in a Map.
 *
 * Over budget, loaded entries go first (oldest first), then the tail's oldest.
 * The most recently loaded range is protected until the next load, so the
 * reader that asked for it finds it on retry even if it alone exceeds the budget.
 */
export class EntryCache {
  /** `tail[k]` is the entry at `tailStart + k`; slots before `head` are evicted. */
  private tail: Entry[] = [];
  private tailStart = 0;
  private head = 0;
  private readonly loaded = new Map<number, Entry>();
  private bytes = 0;
  private protectedLo = 0;
  private protectedHi = -1;

  constructor(readonly budget: number) {}

  get(index: number): Entry | undefined {
    const k = index - this.tailStart;
    if (k >= this.head && k < this.tail.length) return this.tail[k];
    return this.loaded.get(index);
  }

  /** Bytes of entry data held. */
  size(): number {
    return this.bytes;
  }

  /**
   * Adds a contiguous run of appended entries (the caller has already
   * removed what they replace with {@link deleteFrom}), then evicts down to the budget.
   */
  add(entries: readonly Entry[]): void {
    const first = entries[0];
    if (!first) return;
    if (first.index !== this.tailStart + this.tail.length || this.head === this.tail.length) {
      // Not a continuation of the tail: start a new one (the old tail's entries move to `loaded`
      // only if they are still wanted; dropping them is always correct for a cache).
      this.dropTail();
      this.tailStart = first.index;
    }
    for (const e of entries) {
      this.tail.push(e);
      this.bytes += e.data.byteLength;
    }
    this.evict();
  }

  /** Adds entries read from disk and protects them from eviction until the next load. */
  addLoaded(entries: readonly Entry[]): void {
    this.protectedLo = entries[0]?.index ?? 0;
    this.protectedHi = entries[entries.length - 1]?.index ?? -1;
    for (const e of entries) {
      if (this.get(e.index)) continue;
      this.loaded.set(e.index, e);
      this.bytes += e.data.byteLength;
    }
    this.evict();
  }

  /** Drops entries with index >= `index`. */
  deleteFrom(index: number): void {
    const keep = Math.max(this.head, index - this.tailStart);
    for (let k = keep; k < this.tail.length; k++) this.bytes -= this.tail[k]!.data.byteLength;
    if (keep < this.tail.length) this.tail.length = keep;
    for (const [i, e] of [...this.loaded]) {
      if (i >= index) {
        this.loaded.delete(i);
        this.bytes -= e.data.byteLength;
      }
    }
  }

  /** Drops entries with index <= `index`. */
  deleteUpTo(index: number): void {
    while (this.head < this.tail.length && this.tailStart + this.head <= index) this.evictTailHead();
    for (const [i, e] of [...this.loaded]) {
      if (i <= index) {
        this.loaded.delete(i);
        this.bytes -= e.data.byteLength;
      }
    }
    this.compactTail();
  }

  clear(): void {
    this.tail = [];
    this.head = 0;
    this.tailStart = 0;
    this.loaded.clear();
    this.bytes = 0;
  }

  private dropTail(): void {
    for (let k = this.head; k < this.tail.length; k++) this.bytes -= this.tail[k]!.data.byteLength;
    this.tail = [];
    this.head = 0;
  }

  private evictTailHead(): void {
    const e = this.tail[this.head]!;
    this.bytes -= e.data.byteLength;
    // Release the reference so the data can be collected before the array is compacted.
    (this.tail as (Entry | undefined)[])[this.head] = undefined;
    this.head++;
  }

  private evict(): void {
    if (this.bytes <= this.budget) return;
    for (const [i, e] of [...this.loaded]) {
      if (this.bytes <= this.budget) break;
      if (i >= this.protectedLo && i <= this.protectedHi) continue;
      this.loaded.delete(i);
      this.bytes -= e.data.byteLength;
    }
    while (this.bytes > this.budget && this.head < this.tail.length) {
      const index = this.tailStart + this.head;
      if (index >= this.protectedLo && index <= this.protectedHi) break;
      this.evictTailHead();
    }
    this.compactTail();
  }

  private compactTail(): void {
    if (this.head > 4096 && this.head * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.head);
      this.tailStart += this.head;
      this.head = 0;
    }
  }
}
