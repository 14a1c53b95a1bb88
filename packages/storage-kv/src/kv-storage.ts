import {
  CompactedError,
  type Entry,
  type InitialState,
  RaftUsageError,
  type Snapshot,
  type Storage,
  StorageClosedError,
  StorageFatalError,
  type StorageUpdate,
  UnavailableError,
} from '@avs/raft-core';
import { ColdCache } from './cold-cache.js';
import { entrySize } from './entry-size.js';
import { EntryTail } from './entry-tail.js';
import { StorageCorruptError } from './errors.js';
import type { KvBackend } from './kv-backend.js';
import {
  EMPTY_LOG_STATE,
  EMPTY_SNAPSHOT,
  type LogChange,
  type LogState,
  planCompact,
  planCreateSnapshot,
  planSave,
} from './log-state.js';

/** Memory budgets of a {@link KvStorage}. */
export interface KvStorageOptions {
  /**
   * Payload bytes of the newest entries kept in memory (served without I/O).
   * Default 64 MiB. 0 keeps none: every read goes through the cold path.
   */
  tailBytes?: number;
  /** Payload bytes of older entries kept after a cold load. Default 16 MiB. */
  coldBytes?: number;
  /** Payload bytes one cold load reads at most (capped by `coldBytes`). Default 4 MiB. */
  coldReadBytes?: number;
  /** Names the store in error messages, e.g. `leveldb /var/lib/node1`. */
  label?: string;
}

const MIB = 1024 * 1024;

/**
 * A `Storage` over a {@link KvBackend}: reads are served synchronously from
 * memory (the log tail plus a cache of cold loads); a read of an older range
 * throws `UnavailableError`, loads it and calls the `onAvailable` listeners.
 * Writes run one at a time, in call order, and resolve once the backend made
 * them durable. The first failed write (or failed load) makes the storage
 * refuse every later write with `StorageFatalError`.
 */
export class KvStorage implements Storage {
  private state: LogState = EMPTY_LOG_STATE;
  private latestSnapshot: Snapshot = EMPTY_SNAPSHOT;
  private readonly tail = new EntryTail();
  private readonly cold: ColdCache;
  private readonly tailBytes: number;
  private readonly coldReadBytes: number;
  private readonly label: string;
  /** Bumped whenever stored indexes are rewritten, so a load that raced with it is discarded. */
  private generation = 0;
  /** Bumped whenever stored entries are removed (rewrite or compaction). */
  private removals = 0;
  /** What the write now in flight does to stored entries, if one is in flight. */
  private inFlight: WriteEffect | undefined;
  private readonly loads = new Map<number, Promise<void>>();
  private readonly listeners: Array<() => void> = [];
  private writes: Promise<void> = Promise.resolve();
  private fatal: StorageFatalError | undefined;
  private loaded: Promise<InitialState> | undefined;
  private ready = false;
  private closing: Promise<void> | undefined;

  /**
   * @param backend the durable half; this storage owns it and closes it on {@link close}.
   * @param options memory budgets and a label for messages.
   */
  constructor(
    private readonly backend: KvBackend,
    options: KvStorageOptions = {},
  ) {
    this.tailBytes = options.tailBytes ?? 64 * MIB;
    const coldBytes = options.coldBytes ?? 16 * MIB;
    this.cold = new ColdCache(coldBytes);
    this.coldReadBytes = Math.max(1, Math.min(options.coldReadBytes ?? 4 * MIB, coldBytes));
    this.label = options.label ?? 'storage';
  }

