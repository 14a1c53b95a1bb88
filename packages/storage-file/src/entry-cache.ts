import type { Entry } from '@avs/raft-core';

/**
 * A byte-bounded cache of entries, oldest-inserted evicted first. The most
 * recently loaded range is protected until the next load, so the reader that
 * asked for it finds it on retry even if the range alone exceeds the budget.
 *
 * Eviction walks a FIFO array with a head pointer rather than iterating the
 * Map from its start: V8 Maps iterate over deleted slots until they rehash,
 * which made front-deletion quadratic on long logs.
 */
export class EntryCache {
  private readonly map = new Map<number, Entry>();
  private fifo: Entry[] = [];
  private head = 0;
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
      if (old) this.bytes -= old.data.byteLength;
      this.map.set(e.index, e);
      this.fifo.push(e);
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

  /**
   * Drops entries with index in `[index, last]` (`last`: the log's last index,
   * so a truncation costs the size of the suffix, not of the cache).
   */
  deleteFrom(index: number, last: number): void {
    if (last - index + 1 < this.map.size) {
      for (let i = index; i <= last; i++) this.remove(i);
      return;
    }
    for (const i of [...this.map.keys()]) if (i >= index) this.remove(i);
  }

  /** Drops entries with index <= `index`. */
  deleteUpTo(index: number): void {
    for (const i of [...this.map.keys()]) if (i <= index) this.remove(i);
  }

  clear(): void {
    this.map.clear();
    this.fifo = [];
    this.head = 0;
    this.bytes = 0;
  }

  private remove(index: number): void {
    const e = this.map.get(index);
    if (!e) return;
    this.map.delete(index);
    this.bytes -= e.data.byteLength;
  }

  private evict(): void {
    const skipped: Entry[] = [];
    while (this.bytes > this.budget && this.head < this.fifo.length) {
      const e = this.fifo[this.head++]!;
      // A stale FIFO slot: the entry was replaced or removed since.
      if (this.map.get(e.index) !== e) continue;
      if (e.index >= this.protectedLo && e.index <= this.protectedHi) {
        skipped.push(e);
        continue;
      }
      this.map.delete(e.index);
      this.bytes -= e.data.byteLength;
    }
    if (skipped.length > 0) this.fifo.push(...skipped);
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
    // Stale slots accumulate when nothing needs evicting (deletes, replacements): drop them now and then.
    if (this.fifo.length - this.head > 4 * this.map.size + 1024) {
      this.fifo = this.fifo.slice(this.head).filter((e) => this.map.get(e.index) === e);
      this.head = 0;
    }
  }
}
