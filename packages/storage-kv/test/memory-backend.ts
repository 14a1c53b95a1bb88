import type { Entry, Snapshot } from '@avs/raft-core';
import { entrySize, type KvBackend, type LoadedLog } from '../src/index.js';
import { EMPTY_LOG_STATE, EMPTY_SNAPSHOT, type LogChange, type LogState } from '../src/log-state.js';

/**
 * An in-memory {@link KvBackend} for fast unit tests of `KvStorage` (the real
 * backends run the same checks against LevelDB and dynalite). Its durable
 * state outlives one storage, so a test can "reopen"; hooks let a test fail a
 * write or hold a read.
 */
export class MemoryBackend implements KvBackend {
  state: LogState = EMPTY_LOG_STATE;
  snapshot: Snapshot = EMPTY_SNAPSHOT;
  readonly stored = new Map<number, Entry>();
  /** Set to make the next writes reject. */
  failWrites: Error | undefined;
  /** Set to make reads reject (after the gate, if any). */
  failReads: Error | undefined;
  /** Set to hold every read until the promise resolves. */
  readGate: Promise<void> | undefined;
  reads = 0;
  closes = 0;

  async load(tailBytes: number): Promise<LoadedLog> {
    const tail: Entry[] = [];
    let bytes = 0;
    for (let i = this.state.lastIndex; i > this.state.compacted.index; i--) {
      const entry = this.stored.get(i)!;
      if (bytes + entrySize(entry) > tailBytes) break;
      bytes += entrySize(entry);
      tail.unshift(entry);
    }
    return { state: this.state, snapshot: this.snapshot, tail };
  }

  async readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    this.reads++;
    await this.readGate;
    if (this.failReads) throw this.failReads;
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi && i <= this.state.lastIndex; i++) {
      const entry = this.stored.get(i)!;
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  async write(change: LogChange): Promise<void> {
    if (this.failWrites) throw this.failWrites;
    for (const entry of change.entries) this.stored.set(entry.index, entry);
    if (change.snapshot) this.snapshot = change.snapshot;
    this.state = change.after;
  }

  async close(): Promise<void> {
    this.closes++;
  }
}