  /**
   * Loads what is persisted on the first call; later calls (RaftNode's
   * bootstrap check calls it before the node starts) return the current
   * durable hard state and snapshot metadata.
   * @throws StorageCorruptError (or the backend's error) when what is stored cannot be read.
   */
  initialState(): Promise<InitialState> {
    if (this.closing) return Promise.reject(new StorageClosedError());
    if (this.ready) {
      return Promise.resolve({ hardState: this.state.hardState, snapshotMetadata: this.state.snapshot });
    }
    this.loaded ??= this.backend.load(this.tailBytes).then((loaded) => {
      this.state = loaded.state;
      this.latestSnapshot = loaded.snapshot;
      this.tail.reset(loaded.state.lastIndex + 1 - loaded.tail.length);
      this.tail.append(loaded.tail);
      this.ready = true;
      return { hardState: loaded.state.hardState, snapshotMetadata: loaded.state.snapshot };
    });
    return this.loaded;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    this.assertReadable();
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    if (hi > this.state.lastIndex + 1 || lo > hi) {
      throw new RaftUsageError(
        `entries(${lo}, ${hi}): expected ${first} <= lo <= hi <= lastIndex + 1 = ${this.state.lastIndex + 1}`,
      );
    }
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.lookup(index);
      if (!entry) {
        // A short page is allowed; the caller asks again for the rest.
        if (out.length > 0) return out;
        this.startLoad(
          index,
          Math.min(hi, this.tail.start),
          Math.min(Math.max(maxBytes, 1), this.coldReadBytes),
        );
        throw new UnavailableError(lo, hi);
      }
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  term(index: number): number {
    this.assertReadable();
    const { compacted, lastIndex } = this.state;
    if (index === compacted.index) return compacted.term;
    if (index < compacted.index) throw new CompactedError(index, compacted.index + 1);
    if (index > lastIndex) {
      throw new RaftUsageError(`term(${index}): expected an index in [${compacted.index}, ${lastIndex}]`);
    }
    const entry = this.lookup(index);
    if (entry) return entry.term;
    this.startLoad(index, this.tail.start, this.coldReadBytes);
    throw new UnavailableError(index, index + 1);
  }

  firstIndex(): number {
    this.assertReadable();
    return this.state.compacted.index + 1;
  }

  lastIndex(): number {
    this.assertReadable();
    return this.state.lastIndex;
  }

  snapshot(): Snapshot {
    this.assertReadable();
    return this.latestSnapshot;
  }

  save(update: StorageUpdate): Promise<void> {
    return this.enqueue(async () => {
      const change = planSave(this.state, update);
      if (change.after === change.before && change.entries.length === 0) return;
      await this.commit(change);
    });
  }

  createSnapshot(snapshot: Snapshot): Promise<void> {
    return this.enqueue(() => this.commit(planCreateSnapshot(this.state, snapshot)));
  }

  compact(index: number): Promise<void> {
    return this.enqueue(async () => {
      const { compacted, lastIndex, snapshot } = this.state;
      if (index <= compacted.index) return;
      if (index > lastIndex || index > snapshot.index) {
        // planCompact words the error; the term is irrelevant then.
        planCompact(this.state, index, 0);
      }
      const term = index === snapshot.index ? snapshot.term : await this.readTerm(index);
      const change = planCompact(this.state, index, term);
      if (change) await this.commit(change);
    });
  }

  onAvailable(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.writes;
      await Promise.allSettled([...this.loads.values()]);
      await this.backend.close();
    })();
    return this.closing;
  }

  private assertReadable(): void {
    if (this.closing) throw new StorageClosedError();
    if (!this.ready) throw new RaftUsageError(`${this.label}: call initialState() before reading`);
  }

  private lookup(index: number): Entry | undefined {
    return index >= this.tail.start ? this.tail.get(index) : this.cold.get(index);
  }

  /** Runs a write after every earlier one; refuses it once the storage failed or closed. */
  private enqueue(write: () => Promise<void>): Promise<void> {
    if (this.closing) return Promise.reject(new StorageClosedError());
    if (!this.ready) {
      return Promise.reject(new RaftUsageError(`${this.label}: call initialState() before writing`));
    }
    const run = this.writes.then(() => {
      if (this.fatal) {
        throw new StorageFatalError(`${this.label}: refusing a write after an earlier failure`, {
          cause: this.fatal,
        });
      }
      return write();
    });
    this.writes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async commit(change: LogChange): Promise<void> {
    const effect = writeEffect(change);
    this.inFlight = effect;
    try {
      await this.backend.write(change);
    } catch (cause) {
      this.fatal = new StorageFatalError(`${this.label}: durable write failed: ${describe(cause)}`, {
        cause,
      });
      throw this.fatal;
    } finally {
      this.inFlight = undefined;
    }
    this.apply(change);
    if (effect.rewrites) this.generation++;
    if (effect.removes) this.removals++;
  }

  /** Brings memory to `change.after`, which is now durable. */
  private apply(change: LogChange): void {
    const { before, after, entries, snapshot } = change;
    if (snapshot) this.latestSnapshot = snapshot;
    const cut = rewriteFrom(change);
    if (cut <= before.lastIndex) {
      if (cut < this.tail.start) {
        this.tail.reset(cut);
        this.cold.removeWhere((index) => index >= cut);
      } else {
        this.tail.truncateFrom(cut);
      }
    }
    // Compact before appending: an installed snapshot may leap past the old log's end.
    const first = after.compacted.index + 1;
    this.tail.dropBelow(first);
    if (after.compacted.index > before.compacted.index) this.cold.removeWhere((index) => index < first);
    this.tail.append(entries);
    this.tail.trim(this.tailBytes);
    this.state = after;
  }

  /** Term of a stored entry, loading it when it is not in memory (for compaction). */
  private async readTerm(index: number): Promise<number> {
    const cached = this.lookup(index);
    if (cached) return cached.term;
    const [entry] = await this.backend.readEntries(index, index + 1, 0);
    if (!entry || entry.index !== index) {
      throw new StorageCorruptError(this.label, `entry ${index} is inside the log but not stored`);
    }
    return entry.term;
  }

  /** Loads `[lo, hi)` (at most `maxBytes`, at least one entry) into the cold cache, then notifies. */
  private startLoad(lo: number, hi: number, maxBytes: number): void {
    if (this.fatal) throw this.fatal;
    if (this.loads.has(lo)) return;
    const generation = this.generation;
    const removals = this.removals;
    const startedDuring = this.inFlight;
    const load = this.backend
      .readEntries(lo, hi, maxBytes)
      .then(
        (entries) => {
          // A write that rewrote indexes meanwhile may have mixed old and new; the retry loads again.
          const rewritten =
            generation !== this.generation || startedDuring?.rewrites || this.inFlight?.rewrites;
          if (rewritten || this.closing) return;
          const first = this.firstIndex();
          this.cold.addAll(entries.filter((e) => e.index >= first && e.index < this.tail.start));
        },
        (cause: unknown) => {
          // Entries removed under the load (compaction, a rewrite) explain a miss: retry instead.
          const removed = removals !== this.removals || startedDuring?.removes || this.inFlight?.removes;
          if (removed || this.closing) return;
          this.fatal ??= new StorageFatalError(
            `${this.label}: reading entries [${lo}, ${hi}) failed: ${describe(cause)}`,
            { cause },
          );
        },
      )
      .finally(() => {
        this.loads.delete(lo);
        if (!this.closing) this.notify();
      });
    this.loads.set(lo, load);
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is the listener's business; the others still hear of it.
      }
    }
  }
}

/** What a write does to entries already stored. */
interface WriteEffect {
  /** Stored indexes get other entries (or none): loads racing with it may be stale. */
  readonly rewrites: boolean;
  /** Stored entries are deleted: loads racing with it may miss them. */
  readonly removes: boolean;
}

/** The first stored index a change replaces or cuts off (past `before.lastIndex` when none). */
function rewriteFrom(change: LogChange): number {
  return Math.min(change.entries[0]?.index ?? Number.POSITIVE_INFINITY, change.after.lastIndex + 1);
}

function writeEffect(change: LogChange): WriteEffect {
  const rewrites = rewriteFrom(change) <= change.before.lastIndex;
  return { rewrites, removes: rewrites || change.after.compacted.index > change.before.compacted.index };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
