import type { Entry } from '@avs/raft-core';
import { entrySize } from './entry-size.js';

/**
 * The newest entries of the log, held in memory: `[start, start + length)`,
 * always ending at the log's last index. A deque over an array: dropping from
 * the front moves an offset and compacts the array now and then.
 */
export class EntryTail {
  /** Index of the first held entry (`lastIndex + 1` when none is held). */
  start = 1;
  /** Payload bytes held. */
  bytes = 0;
  private items: Entry[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** The held entry at `index`, if any. */
  get(index: number): Entry | undefined {
    const offset = index - this.start;
    if (offset < 0 || offset >= this.length) return undefined;
    return this.items[this.head + offset];
  }

  /** Drops everything; the next appended entry must have index `start`. */
  reset(start: number): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    this.start = start;
  }

  /** Appends entries that continue the held range (`entries[0].index === start + length`). */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first && first.index !== this.start + this.length) {
      if (this.length > 0) {
        throw new Error(
          `EntryTail invariant broken: appending index ${first.index} after ${this.start + this.length - 1}`,
        );
      }
      this.start = first.index;
    }
    for (const entry of entries) {
      this.items.push(entry);
      this.bytes += entrySize(entry);
    }
  }

  /** Drops held entries at and after `index` (`index >= start`). */
  truncateFrom(index: number): void {
    const keep = Math.max(0, index - this.start);
    while (this.length > keep) this.bytes -= entrySize(this.items.pop()!);
  }

  /** Drops held entries below `index`; an empty tail moves its start up to `index`. */
  dropBelow(index: number): void {
    while (this.length > 0 && this.start < index) this.shift();
    if (this.length === 0 && this.start < index) this.start = index;
  }

  /** Drops the oldest entries until at most `maxBytes` are held (possibly none). */
  trim(maxBytes: number): void {
    while (this.length > 0 && this.bytes > maxBytes) this.shift();
  }

  private shift(): void {
    this.bytes -= entrySize(this.items[this.head]!);
    this.head++;
    this.start++;
    // Compact once the dead prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
