import { readdir } from 'node:fs/promises';
import { makeEntries, makeSnapshot, plainEntry, StorageReader } from '@avs/storage-testkit';
import { describe, expect, it } from 'vitest';
import { type FileOps, FileStorage, nodeFileOps } from '../src/index.js';
import { openStorage, tempDir } from './helpers.js';
import { quietLogger } from './quiet-logger.js';

describe('bounded cache', () => {
  it('keeps at most cacheBytes of entries in memory and reads the rest from disk after a callback', async () => {
    const dir = await tempDir();
    const cacheBytes = 64 * 1024;
    const { storage } = await openStorage(dir, { cacheBytes, segmentBytes: 256 * 1024 });
    const all = makeEntries(1, 1000, 1, 1024);
    for (let i = 0; i < 1000; i += 100) await storage.save({ entries: all.slice(i, i + 100) });
    expect(storage.cachedBytes()).toBeLessThanOrEqual(cacheBytes);
    // The tail is hot: served synchronously.
    expect(storage.entries(990, 1001, Number.MAX_SAFE_INTEGER)).toHaveLength(11);
    // An old entry is cold: UnavailableError, then the listener, then the read succeeds.
    let called = 0;
    const reader = new StorageReader(storage);
    expect(() => storage.entries(5, 10, Number.MAX_SAFE_INTEGER)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
    const got = await reader.allEntries(1, 1001);
    expect(got.map(plainEntry)).toEqual(all.map(plainEntry));
    expect(reader.unavailableCount).toBeGreaterThan(0);
    storage.onAvailable(() => called++);
    expect(() => storage.entries(1, 2, 1)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    await new Promise<void>((resolve) => {
      const wait = () => (called > 0 ? resolve() : setImmediate(wait));
      wait();
    });
    expect(storage.entries(1, 2, 1).map(plainEntry)).toEqual([plainEntry(all[0]!)]);
    // Loaded ranges do not grow the cache past the budget plus the one range being read.
    expect(storage.cachedBytes()).toBeLessThanOrEqual(cacheBytes + 64 * 1024 + 1024);
    // term() never needs the disk.
    expect(storage.term(3)).toBe(1);
  });

  it('reopens with only the tail in memory', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir, { cacheBytes: 10_000 });
    await storage.save({ entries: makeEntries(1, 200, 1, 1000) });
    await storage.close();
    const { storage: again } = await openStorage(dir, { cacheBytes: 10_000 });
    expect(again.cachedBytes()).toBeLessThanOrEqual(10_000);
    expect(again.cachedBytes()).toBeGreaterThan(0);
    expect(again.entries(200, 201, 1)).toHaveLength(1);
    expect(() => again.entries(1, 2, 1)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});

describe('segments', () => {
  it('rotates at the size limit and compaction deletes whole segments only', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir, { segmentBytes: 8192 });
    for (let i = 1; i <= 200; i += 10) await storage.save({ entries: makeEntries(i, i + 9, 1, 500) });
    const before = storage.segmentFiles();
    expect(before.length).toBeGreaterThan(5);
    await storage.createSnapshot(makeSnapshot(100, 1));
    await storage.compact(100);
    const after = storage.segmentFiles();
    expect(after.length).toBeLessThan(before.length);
    expect(before.slice(before.length - after.length)).toEqual(after);
    expect((await readdir(dir)).filter((n) => n.startsWith('wal-')).length).toBe(after.length);
    // Entries after the compaction point all survive, across a reopen.
    await storage.close();
    const { storage: again } = await openStorage(dir, { segmentBytes: 8192 });
    expect(again.firstIndex()).toBe(101);
    expect(again.entries(101, 201, Number.MAX_SAFE_INTEGER).map(plainEntry)).toEqual(
      makeEntries(101, 200, 1, 500).map(plainEntry),
    );
  });
});

describe('group commit', () => {
  it('coalesces saves issued while a write is in flight into fewer fdatasyncs, all durable', async () => {
    const dir = await tempDir();
    let syncs = 0;
    const fs: Partial<FileOps> = {
      open: async (path, flags) => {
        const file = await nodeFileOps.open(path, flags);
        const datasync = file.datasync.bind(file);
        return Object.assign(file, {
          datasync: () => {
            syncs++;
            return datasync();
          },
        });
      },
    };
    const { storage } = await openStorage(dir, { fs });
    syncs = 0;
    const saves = Array.from({ length: 50 }, (_, i) =>
      storage.save({ entries: makeEntries(i + 1, i + 1, 1), hardState: { term: 1, vote: '', commit: i } }),
    );
    await Promise.all(saves);
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(50);
    await storage.close();
    const again = await FileStorage.open({ dir, logger: quietLogger() });
    expect((await again.initialState()).hardState.commit).toBe(49);
    expect(again.lastIndex()).toBe(50);
    await again.close();
  });
});
