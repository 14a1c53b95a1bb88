/**
 * `FileStorage`: raft-core's `Storage` on a segmented write-ahead log in one directory. Owns the write
 * queue and group commit, segment rotation, snapshot files, the index and entry cache, cold reads.
 * Pitfalls it guards:
 * - Nothing resolves before `fdatasync`. After a failed write or fsync the storage is fatal (the page
 *   cache may hold bytes the disk lost), so every later call rejects instead of writing on top.
 * - Batches start writing while still encoding; record headers go out as zeros and are rewritten last,
 *   so a crash in between leaves a torn tail the open-time scan truncates, never a half-written record
 *   that passes its checksum. Damage anywhere else is a `CorruptionError` naming file and offset.
 * - Snapshot files are written atomically before the WAL record that points to them.
 */
import { join } from 'node:path';
import {
  CompactedError,
  type Entry,
  type HardState,
  type InitialState,
  RaftUsageError,
  type Snapshot,
  type Storage,
  StorageClosedError,
  StorageFatalError,
  type StorageUpdate,
  UnavailableError,
} from '@avs/raft-core';
import { ByteWriter } from './byte-writer.js';
import { acquireDirectoryLock } from './directory-lock.js';
import { EntryCache } from './entry-cache.js';
import { type FileLike, type FileOps, nodeFileOps, readFully, writeFully } from './file-ops.js';
import type { LogIndex } from './log-index.js';
import { type FileStorageOptions, resolveOptions } from './options.js';
import { loadSnapshot, parseSnapshotFileName, snapshotFileName, writeSnapshotFile } from './snapshot-file.js';
import type { StorageLogger } from './storage-logger.js';
import {
  decodeEntryAt,
  encodeHeader,
  encodeMark,
  encodeUpdate,
  RECORD_HEADER_BYTES,
  RecordType,
} from './wal-record.js';
import { replayWal, type SegmentInfo, segmentFileName } from './wal-replay.js';

type Op =
  | { readonly kind: 'save'; readonly update: StorageUpdate; resolve(): void; reject(e: unknown): void }
  | {
      readonly kind: 'createSnapshot';
      readonly snapshot: Snapshot;
      resolve(): void;
      reject(e: unknown): void;
    }
  | { readonly kind: 'compact'; readonly index: number; resolve(): void; reject(e: unknown): void };

/** An op checked and encoded into the batch, waiting for the write to be durable. */
interface Prepared {
  readonly op: Op;
  /** A snapshot file to write (atomically) before the WAL record. */
  readonly snapshotFile?: Snapshot;
  /** Applies the op to memory once durable; `base` is the batch's file position. */
  readonly apply: (base: number) => void;
  /** Where the op's record starts in the batch (its header is rewritten if the record was sent early). */
  readonly recordStart: number;
}

/** Chunk size of early writes while a batch is still being encoded. */
const EARLY_WRITE_BYTES = 256 * 1024;
/** Largest span read from a segment in one cold-read call. */
const MAX_READ_SPAN = 8 * 1024 * 1024;

/**
 * The default `Storage`: a segmented, checksummed write-ahead log in one
 * directory, fdatasync'ed before any write resolves. See the package README
 * for the format and the guarantees.
 */
export class FileStorage implements Storage {
  private readonly cache: EntryCache;
  private readonly queue: Op[] = [];
  private running: Promise<void> | undefined;
  private failure: unknown;
  private readFailure: unknown;
  private closed = false;
  private closing: Promise<void> | undefined;
  private listener: () => void = () => {};
  private readonly loading = new Set<number>();
  private readonly writer = new ByteWriter(64 * 1024);
  private active!: { info: SegmentInfo; file: FileLike };

  private constructor(
    private readonly dir: string,
    private readonly fs: FileOps,
    private readonly logger: StorageLogger,
    private readonly segmentBytes: number,
    cacheBytes: number,
    private readonly index: LogIndex,
    private hardState: HardState,
    private snap: Snapshot,
    private readonly segments: SegmentInfo[],
    private readonly releaseLock: () => Promise<void>,
  ) {
    this.cache = new EntryCache(cacheBytes);
  }

