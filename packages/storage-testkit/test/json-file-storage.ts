/**
 * A deliberately simple real backend for testing the suite itself: the whole
 * state is rewritten to one JSON file (temp file, fsync, rename) on every
 * write. Optional cold mode throws UnavailableError for entries far from the
 * tail, then calls back; optional fault injection fails the next write.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompactedError,
  type Entry,
  type InitialState,
  type Snapshot,
  type Storage,
  StorageClosedError,
  StorageFatalError,
  type StorageUpdate,
  UnavailableError,
} from '@avs/raft-core';
import { LogModel } from '../src/log-model.js';

interface Options {
  /** Entries more than this far below lastIndex are "cold". */
  hotEntries?: number;
}

const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export class JsonFileStorage implements Storage {
  private model = new LogModel();
  private closed: Promise<void> | undefined;
  private failed: unknown;
  private faultArmed = false;
  private listener: () => void = () => {};
  private readonly warm = new Set<number>();

  private constructor(
    private readonly dir: string,
    private readonly options: Options,
  ) {}

  static async open(dir: string, options: Options = {}): Promise<JsonFileStorage> {
    const storage = new JsonFileStorage(dir, options);
    try {
      const json = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
      const m = storage.model;
      m.hardState = json.hardState;
      m.offset = json.offset;
      m.offsetTerm = json.offsetTerm;
      m.snapshot = { metadata: json.snapshot.metadata, data: unb64(json.snapshot.data) };
      m.entries = json.entries.map((e: { data: string }) => ({ ...e, data: unb64(e.data) }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return storage;
  }

  injectFault(): void {
    this.faultArmed = true;
  }

  async initialState(): Promise<InitialState> {
    return { hardState: this.model.hardState, snapshotMetadata: this.model.snapshot.metadata };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.model.offset) throw new CompactedError(lo, this.model.firstIndex());
    this.checkWarm(lo, hi);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.model.entry(i);
      if (!e) throw new RangeError(`entry ${i} beyond lastIndex ${this.model.lastIndex()}`);
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: number): number {
    if (index < this.model.offset) throw new CompactedError(index, this.model.firstIndex());
    if (index > this.model.offset) this.checkWarm(index, index + 1);
    const t = this.model.term(index);
    if (t === undefined) throw new RangeError(`term(${index}) beyond lastIndex`);
    return t;
  }

  firstIndex(): number {
    return this.model.firstIndex();
  }

  lastIndex(): number {
    return this.model.lastIndex();
  }

  snapshot(): Snapshot {
    return this.model.snapshot;
  }

  save(update: StorageUpdate): Promise<void> {
    return this.write((m) => m.save(update));
  }

  createSnapshot(snapshot: Snapshot): Promise<void> {
    return this.write((m) => m.createSnapshot(snapshot));
  }

  compact(index: number): Promise<void> {
    return this.write((m) => m.compact(index));
  }

  onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  close(): Promise<void> {
    this.closed ??= Promise.resolve();
    return this.closed;
  }

  private checkWarm(lo: number, hi: number): void {
    const hot = this.options.hotEntries;
    if (hot === undefined || lo > this.model.lastIndex() - hot) return;
    const block = Math.floor(lo / 100);
    if (this.warm.has(block)) return;
    // "Load" the block, then forget the others: a cache of one block.
    setImmediate(() => {
      this.warm.clear();
      this.warm.add(block);
      this.listener();
    });
    throw new UnavailableError(lo, hi);
  }

  private async write(change: (model: LogModel) => void): Promise<void> {
    if (this.closed) throw new StorageClosedError();
    if (this.failed) throw new StorageFatalError('an earlier write failed', { cause: this.failed });
    const next = this.model.clone();
    change(next);
    try {
      if (this.faultArmed) {
        this.faultArmed = false;
        throw Object.assign(new Error('EIO: injected fsync failure'), { code: 'EIO' });
      }
      const json = JSON.stringify({
        hardState: next.hardState,
        offset: next.offset,
        offsetTerm: next.offsetTerm,
        snapshot: { metadata: next.snapshot.metadata, data: b64(next.snapshot.data) },
        entries: next.entries.map((e) => ({ ...e, data: b64(e.data) })),
      });
      const tmp = join(this.dir, 'state.json.tmp');
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(json);
        await file.datasync();
      } finally {
        await file.close();
      }
      await rename(tmp, join(this.dir, 'state.json'));
      const dir = await open(this.dir, 'r');
      await dir.sync();
      await dir.close();
    } catch (error) {
      this.failed = error;
      throw new StorageFatalError('write failed', { cause: error });
    }
    this.model = next;
  }
}
