import { type Entry, EntryType, type Snapshot, type Storage } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../test/memory-backend.js';
import { KvStorage } from './kv-storage.js';

function entry(index: number, term: number, size = 10): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array(size).fill(index % 251) };
}

function range(from: number, to: number, term: number, size = 10): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, size));
  return out;
}

function snapshotAt(index: number, term: number): Snapshot {
  return {
    metadata: {
      index,
      term,
      confState: { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
    },
    data: new Uint8Array([1, 2, 3]),
  };
}

/** Reads like Raft does: on UnavailableError wait for onAvailable and retry. */
async function retrying<T>(storage: Storage, read: () => T): Promise<{ value: T; misses: number }> {
  let misses = 0;
  let wake: (() => void) | undefined;
  storage.onAvailable(() => wake?.());
  for (;;) {
    try {
      return { value: read(), misses };
    } catch (error) {
      if ((error as { code?: string }).code !== 'UNAVAILABLE') throw error;
      misses++;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
}

async function open(backend: MemoryBackend, options = {}): Promise<KvStorage> {
  const storage = new KvStorage(backend, options);
  await storage.initialState();
  return storage;
}

describe('KvStorage', () => {
  it('serves appended entries from memory and replaces a conflicting suffix', async () => {
    const backend = new MemoryBackend();
    const storage = await open(backend);
    await storage.save({ entries: range(1, 10, 1), hardState: { term: 1, vote: 'a', commit: 2 } });
    await storage.save({ entries: range(6, 7, 2) });
    expect(storage.lastIndex()).toBe(7);
    expect(storage.entries(1, 8, Number.MAX_SAFE_INTEGER).map((e) => e.term)).toEqual([1, 1, 1, 1, 1, 2, 2]);
    expect(storage.term(7)).toBe(2);
    expect(backend.reads).toBe(0);
    const again = await open(backend);
    expect(again.entries(6, 8, 1000).map((e) => e.term)).toEqual([2, 2]);
    expect((await again.initialState()).hardState).toEqual({ term: 1, vote: 'a', commit: 2 });
  });

  it('answers a later initialState() with the current durable state', async () => {
    const storage = await open(new MemoryBackend());
    await storage.save({ entries: range(1, 2, 1), hardState: { term: 1, vote: '', commit: 2 } });
    expect(await storage.initialState()).toMatchObject({ hardState: { term: 1, vote: '', commit: 2 } });
  });

  it('throws UnavailableError for entries outside memory, loads them and calls onAvailable', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: range(1, 50, 1) });
    const storage = await open(backend, { tailBytes: 100, coldBytes: 10_000 });
    // The tail holds the newest 10 entries (100 bytes); 41..50 need no load.
    expect(storage.entries(41, 51, 1000)).toHaveLength(10);
    const read = await retrying(storage, () => storage.entries(1, 11, 1000));
    expect(read.value.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(read.misses).toBe(1);
    // Now cached: no further load.
    expect(storage.entries(1, 11, 1000)).toHaveLength(10);
    const term = await retrying(storage, () => storage.term(20));
    expect(term).toEqual({ value: 1, misses: 1 });
  });

  it('serves a cold entry larger than the whole cold budget', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: [entry(1, 1, 5_000), ...range(2, 3, 1)] });
    const storage = await open(backend, { tailBytes: 0, coldBytes: 1_000 });
    const read = await retrying(storage, () => storage.entries(1, 2, 10_000));
    expect(read.value[0]?.data.byteLength).toBe(5_000);
    expect(await retrying(storage, () => storage.term(1))).toMatchObject({ value: 1 });
  });

  it('returns a short page where a cold gap starts after the first entry', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: range(1, 30, 1) });
    const storage = await open(backend, { tailBytes: 100, coldBytes: 50, coldReadBytes: 50 });
    const first = await retrying(storage, () => storage.entries(1, 31, 10_000));
    expect(first.value.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('discards a cold load that raced with a rewrite of the same indexes', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: range(1, 20, 1) });
    const storage = await open(backend, { tailBytes: 0 });
    let release!: () => void;
    backend.readGate = new Promise((resolve) => {
      release = resolve;
    });
    expect(() => storage.entries(5, 6, 100)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    await storage.save({ entries: range(5, 8, 3) });
    release();
    backend.readGate = undefined;
    const read = await retrying(storage, () => storage.entries(5, 9, 1000));
    expect(read.value.map((e) => e.term)).toEqual([3, 3, 3, 3]);
  });

  it('retries a cold load that failed while entries were being compacted, and is fatal otherwise', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: range(1, 20, 1) });
    const storage = await open(backend, { tailBytes: 0 });
    let release!: () => void;
    backend.readGate = new Promise((resolve) => {
      release = resolve;
    });
    backend.failReads = new Error('entry 3 is missing');
    expect(() => storage.entries(3, 4, 100)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    await storage.createSnapshot(snapshotAt(10, 1));
    await storage.compact(10);
    release();
    await new Promise<void>((resolve) => storage.onAvailable(resolve));
    // The miss is explained by the compaction: the retry says so, and the storage still writes.
    expect(() => storage.entries(3, 4, 100)).toThrow(expect.objectContaining({ code: 'COMPACTED' }));
    await storage.save({ entries: range(21, 21, 1) });
    // The same failure with nothing removed meanwhile is fatal.
    backend.readGate = undefined;
    expect(() => storage.entries(12, 13, 100)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    await new Promise<void>((resolve) => storage.onAvailable(resolve));
    expect(() => storage.entries(12, 13, 100)).toThrow(expect.objectContaining({ code: 'STORAGE_FATAL' }));
    await expect(storage.save({ entries: range(22, 22, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
  });

  it('makes a failed write fatal and refuses every later write', async () => {
    const backend = new MemoryBackend();
    const storage = await open(backend);
    await storage.save({ entries: range(1, 3, 1) });
    backend.failWrites = new Error('EIO: i/o error, fdatasync');
    await expect(storage.save({ entries: range(4, 4, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
      name: 'StorageFatalError',
      cause: backend.failWrites,
    });
    backend.failWrites = undefined;
    await expect(storage.save({ entries: range(4, 4, 1) })).rejects.toMatchObject({ code: 'STORAGE_FATAL' });
    await expect(storage.compact(1)).rejects.toMatchObject({ code: 'STORAGE_FATAL' });
    // Memory still shows what is durable.
    expect(storage.lastIndex()).toBe(3);
    expect(backend.state.lastIndex).toBe(3);
  });

  it('rejects contract violations without becoming fatal', async () => {
    const storage = await open(new MemoryBackend());
    await expect(storage.save({ entries: [entry(2, 1)] })).rejects.toMatchObject({
      code: 'USAGE',
    });
    await expect(storage.save({ entries: [entry(1, 1), entry(3, 1)] })).rejects.toMatchObject({
      code: 'USAGE',
    });
    await storage.save({ entries: range(1, 5, 1) });
    await expect(storage.compact(3)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(storage.createSnapshot(snapshotAt(6, 1))).rejects.toMatchObject({
      code: 'USAGE',
    });
    expect(() => storage.entries(1, 7, 100)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    await storage.save({ entries: range(6, 6, 1) });
    expect(storage.lastIndex()).toBe(6);
  });

  it('compacts with the term of a cold entry and installs a snapshot over the log', async () => {
    const backend = new MemoryBackend();
    await (await open(backend)).save({ entries: range(1, 20, 2) });
    const storage = await open(backend, { tailBytes: 0 });
    await storage.createSnapshot(snapshotAt(15, 2));
    await storage.compact(10);
    expect(storage.firstIndex()).toBe(11);
    expect(storage.term(10)).toBe(2);
    expect(() => storage.entries(10, 11, 100)).toThrow(expect.objectContaining({ code: 'COMPACTED' }));
    await storage.save({ snapshot: snapshotAt(30, 3), entries: [entry(31, 3)] });
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(30)]).toEqual([31, 31, 3]);
    expect(storage.snapshot().metadata.index).toBe(30);
    await expect(storage.save({ snapshot: snapshotAt(30, 3) })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('installs a snapshot that leaps past the end of the log', async () => {
    const backend = new MemoryBackend();
    const storage = await open(backend);
    await storage.save({ entries: range(1, 10, 1) });
    await storage.save({ snapshot: snapshotAt(100, 5), entries: range(101, 105, 5) });
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(100)]).toEqual([101, 105, 5]);
    expect(storage.entries(101, 106, 1000).map((e) => e.index)).toEqual([101, 102, 103, 104, 105]);
    expect(backend.reads).toBe(0);
  });

  it('shares one close between concurrent callers, finishing queued writes first', async () => {
    const backend = new MemoryBackend();
    const storage = await open(backend);
    const write = storage.save({ entries: range(1, 3, 1) });
    const [a, b] = [storage.close(), storage.close()];
    expect(a).toBe(b);
    await Promise.all([write, a, b]);
    expect(backend.state.lastIndex).toBe(3);
    expect(backend.closes).toBe(1);
    await expect(storage.save({ entries: range(4, 4, 1) })).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
    expect(() => storage.lastIndex()).toThrow(expect.objectContaining({ code: 'STORAGE_CLOSED' }));
  });
});
