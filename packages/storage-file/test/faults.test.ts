import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeEntries, makeSnapshot, plainEntry } from '@avs/storage-testkit';
import { describe, expect, it } from 'vitest';
import { CorruptionError, FileStorage } from '../src/index.js';
import { faultyFs } from './faulty-fs.js';
import { openStorage, tempDir } from './helpers.js';
import { quietLogger } from './quiet-logger.js';

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('wal-')).sort();
}

/** A log of 40 entries over several small segments, closed. */
async function writtenLog(dir: string): Promise<void> {
  const { storage } = await openStorage(dir, { segmentBytes: 4096 });
  for (let i = 1; i <= 40; i += 5) {
    await storage.save({
      entries: makeEntries(i, i + 4, 1, 300),
      hardState: { term: 1, vote: 'n1', commit: i },
    });
  }
  await storage.close();
}

describe('torn tail', () => {
  it('truncates a half-written last record, logs it, and keeps everything before it', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: makeEntries(1, 10, 1, 100) });
    await storage.save({ entries: makeEntries(11, 12, 1, 100) });
    await storage.close();
    const [last] = (await segments(dir)).slice(-1);
    const path = join(dir, last!);
    const size = (await stat(path)).size;
    // Cut the last record (entries 11..12) in the middle, as a crash during write() would.
    await truncate(path, size - 50);
    const { storage: again, logger } = await openStorage(dir);
    expect(again.lastIndex()).toBe(10);
    const warning = logger.lines.find((l) => l.level === 'warn' && l.message.includes('torn'));
    expect(warning?.details).toMatchObject({ file: path });
    expect((await stat(path)).size).toBeLessThan(size - 50);
    // The log continues normally after the repair, and the repair itself is durable.
    await again.save({ entries: makeEntries(11, 11, 2, 100) });
    await again.close();
    const { storage: third, logger: quiet } = await openStorage(dir);
    expect(third.lastIndex()).toBe(11);
    expect(third.term(11)).toBe(2);
    expect(quiet.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('treats a zero-filled tail (size extended, data never written) as torn', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: makeEntries(1, 3, 1) });
    await storage.close();
    const [last] = (await segments(dir)).slice(-1);
    const path = join(dir, last!);
    await writeFile(path, new Uint8Array(4096), { flag: 'a' });
    const { storage: again, logger } = await openStorage(dir);
    expect(again.lastIndex()).toBe(3);
    expect(logger.lines.some((l) => l.message.includes('torn'))).toBe(true);
  });

  it('removes a new segment whose header never became durable (crash during rotation)', async () => {
    const dir = await tempDir();
    await writtenLog(dir);
    const names = await segments(dir);
    const next = `wal-${(Number.parseInt(names.at(-1)!.slice(4, 20), 16) + 1).toString(16).padStart(16, '0')}.log`;
    await writeFile(join(dir, next), new Uint8Array([1, 2, 3]));
    const { storage, logger } = await openStorage(dir, { segmentBytes: 4096 });
    expect(storage.lastIndex()).toBe(40);
    expect(logger.lines.some((l) => l.message.includes('interrupted rotation'))).toBe(true);
    expect(await segments(dir)).toEqual(names);
  });
});