  /**
   * Opens (creating if needed) the storage in `options.dir`: takes the
   * directory lock, replays the WAL (truncating a torn tail, which is
   * logged), loads the latest snapshot and warms the cache with the log's tail.
   * @throws DirectoryLockedError when another live process (or storage) has the directory.
   * @throws CorruptionError when a file is damaged anywhere but a torn tail; names the file and offset.
   * @throws FileStorageOptionsError for invalid options.
   */
  static async open(options: FileStorageOptions): Promise<FileStorage> {
    const o = resolveOptions(options);
    const fs: FileOps = { ...nodeFileOps, ...o.fs };
    await fs.mkdir(o.dir);
    const releaseLock = await acquireDirectoryLock(fs, o.dir, o.logger);
    try {
      const names = await fs.readdir(o.dir);
      for (const name of names) {
        if (name.endsWith('.tmp') && !name.startsWith('LOCK')) {
          o.logger.info(`storage-file: removing unfinished temp file ${name}`, { file: join(o.dir, name) });
          await fs.unlink(join(o.dir, name));
        }
      }
      const replay = await replayWal(fs, o.dir, o.logger);
      const snap = await loadSnapshot(fs, o.dir, replay.snapshotRef, names, o.logger);
      const storage = new FileStorage(
        o.dir,
        fs,
        o.logger,
        o.segmentBytes,
        o.cacheBytes,
        replay.index,
        replay.hardState,
        snap,
        replay.segments,
        releaseLock,
      );
      await storage.start();
      return storage;
    } catch (error) {
      await releaseLock().catch(() => undefined);
      throw error;
    }
  }

  private async start(): Promise<void> {
    const last = this.segments[this.segments.length - 1];
    if (last) {
      this.active = { info: last, file: await this.fs.open(last.path, 'r+') };
    } else {
      await this.startSegment(1);
    }
    // Warm the cache with the tail of the log, newest first, up to the budget.
    let lo = this.index.lastIndex() + 1;
    let bytes = 0;
    while (lo > this.index.firstIndex()) {
      const size = this.index.sizes[lo - 1 - this.index.offset - 1]!;
      if (bytes + size > this.cache.budget) break;
      bytes += size;
      lo--;
    }
    if (lo <= this.index.lastIndex()) this.cache.add(await this.readEntries(lo, this.index.lastIndex() + 1));
  }

