import { makeEntries } from '@avs/storage-testkit';
import { expect, it } from 'vitest';
import { type FileLike, type FileOps, nodeFileOps } from '../src/index.js';
import { openStorage, tempDir } from './helpers.js';

/** The real file system, counting how the log's bytes are written. */
function countingFs(): { fs: Partial<FileOps>; counts: { write: number; writeSync: number } } {
  const counts = { write: 0, writeSync: 0 };
  const wrap = (file: FileLike): FileLike =>
    Object.assign(Object.create(file) as FileLike, {
      write: (data: Uint8Array, offset: number, length: number, position: number) => {
        counts.write++;
        return file.write(data, offset, length, position);
      },
      writeSync: (data: Uint8Array, offset: number, length: number, position: number) => {
        counts.writeSync++;
        return file.writeSync!(data, offset, length, position);
      },
    });
  return { fs: { open: async (path, flags) => wrap(await nodeFileOps.open(path, flags)) }, counts };
}

it('writes a small save on the calling thread and a large one asynchronously, and both read back', async () => {
  const probe = await nodeFileOps.open(`${await tempDir()}/probe`, 'w');
  expect(typeof probe.writeSync).toBe('function');
  await probe.close();
  const dir = await tempDir();
  const { fs, counts } = countingFs();
  const { storage } = await openStorage(dir, { fs });
  const before = { ...counts };
  await storage.save({ entries: makeEntries(1, 1, 1, 256), hardState: { term: 1, vote: 'n1', commit: 0 } });
  expect(counts.writeSync).toBeGreaterThan(before.writeSync);
  expect(counts.write).toBe(before.write);
  const mid = { ...counts };
  await storage.save({ entries: makeEntries(2, 401, 1, 1024) }); // about 400 KiB
  expect(counts.write).toBeGreaterThan(mid.write);
  await storage.close();
  const { storage: again } = await openStorage(dir);
  expect(again.lastIndex()).toBe(401);
  const [first] = again.entries(1, 2, Number.MAX_SAFE_INTEGER);
  expect(first!.data.length).toBe(256);
});