describe('corruption', () => {
  it('refuses to open when a record before the tail is damaged, naming file and offset', async () => {
    const dir = await tempDir();
    await writtenLog(dir);
    const names = await segments(dir);
    expect(names.length).toBeGreaterThan(2);
    const path = join(dir, names[1]!);
    const bytes = await readFile(path);
    bytes[200]! ^= 0x40; // inside the second record of a middle segment
    await writeFile(path, bytes);
    const error = await FileStorage.open({ dir, logger: quietLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ code: 'CORRUPT', file: path });
    const offset = (error as CorruptionError).offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(200);
    expect((error as Error).message).toContain(`${path} is corrupt at byte offset ${offset}`);
    // The lock was released: after a repair the directory opens again.
    bytes[200]! ^= 0x40;
    await writeFile(path, bytes);
    const { storage } = await openStorage(dir);
    expect(storage.lastIndex()).toBe(40);
  });

  it('refuses damage in the middle of the last segment (valid records follow it)', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    for (let i = 1; i <= 10; i++) await storage.save({ entries: makeEntries(i, i, 1, 100) });
    await storage.close();
    const [last] = (await segments(dir)).slice(-1);
    const path = join(dir, last!);
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(path, bytes);
    await expect(FileStorage.open({ dir, logger: quietLogger() })).rejects.toMatchObject({
      code: 'CORRUPT',
      file: path,
    });
  });

  it('refuses a missing middle segment', async () => {
    const dir = await tempDir();
    await writtenLog(dir);
    const names = await segments(dir);
    const { rm } = await import('node:fs/promises');
    await rm(join(dir, names[1]!));
    await expect(FileStorage.open({ dir, logger: quietLogger() })).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('refuses a damaged snapshot file, naming it', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: makeEntries(1, 10, 1) });
    await storage.createSnapshot(makeSnapshot(5, 1, 1000));
    await storage.close();
    const name = (await readdir(dir)).find((n) => n.endsWith('.snap'))!;
    const bytes = await readFile(join(dir, name));
    bytes[100]! ^= 1;
    await writeFile(join(dir, name), bytes);
    await expect(FileStorage.open({ dir, logger: quietLogger() })).rejects.toMatchObject({
      code: 'CORRUPT',
      file: join(dir, name),
    });
  });

  it('removes leftovers of an interrupted snapshot write and keeps the referenced snapshot', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: makeEntries(1, 10, 1) });
    await storage.createSnapshot(makeSnapshot(5, 1, 1000));
    await storage.close();
    await writeFile(join(dir, 'snap-0000000000000008-0000000000000001.snap.tmp'), 'partial');
    await writeFile(join(dir, 'snap-0000000000000009-0000000000000001.snap'), 'renamed but never logged');
    const { storage: again } = await openStorage(dir);
    expect(again.snapshot().metadata.index).toBe(5);
    expect((await readdir(dir)).filter((n) => n.startsWith('snap-'))).toEqual([
      'snap-0000000000000005-0000000000000001.snap',
    ]);
  });
});

describe('failed writes', () => {
  for (const fault of [
    { call: 'write', code: 'ENOSPC' },
    { call: 'datasync', code: 'EIO' },
  ] as const) {
    it(`a failed ${fault.call} (${fault.code}) is never acknowledged and every later write is refused`, async () => {
      const dir = await tempDir();
      const faults = faultyFs();
      const { storage } = await openStorage(dir, { fs: faults.fs });
      await storage.save({ entries: makeEntries(1, 5, 1), hardState: { term: 1, vote: 'n1', commit: 5 } });
      faults.arm(fault);
      const failed = await storage.save({ entries: makeEntries(6, 8, 1) }).then(
        () => 'resolved',
        (e: unknown) => e,
      );
      expect(faults.fired()).toBe(1);
      expect(failed).toMatchObject({ code: 'STORAGE_FATAL', name: 'StorageFatalError' });
      expect((failed as Error).cause).toMatchObject({ code: fault.code });
      // The fault was one-shot, but the storage stays failed: its state on disk is uncertain.
      await expect(storage.save({ entries: makeEntries(6, 6, 1) })).rejects.toMatchObject({
        code: 'STORAGE_FATAL',
      });
      await expect(storage.compact(1)).rejects.toMatchObject({ code: 'STORAGE_FATAL' });
      expect(storage.lastIndex()).toBe(5);
      await storage.close();
      const { storage: again } = await openStorage(dir);
      expect(again.lastIndex()).toBeGreaterThanOrEqual(5);
      expect(again.entries(1, 6, Number.MAX_SAFE_INTEGER).map(plainEntry)).toEqual(
        makeEntries(1, 5, 1).map(plainEntry),
      );
    });
  }

  it('a failed snapshot file write is fatal too', async () => {
    const dir = await tempDir();
    const faults = faultyFs();
    const { storage } = await openStorage(dir, { fs: faults.fs });
    await storage.save({ entries: makeEntries(1, 5, 1) });
    faults.arm({ call: 'write', code: 'ENOSPC' });
    await expect(storage.createSnapshot(makeSnapshot(3, 1))).rejects.toMatchObject({ code: 'STORAGE_FATAL' });
    await expect(storage.save({ entries: makeEntries(6, 6, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    await storage.close();
    const { storage: again } = await openStorage(dir);
    expect(again.snapshot().metadata.index).toBe(0);
    expect(again.lastIndex()).toBe(5);
  });
});

describe('refused updates', () => {
  it('a save refused for a gap writes nothing and the storage stays usable', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    await storage.save({ entries: makeEntries(1, 3, 1) });
    await expect(storage.save({ entries: makeEntries(5, 6, 1) })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(storage.compact(2)).rejects.toMatchObject({ code: 'USAGE' });
    await storage.save({ entries: makeEntries(4, 4, 1) });
    await storage.close();
    const { storage: again, logger } = await openStorage(dir);
    expect(again.lastIndex()).toBe(4);
    expect(logger.lines).toEqual([]);
  });
});
