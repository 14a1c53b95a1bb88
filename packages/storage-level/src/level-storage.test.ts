import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entry, EntryType, type Snapshot, type Storage } from '@avs/raft-core';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMeta } from './level-codec.js';
import { entryKey, entryKeyIndex, META_KEY, snapshotChunkKey } from './level-keys.js';
import { createLevelStorage, type LevelStorageOptions } from './level-storage.js';

const dirs: string[] = [];
const opened: Storage[] = [];

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'avs-level-'));
  dirs.push(dir);
  return dir;
}

async function open(location: string, options: Partial<LevelStorageOptions> = {}): Promise<Storage> {
  const storage = createLevelStorage({ location, ...options });
  opened.push(storage);
  await storage.initialState();
  return storage;
}

function entries(from: number, to: number, term: number, size = 8): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) {
    out.push({ index: i, term, type: EntryType.Normal, data: new Uint8Array(size).fill(i % 256) });
  }
  return out;
}

function snapshot(index: number, term: number, size: number): Snapshot {
  const data = new Uint8Array(size).map((_, i) => (i * 7 + index) % 256);
  const confState = { voters: ['n1'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  return { metadata: { index, term, confState }, data };
}

/** Indexes of the entry keys physically in the database (opened raw, after the storage closed). */
async function storedIndexes(location: string): Promise<number[]> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(location, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  const out: number[] = [];
  for await (const key of db.keys()) {
    const index = entryKeyIndex(key);
    if (index !== undefined) out.push(index);
  }
  await db.close();
  return out;
}

async function withRawDb(location: string, use: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>) {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(location, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await use(db);
  await db.close();
}

describe('LevelDB storage', () => {
  it('keeps entries across the 2^32 key boundary in order after reopen', async () => {
    const dir = await tempDir();
    const s = await open(dir);
    const base = 2 ** 32 - 3;
    await s.save({ snapshot: snapshot(base, 5, 10), entries: entries(base + 1, base + 6, 5) });
    await s.close();
    const again = await open(dir);
    expect([again.firstIndex(), again.lastIndex(), again.term(base)]).toEqual([base + 1, base + 6, 5]);
    expect(again.entries(base + 1, base + 7, 1_000).map((e) => e.index - base)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('range-deletes compacted entries and an overwritten longer suffix', async () => {
    const dir = await tempDir();
    const s = await open(dir);
    await s.save({ entries: entries(1, 20, 1) });
    await s.save({ entries: entries(15, 16, 2) });
    await s.createSnapshot(snapshot(10, 1, 4));
    await s.compact(10);
    await s.close();
    expect(await storedIndexes(dir)).toEqual([11, 12, 13, 14, 15, 16]);
  });

  it('stores snapshots in chunks and drops chunks a smaller snapshot no longer uses', async () => {
    const dir = await tempDir();
    let s = await open(dir, { snapshotChunkBytes: 10 });
    await s.save({ entries: entries(1, 5, 1) });
    await s.createSnapshot(snapshot(3, 1, 35));
    await s.close();
    s = await open(dir, { snapshotChunkBytes: 10 });
    expect(s.snapshot()).toEqual(snapshot(3, 1, 35));
    await s.createSnapshot(snapshot(5, 1, 12));
    await s.close();
    await withRawDb(dir, async (db) => {
      const chunks = await db.getMany([0, 1, 2, 3].map(snapshotChunkKey));
      expect(chunks.map((c) => c?.byteLength)).toEqual([10, 2, undefined, undefined]);
    });
    s = await open(dir);
    expect(s.snapshot()).toEqual(snapshot(5, 1, 12));
  });

  it('refuses a second open of the same directory', async () => {
    const dir = await tempDir();
    await open(dir);
    const second = createLevelStorage({ location: dir });
    await expect(second.initialState()).rejects.toMatchObject({
      code: 'LEVEL_LOCKED',
      name: 'LevelLockedError',
    });
  });

  it('refuses to open over a missing entry, a truncated entry or a malformed meta record', async () => {
    const dir = await tempDir();
    const s = await open(dir);
    await s.save({ entries: entries(1, 5, 1) });
    await s.close();
    await withRawDb(dir, (db) => db.del(entryKey(3)));
    await expect(createLevelStorage({ location: dir }).initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      message: expect.stringContaining('entry 3 is missing'),
    });
    await withRawDb(dir, (db) => db.put(entryKey(3), new Uint8Array([0, 0, 1])));
    await expect(createLevelStorage({ location: dir }).initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      message: expect.stringContaining('leveldb entry 3: value has 3 bytes'),
    });
    await withRawDb(dir, (db) => db.put(META_KEY, new TextEncoder().encode('{"version":1}')));
    await expect(createLevelStorage({ location: dir }).initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    });
    const meta = encodeMeta({
      version: 1,
      state: {
        hardState: { term: 1, vote: '', commit: 0 },
        compacted: { index: 9, term: 1 },
        lastIndex: 5,
        snapshot: snapshot(9, 1, 0).metadata,
      },
      snapshotChunks: 0,
      snapshotBytes: 0,
    });
    await withRawDb(dir, (db) => db.put(META_KEY, meta));
    await expect(createLevelStorage({ location: dir }).initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
    });
  });

  it('reads cold entries through UnavailableError and onAvailable', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    await first.save({ entries: entries(1, 100, 1, 100) });
    await first.close();
    const s = await open(dir, { tailBytes: 1_000, coldBytes: 2_000 });
    expect(s.entries(91, 101, 10_000)).toHaveLength(10);
    expect(() => s.entries(1, 5, 10_000)).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    await new Promise<void>((resolve) => s.onAvailable(resolve));
    expect(s.entries(1, 5, 10_000).map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });

  it('fails a write on a broken database with StorageFatalError and refuses later ones', async () => {
    const dir = await tempDir();
    const storage = createLevelStorage({ location: dir });
    opened.push(storage);
    await storage.initialState();
    await storage.save({ entries: entries(1, 3, 1) });
    // Reach the backend the way a fault test must: through the storage's one backend.
    const backend = (storage as unknown as { backend: { breakForTests(): Promise<void> } }).backend;
    await backend.breakForTests();
    await expect(storage.save({ entries: entries(4, 4, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    await expect(storage.save({ hardState: { term: 2, vote: '', commit: 0 } })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    await storage.close();
    const again = await open(dir);
    expect(again.lastIndex()).toBe(3);
  });
});
