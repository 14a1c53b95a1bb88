import type { Storage } from '../storage.js';
import type { ConfState, Snapshot } from '../types.js';

/** What {@link SnapshotScheduler} needs from the node that drives it. */
export interface SnapshotHost {
  readonly storage: Storage;
  /** The state machine's snapshot of what it has applied. */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  isStopped(): boolean;
  /** A write was queued: start it unless a write is in flight. */
  pumpWrites(): void;
}

/**
 * Snapshot scheduling of {@link RaftNode}: every `every` applied entries it takes a state
 * machine snapshot and queues its write and the log compaction behind it (keeping `trailing`
 * entries for slow followers). The node runs the queued writes between its Ready writes.
 */
export class SnapshotScheduler {
  /** Snapshot and compaction writes, run between Ready writes. */
  private readonly writes: (() => Promise<void>)[] = [];

  /**
   * @param index index of the latest snapshot (taken or restored)
   * @param every take a snapshot after this many applied entries; 0 disables
   * @param trailing entries kept in the log before a new snapshot
   */
  constructor(
    private readonly host: SnapshotHost,
    public index: number,
    private readonly every: number,
    private readonly trailing: number,
  ) {}

  /** The next queued snapshot or compaction write, if any. */
  nextWrite(): (() => Promise<void>) | undefined {
    return this.writes.shift();
  }

  /**
   * Takes a state machine snapshot every `every` applied entries and queues its write and
   * compaction. @returns a promise only when the state machine snapshots asynchronously
   */
  maybeSnapshot(
    lastApplied: number,
    lastAppliedTerm: number,
    appliedConf: ConfState,
  ): Promise<void> | undefined {
    const every = this.every;
    if (every === 0 || lastApplied - this.index < every) return undefined;
    const metadata = { index: lastApplied, term: lastAppliedTerm, confState: appliedConf };
    this.index = metadata.index;
    // Applying waits for an asynchronous snapshot, so it captures exactly `metadata.index`.
    const data = this.host.snapshot();
    if (data instanceof Uint8Array) {
      this.queueWrite({ metadata, data });
      return undefined;
    }
    return Promise.resolve(data).then((d) => this.queueWrite({ metadata, data: d }));
  }

  private queueWrite(snap: Snapshot): void {
    if (this.host.isStopped()) return;
    const compactTo = snap.metadata.index - this.trailing;
    const storage = this.host.storage;
    this.writes.push(async () => {
      await storage.createSnapshot(snap);
      if (compactTo > storage.firstIndex() - 1) await storage.compact(compactTo);
    });
    this.host.pumpWrites();
  }
}