  async initialState(): Promise<InitialState> {
    return { hardState: this.hardState, snapshotMetadata: this.snap.metadata };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.index.offset) throw new CompactedError(lo, this.index.firstIndex());
    if (hi > this.index.lastIndex() + 1) {
      throw new RaftUsageError(
        `entries(${lo}, ${hi}) is out of bounds: lastIndex is ${this.index.lastIndex()}`,
      );
    }
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.cache.get(i);
      if (!e) {
        if (out.length > 0) break; // a shorter page is allowed; the rest is read on the next call
        this.startLoad(lo, hi, maxBytes);
        throw new UnavailableError(lo, hi);
      }
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: number): number {
    if (index < this.index.offset) throw new CompactedError(index, this.index.firstIndex());
    const term = this.index.term(index);
    if (term === undefined) {
      throw new RaftUsageError(`term(${index}) is out of bounds: lastIndex is ${this.index.lastIndex()}`);
    }
    return term;
  }

  firstIndex(): number {
    return this.index.firstIndex();
  }

  lastIndex(): number {
    return this.index.lastIndex();
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  save(update: StorageUpdate): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'save', update, resolve, reject }));
  }

  createSnapshot(snapshot: Snapshot): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'createSnapshot', snapshot, resolve, reject }));
  }

  compact(index: number): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'compact', index, resolve, reject }));
  }

  onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  /** Waits for queued writes, closes the files and releases the lock. Concurrent calls share one close. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /** Bytes of entry data in the cache (for tests and metrics). */
  cachedBytes(): number {
    return this.cache.size();
  }

  /** Segment files currently on disk, oldest first (for tests and metrics). */
  segmentFiles(): string[] {
    return this.segments.map((s) => s.path);
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
    try {
      await this.active.file.close();
    } catch (error) {
      // After a failed write the handle may fail to close too; that failure was already reported.
      if (this.failure === undefined) throw error;
    } finally {
      await this.releaseLock();
    }
  }

  private enqueue(make: (resolve: () => void, reject: (e: unknown) => void) => Op): Promise<void> {
    if (this.closed) return Promise.reject(new StorageClosedError());
    if (this.failure !== undefined) return Promise.reject(this.fatal());
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      this.running ??= this.runLoop();
    });
  }

  private fatal(): StorageFatalError {
    const cause = this.failure;
    return new StorageFatalError(
      `storage-file: a write in ${this.dir} failed (${(cause as Error)?.message ?? String(cause)}); refusing further writes`,
      { cause },
    );
  }

  /** The group-commit loop: every plain save queued while a write was in flight goes out in one write + fdatasync. */
  private async runLoop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.failure !== undefined) {
        for (const op of this.queue.splice(0)) op.reject(this.fatal());
        break;
      }
      let n = 1;
      if (isPlainSave(this.queue[0]!)) while (n < this.queue.length && isPlainSave(this.queue[n]!)) n++;
      await this.execute(this.queue.splice(0, n));
    }
    this.running = undefined;
  }

  private async execute(batch: Op[]): Promise<void> {
    // One writer reused by every batch: batches run one at a time, and the bytes are on disk before the next.
    const w = this.writer;
    w.reset(4 * 1024 * 1024);
    const file = this.active.file;
    const base = this.active.info.size;
    // A batch of plain saves starts writing full chunks while the rest is still being encoded, so the
    // copy into the page cache overlaps the CPU work. Record headers (length and checksum) are only
    // known at the end: they are written last, and a crash before that leaves a record whose zero
    // header the open-time scan treats as a torn tail. Snapshot ops write their file first, so never early.
    const early = batch.every(isPlainSave);
    let flushed = 0;
    const chunks: Promise<void>[] = [];
    const afterEntry = early
      ? () => {
          if (w.length - flushed < EARLY_WRITE_BYTES) return;
          const chunk = writeFully(file, w.view8().subarray(flushed), base + flushed);
          chunk.catch(() => undefined); // awaited below; this only keeps it from being unhandled meanwhile
          chunks.push(chunk);
          flushed = w.length;
        }
      : undefined;
    const prepared: Prepared[] = [];
    let projectedLast = this.index.lastIndex();
    for (const op of batch) {
      const mark = w.length;
      try {
        const p = this.prepare(op, w, projectedLast, afterEntry);
        projectedLast = p.lastIndex;
        prepared.push(p.prepared);
      } catch (error) {
        // Drop whatever the refused op had encoded: it must never reach the disk (bytes already sent
        // early are overwritten, because the final write starts at `mark` again).
        w.length = mark;
        flushed = Math.min(flushed, mark);
        op.reject(error);
      }
    }
    try {
      if (prepared.length === 0) {
        await Promise.all(chunks);
        return;
      }
      for (const p of prepared)
        if (p.snapshotFile) await writeSnapshotFile(this.fs, this.dir, p.snapshotFile);
      if (w.length > 0) {
        if (chunks.length > 0) await Promise.all(chunks);
        await writeFully(file, w.view8().subarray(flushed), base + flushed);
        if (chunks.length > 0) {
          // Every record header sent early went out as zeros: write the final ones.
          const bytes = w.view8();
          for (const p of prepared) {
            if (p.recordStart < flushed) {
              await writeFully(
                file,
                bytes.subarray(p.recordStart, p.recordStart + RECORD_HEADER_BYTES),
                base + p.recordStart,
              );
            }
          }
        }
        await file.datasync();
      }
      this.active.info.size += w.length;
      for (const p of prepared) p.apply(base);
      // Most batches need no follow-up; skip the extra await then (single appends are latency-bound).
      if (this.needsAfterWrite(prepared)) await this.afterWrite(prepared);
    } catch (error) {
      this.failure = error;
      for (const p of prepared) p.op.reject(this.fatal());
      return;
    }
    for (const p of prepared) p.op.resolve();
  }

  /** Checks an op against the log and encodes it into `w`. */
  private prepare(
    op: Op,
    w: ByteWriter,
    projectedLast: number,
    afterEntry: (() => void) | undefined,
  ): { prepared: Prepared; lastIndex: number } {
    const seq = this.active.info.seq;
    const recordStart = w.length;
    switch (op.kind) {
      case 'save': {
        const { hardState, snapshot } = op.update;
        const floor = snapshot ? snapshot.metadata.index : this.index.offset;
        const before = snapshot ? snapshot.metadata.index : projectedLast;
        const entries = (op.update.entries ?? []).filter((e) => e.index > floor);
        const first = entries[0];
        if (first && first.index > before + 1) {
          throw new RaftUsageError(`save: entry ${first.index} would leave a gap after lastIndex ${before}`);
        }
        for (let i = 1; i < entries.length; i++) {
          if (entries[i]!.index !== first!.index + i) {
            throw new RaftUsageError(`save: entries are not contiguous at index ${entries[i]!.index}`);
          }
        }
        const mark = snapshot ? { index: snapshot.metadata.index, term: snapshot.metadata.term } : undefined;
        const encoded = encodeUpdate(w, hardState, mark, entries, afterEntry);
        const apply = (base: number) => {
          if (snapshot) {
            this.index.reset(snapshot.metadata.index, snapshot.metadata.term);
            this.cache.clear();
            this.snap = snapshot;
          }
          if (first) {
            if (first.index <= this.index.lastIndex()) this.cache.deleteFrom(first.index);
            const positions = encoded.relativePositions.map((p) => base + p);
            this.index.putRun(first.index, seq, encoded.terms, positions, encoded.sizes);
            this.cache.add(entries);
          }
          if (hardState) this.hardState = hardState;
        };
        const lastIndex = first ? first.index + entries.length - 1 : before;
        return {
          prepared: { op, apply, recordStart, ...(snapshot ? { snapshotFile: snapshot } : {}) },
          lastIndex,
        };
      }
      case 'createSnapshot': {
        const { index, term } = op.snapshot.metadata;
        // Older than the snapshot we hold: nothing to do (as MemoryStorage).
        if (index < this.snap.metadata.index)
          return { prepared: { op, apply: () => {}, recordStart }, lastIndex: projectedLast };
        if (index > this.index.lastIndex()) {
          throw new RaftUsageError(
            `createSnapshot: index ${index} is past lastIndex ${this.index.lastIndex()}`,
          );
        }
        const known = index >= this.index.offset ? this.index.term(index) : undefined;
        if (known !== undefined && known !== term) {
          throw new RaftUsageError(
            `createSnapshot: term ${term} at index ${index}, but the log has term ${known}`,
          );
        }
        encodeMark(w, RecordType.Snapshot, index, term);
        const snapshot = op.snapshot;
        return {
          prepared: { op, recordStart, snapshotFile: snapshot, apply: () => (this.snap = snapshot) },
          lastIndex: projectedLast,
        };
      }
      case 'compact': {
        const { index } = op;
        if (index > this.snap.metadata.index) {
          throw new RaftUsageError(
            `compact(${index}) is past the latest snapshot's index ${this.snap.metadata.index}`,
          );
        }
        if (index <= this.index.offset)
          return { prepared: { op, apply: () => {}, recordStart }, lastIndex: projectedLast };
        const term = this.index.term(index);
        if (term === undefined)
          throw new RaftUsageError(`compact(${index}) is past lastIndex ${this.index.lastIndex()}`);
        encodeMark(w, RecordType.Compact, index, term);
        const apply = () => {
          this.index.compact(index, term);
          this.cache.deleteUpTo(index);
        };
        return { prepared: { op, apply, recordStart }, lastIndex: projectedLast };
      }
    }
  }

  private needsAfterWrite(prepared: Prepared[]): boolean {
    return (
      this.active.info.size >= this.segmentBytes ||
      prepared.some((p) => p.snapshotFile || p.op.kind === 'compact') ||
      (this.segments.length > 1 && !this.index.isLive(this.segments[0]!.seq))
    );
  }

  /** Removes superseded snapshot files, rotates a full segment, deletes segments nothing refers to. */
  private async afterWrite(prepared: Prepared[]): Promise<void> {
    if (prepared.some((p) => p.snapshotFile)) {
      const keep = snapshotFileName(this.snap.metadata.index, this.snap.metadata.term);
      for (const name of await this.fs.readdir(this.dir)) {
        if (name !== keep && parseSnapshotFileName(name)) await this.fs.unlink(join(this.dir, name));
      }
    }
    if (this.active.info.size >= this.segmentBytes) await this.startSegment(this.active.info.seq + 1);
    // Only a prefix is deleted, oldest first, each made durable before the next: the remaining
    // segments always start with a header describing everything before them.
    while (this.segments.length > 1 && !this.index.isLive(this.segments[0]!.seq)) {
      const gone = this.segments.shift()!;
      await this.fs.unlink(gone.path);
      await this.fs.syncDirectory(this.dir);
    }
  }

  /** Creates segment `seq`, headed by the current state, and makes it the active one. */
  private async startSegment(seq: number): Promise<void> {
    const path = join(this.dir, segmentFileName(seq));
    const w = new ByteWriter(256);
    encodeHeader(w, {
      seq,
      offset: this.index.offset,
      offsetTerm: this.index.offsetTerm,
      lastIndex: this.index.lastIndex(),
      snapshotIndex: this.snap.metadata.index,
      snapshotTerm: this.snap.metadata.term,
      hardState: this.hardState,
    });
    const file = await this.fs.open(path, 'w');
    try {
      await writeFully(file, w.view8(), 0);
      await file.datasync();
      await this.fs.syncDirectory(this.dir);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    const previous = this.active?.file;
    const info: SegmentInfo = { seq, path, size: w.length };
    this.segments.push(info);
    this.active = { info, file };
    await previous?.close();
  }

  /** Starts loading entries from `lo` (as many as `maxBytes` or the cache allows) and calls the listener when done. */
  private startLoad(lo: number, hi: number, maxBytes: number): void {
    if (this.readFailure !== undefined) {
      throw new StorageFatalError(`storage-file: reading ${this.dir} failed`, { cause: this.readFailure });
    }
    if (this.closed) throw new StorageClosedError();
    if (this.loading.has(lo)) return;
    const budget = Math.min(maxBytes, Math.max(this.cache.budget / 2, 64 * 1024));
    let end = lo + 1;
    let bytes = this.index.sizes[lo - this.index.offset - 1]!;
    while (end < hi) {
      const size = this.index.sizes[end - this.index.offset - 1]!;
      if (bytes + size > budget) break;
      bytes += size;
      end++;
    }
    this.loading.add(lo);
    const seen = this.locations(lo, end);
    this.readEntries(lo, end)
      .then(
        (entries) => {
          // Keep only entries still live at the same place (the log may have changed during the read).
          const now = this.locations(lo, end);
          this.cache.addLoaded(entries.filter((_, k) => now[k] !== undefined && now[k] === seen[k]));
        },
        (error: unknown) => {
          if (lo > this.index.offset && lo <= this.index.lastIndex()) {
            this.readFailure = error;
            this.logger.warn(`storage-file: reading entries ${lo}..${end - 1} failed`, {
              error: String(error),
            });
          }
        },
      )
      .finally(() => {
        this.loading.delete(lo);
        this.listener();
      });
  }

  private locations(lo: number, hi: number): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    for (let i = lo; i < hi; i++) {
      const k = i - this.index.offset - 1;
      out.push(k < 0 ? undefined : `${this.index.segments[k]}:${this.index.positions[k]}`);
    }
    return out;
  }

  /** Reads entries `[lo, hi)` from their segments, one read per contiguous span. */
  private async readEntries(lo: number, hi: number): Promise<Entry[]> {
    const spans: { seq: number; start: number; items: { position: number; size: number }[] }[] = [];
    for (let i = lo; i < hi; i++) {
      const k = i - this.index.offset - 1;
      const seq = this.index.segments[k]!;
      const position = this.index.positions[k]!;
      const size = this.index.sizes[k]!;
      const last = spans[spans.length - 1];
      if (
        last &&
        last.seq === seq &&
        position >= last.start &&
        position + size - last.start <= MAX_READ_SPAN
      ) {
        last.items.push({ position, size });
      } else {
        spans.push({ seq, start: position, items: [{ position, size }] });
      }
    }
    const out: Entry[] = [];
    for (const span of spans) {
      const end = Math.max(...span.items.map((it) => it.position + it.size));
      const file = await this.fs.open(join(this.dir, segmentFileName(span.seq)), 'r');
      try {
        const buf = await readFully(file, end - span.start, span.start);
        for (const it of span.items) {
          out.push(decodeEntryAt(buf.subarray(it.position - span.start, it.position - span.start + it.size)));
        }
      } finally {
        await file.close();
      }
    }
    return out;
  }
}

function isPlainSave(op: Op): boolean {
  return op.kind === 'save' && !op.update.snapshot;
}
