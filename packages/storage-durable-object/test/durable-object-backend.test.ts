/**
 * What the conformance suite leaves open, checked on real Durable Object
 * storage in workerd: a failed transaction leaves nothing behind, and parts
 * of a replaced multi-part entry or snapshot never resurface.
 */
import type { Storage } from '@avs/raft-core';
import { makeEntries, makeEntry, makeSnapshot } from '@avs/storage-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { remoteStorage } from './support/remote-backend.js';
import { startStorageWorker } from './support/workerd.js';

const worker = await startStorageWorker();
afterAll(() => worker.dispose());

let objects = 0;
const nextObject = () => `backend-${process.pid}-${++objects}`;

async function open(object: string) {
  const opened = remoteStorage(worker.url, object);
  await opened.storage.initialState();
  return opened;
}

function read(storage: Storage, lo: number, hi: number) {
  return storage.entries(lo, hi, Number.MAX_SAFE_INTEGER);
}

describe('DurableObjectBackend in workerd', () => {
  it('a transaction that fails after its writes leaves the stored log as it was', async () => {
    const object = nextObject();
    const { storage, backend } = await open(object);
    await storage.save({ entries: makeEntries(1, 5, 1), hardState: { term: 1, vote: 'a', commit: 3 } });
    backend.injectFault();
    await expect(
      storage.save({
        entries: makeEntries(4, 9, 2, 200 * 1024),
        hardState: { term: 2, vote: 'b', commit: 5 },
      }),
    ).rejects.toMatchObject({ code: 'STORAGE_FATAL' });
    await storage.close().catch(() => {});

    const again = (await open(object)).storage;
    const state = await again.initialState();
    expect(state.hardState).toEqual({ term: 1, vote: 'a', commit: 3 });
    expect(again.lastIndex()).toBe(5);
    expect(read(again, 1, 6)).toEqual(makeEntries(1, 5, 1));
    await again.close();
  });

  it('replacing a multi-part entry with a smaller multi-part one leaves no stale part', async () => {
    const object = nextObject();
    const { storage } = await open(object);
    // Parts are 64 KiB here: 250 KiB is 4 parts, 100 KiB is 2.
    await storage.save({
      entries: [makeEntry(1, 1), makeEntry(2, 1, 250 * 1024), makeEntry(3, 1, 250 * 1024)],
    });
    const replacement = [makeEntry(2, 2, 100 * 1024), makeEntry(3, 2, 100 * 1024)];
    await storage.save({ entries: replacement, hardState: { term: 2, vote: '', commit: 0 } });
    await storage.close();

    const again = (await open(object)).storage;
    expect(read(again, 1, 4)).toEqual([makeEntry(1, 1), ...replacement]);
    await again.close();
  });

  it('a snapshot that cuts the log removes the cut entries, so appends there start clean', async () => {
    const object = nextObject();
    const { storage } = await open(object);
    await storage.save({ entries: makeEntries(1, 10, 1, 150 * 1024) });
    // Installed snapshot at 4: the log becomes empty after 4; entries 5.. are written anew, smaller.
    await storage.save({
      snapshot: makeSnapshot(4, 1, 300 * 1024),
      entries: makeEntries(5, 6, 2, 70 * 1024),
    });
    await storage.close();

    const again = (await open(object)).storage;
    await again.initialState();
    expect(again.firstIndex()).toBe(5);
    expect(again.lastIndex()).toBe(6);
    expect(read(again, 5, 7)).toEqual(makeEntries(5, 6, 2, 70 * 1024));
    expect(again.snapshot()).toEqual(makeSnapshot(4, 1, 300 * 1024));
    await again.close();
  });
});
