import type { Ready } from '../ready.js';
import type { Storage, StorageUpdate } from '../storage.js';
import type { HardState, Message } from '../types.js';
import { RESOLVED } from './apply-pipeline.js';
import { mergeReadyWrites } from './ready-writes.js';

/** What {@link WritePipeline} needs from the node that drives it. */
export interface WriteHost {
  readonly storage: Storage;
  isStopped(): boolean;
  /** The next queued snapshot or compaction write, run between Ready writes. */
  nextSnapshotWrite(): (() => Promise<void>) | undefined;
  /** Sends what had to wait for a write (votes, append acknowledgements). */
  send(messages: readonly Message[]): void;
  /** `rd` is durable: tell the core and queue it for applying. */
  persisted(rd: Ready): void;
  /** A write finished: run the node's processing loop again. */
  process(): void;
  /** Stops the node with a fatal error (a failed write). */
  stop(err: unknown): void;
}

/**
 * The write half of {@link RaftNode}'s Ready pipeline: Readies taken from the core wait here
 * and are persisted one write at a time, in order, the ones that piled up behind a write
 * merged into the next. Snapshot and compaction writes run between them.
 */
export class WritePipeline {
  /** Readies taken from the core whose write has not started; persisted together by the next write. */
  private unpersisted: Ready[] = [];
  private writing = false;
  /**
   * The hard state of acknowledged commit-only Readies, not written yet: it goes with the next
   * write (or before a snapshot write, or at a clean close) instead of costing an fsync of its own.
   */
  private deferred: HardState | undefined;
  /** The storage write in flight (settled when idle); `close` waits for it. */
  queue: Promise<void> = RESOLVED;

  constructor(private readonly host: WriteHost) {}

  /** `rd` was taken from the core: persist it with the next write. */
  push(rd: Ready): void {
    this.unpersisted.push(rd);
  }

  /** Drops what waits (the node stopped). */
  clear(): void {
    this.unpersisted = [];
  }

  /**
   * Starts the next storage write unless one is in flight: every Ready taken
   * since the previous write, merged into one `save` (one fsync for a disk
   * backend). Writes run one at a time, in order.
   */
  pump(): void {
    while (!this.writing && !this.host.isStopped()) {
      // A queued snapshot write goes before the next Ready write. Taken only when no Ready waited,
      // it starved under steady load (a Ready always piles up during a write): the log grew without
      // bound, and a node closed under load had never snapshotted. It covers applied entries only,
      // which are durable in the log; the commit index that covers them is written first if it was
      // deferred (a restart refuses a snapshot past the stored commit index).
      const job = this.host.nextSnapshotWrite();
      if (job) {
        const hs = this.takeDeferred();
        this.run(hs === undefined ? job() : this.host.storage.save({ hardState: hs }).then(job), undefined);
        return;
      }
      if (this.unpersisted.length === 0) return;
      const all = this.unpersisted;
      this.unpersisted = [];
      // No write is in flight, so every earlier Ready is durable. A leading run of Readies that
      // change only the commit index (`mustSync` false: no entries, snapshot, term or vote) is
      // acknowledged now: what it commits is already in this node's durable log, and a commit index
      // lost in a crash is learned again from the leader (Raft keeps it volatile; etcd does not
      // sync it either). Its hard state waits for the next write rather than taking an fsync alone,
      // which sat in front of the next append on every node at one write in flight.
      let now = 0;
      while (now < all.length && !all[now]!.mustSync) now++;
      if (now > 0) this.persistedBatch(now === all.length ? all : all.slice(0, now));
      if (now === all.length) {
        for (const rd of all) if (rd.hardState) this.deferred = rd.hardState;
        continue;
      }
      const update = mergeReadyWrites(all)!;
      this.run(this.host.storage.save(this.withDeferred(update)), now === 0 ? all : all.slice(now));
      return;
    }
  }

  /**
   * Writes a deferred commit index (a clean close: a restart then applies up to it at once).
   * Call after the node stopped.
   */
  async flushDeferred(): Promise<void> {
    const hs = this.takeDeferred();
    if (hs === undefined) return;
    const ok = await this.queue.then(
      () => true,
      () => false, // the last write failed: the storage is not to be written again
    );
    if (ok) await this.host.storage.save({ hardState: hs });
  }

  private takeDeferred(): HardState | undefined {
    const hs = this.deferred;
    this.deferred = undefined;
    return hs;
  }

  /** `update` with the deferred hard state when it carries none of its own (its own is newer). */
  private withDeferred(update: StorageUpdate): StorageUpdate {
    const hs = this.takeDeferred();
    return hs === undefined || update.hardState !== undefined ? update : { ...update, hardState: hs };
  }

  /** Runs one storage write; when it is durable, acknowledges `batch` (if any) and processes again. */
  private run(write: Promise<void>, batch: readonly Ready[] | undefined): void {
    this.writing = true;
    this.queue = write.then(
      () => {
        this.writing = false;
        if (batch !== undefined) this.persistedBatch(batch);
        this.host.process();
      },
      (err) => this.writeFailed(err),
    );
  }

  private writeFailed(err: unknown): void {
    this.writing = false;
    this.host.stop(err);
  }

  /** `batch` is durable: send what had to wait for it (votes, append acknowledgements) and tell the core. */
  private persistedBatch(batch: readonly Ready[]): void {
    if (this.host.isStopped() || batch.length === 0) return;
    let out: readonly Message[] | undefined;
    for (const rd of batch) {
      const ms = rd.persistedMessages;
      if (ms.length === 0) continue;
      out = out === undefined ? ms : out.concat(ms);
    }
    if (out !== undefined) this.host.send(out);
    for (const rd of batch) this.host.persisted(rd);
  }
}
