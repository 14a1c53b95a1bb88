import { describe, expect, it } from 'vitest';
import { CompactedError, StorageFatalError } from './errors.js';
import { MemoryStorage } from './memory-storage.js';
import type { Entry } from './types.js';
import { EntryType } from './types.js';

const ent = (index: number, term: number, data = ''): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new TextEncoder().encode(data),
});
const confState = { voters: ['a'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };

describe('MemoryStorage', () => {
  it('starts empty: firstIndex 1, lastIndex 0, zero hard state', async () => {
    const s = new MemoryStorage();
    const init = await s.initialState();
    expect(init.hardState).toEqual({ term: 0, vote: '', commit: 0 });
    expect(init.snapshotMetadata.index).toBe(0);
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(0);
    expect(s.term(0)).toBe(0);
  });

  it('appends, replaces a conflicting suffix, and honours maxBytes (at least one entry)', async () => {
    const s = new MemoryStorage();
    await s.save({
      entries: [ent(1, 1, 'aa'), ent(2, 1, 'bb'), ent(3, 1, 'cc')],
      hardState: { term: 1, vote: 'a', commit: 1 },
    });
    expect(s.lastIndex()).toBe(3);
    await s.save({ entries: [ent(2, 2, 'xx')] });
    expect(s.lastIndex()).toBe(2);
    expect(s.term(2)).toBe(2);
    expect(s.entries(1, 3, 0).length).toBe(1);
    expect(s.entries(1, 3, 4).length).toBe(2);
    expect((await s.initialState()).hardState.vote).toBe('a');
  });

  it('creates snapshots, compacts only up to the snapshot, and throws CompactedError below firstIndex', async () => {
    const s = new MemoryStorage();
    await s.save({ entries: [ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)] });
    await s.createSnapshot({ metadata: { index: 3, term: 2, confState }, data: new Uint8Array([1]) });
    expect(s.firstIndex()).toBe(1);
    await expect(s.compact(4)).rejects.toThrow(/past the latest snapshot/);
  });

  it('compacts and keeps the compaction point term', async () => {
    const s = new MemoryStorage();
    await s.save({ entries: [ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)] });
    await s.createSnapshot({ metadata: { index: 3, term: 2, confState }, data: new Uint8Array([1]) });
    await s.compact(3);
    expect(s.firstIndex()).toBe(4);
    expect(s.term(3)).toBe(2);
    expect(() => s.term(2)).toThrow(CompactedError);
    expect(() => s.entries(3, 5, 100)).toThrow(CompactedError);
    expect(s.entries(4, 5, 100)[0]!.index).toBe(4);
  });

  it('a received snapshot replaces the whole log', async () => {
    const s = new MemoryStorage();
    await s.save({ entries: [ent(1, 1), ent(2, 1)] });
    await s.save({
      snapshot: { metadata: { index: 10, term: 3, confState }, data: new Uint8Array([7]) },
      entries: [ent(11, 3)],
    });
    expect(s.firstIndex()).toBe(11);
    expect(s.lastIndex()).toBe(11);
    expect(s.term(10)).toBe(3);
    expect(s.snapshot().data).toEqual(new Uint8Array([7]));
  });

  it('a failed write rejects with StorageFatalError and every later write is refused', async () => {
    let fail = true;
    const s = new MemoryStorage({
      beforeWrite: () => {
        if (fail) throw new Error('disk on fire');
      },
    });
    await expect(s.save({ entries: [ent(1, 1)] })).rejects.toBeInstanceOf(StorageFatalError);
    fail = false;
    await expect(s.save({ entries: [ent(1, 1)] })).rejects.toBeInstanceOf(StorageFatalError);
    expect(s.lastIndex()).toBe(0);
  });
});
