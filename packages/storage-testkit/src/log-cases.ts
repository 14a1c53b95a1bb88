import { expect } from 'vitest';
import { EMPTY_HARD_STATE, makeEntries, makeEntry, makeSnapshot } from './fixtures.js';
import { expectInitialState, expectMatches, expectThrowsCode } from './harness.js';
import { LogModel } from './log-model.js';
import type { CaseRegistrar } from './suite-context.js';

/** Cases on the log itself: appends, overwrites, hard state, reads and their limits. */
export function registerLogCases(test: CaseRegistrar): void {
  test('empty log', async (h) => {
    const s = await h.open();
    const model = new LogModel();
    expectInitialState(s, model);
    expect(s.storage.firstIndex()).toBe(1);
    expect(s.storage.lastIndex()).toBe(0);
    expect(await s.reader.term(0)).toBe(0);
    const snap = await s.reader.snapshot();
    expect(snap.metadata.index).toBe(0);
    expect(snap.metadata.term).toBe(0);
    expect(snap.data.byteLength).toBe(0);
    await expectMatches(s, model);
    // An empty update is a valid no-op.
    await s.storage.save({});
    await expectMatches(await h.reopen(s), model);
  });

  test('append', async (h) => {
    const s = await h.open();
    const model = new LogModel();
    for (const update of [
      { entries: [makeEntry(1, 1)] },
      { entries: makeEntries(2, 10, 1) },
      { entries: makeEntries(11, 40, 2) },
    ]) {
      await s.storage.save(update);
      model.save(update);
      await expectMatches(s, model);
    }
    expect(s.storage.firstIndex()).toBe(1);
    expect(s.storage.lastIndex()).toBe(40);
    expect(await s.reader.term(10)).toBe(1);
    expect(await s.reader.term(11)).toBe(2);
    const middle = await s.reader.entries(5, 8);
    expect(middle.map((e) => e.index)).toEqual([5, 6, 7]);
    await expectMatches(await h.reopen(s), model);
  });

  test('entries maxBytes', async (h) => {
    const s = await h.open();
    const entries = makeEntries(1, 20, 1, 100);
    await s.storage.save({ entries });
    // Always at least one entry, even when it alone exceeds the limit.
    for (const maxBytes of [0, 1, 99]) {
      const one = await s.reader.entries(3, 10, maxBytes);
      expect(one.map((e) => e.index)).toEqual([3]);
    }
    // Otherwise a non-empty prefix of the range within the limit.
    for (const maxBytes of [100, 250, 500, 1999, 2000]) {
      const page = await s.reader.entries(1, 21, maxBytes);
      expect(page.length).toBeGreaterThanOrEqual(1);
      expect(page.length).toBeLessThanOrEqual(Math.max(1, Math.floor(maxBytes / 100)));
      expect(page.map((e) => e.index)).toEqual(entries.slice(0, page.length).map((e) => e.index));
    }
    expect(await s.reader.entries(1, 21, 2000)).toHaveLength(20);
    expect(await s.reader.entries(1, 21)).toHaveLength(20);
  });

  test('overwrite conflicting suffix', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    const steps = [
      { entries: makeEntries(1, 10, 1) },
      // A new leader replaces 6..10 with a shorter suffix of a later term.
      { entries: makeEntries(6, 8, 2) },
      // Appending after the overwrite continues from the new tail.
      { entries: makeEntries(9, 12, 2) },
      // Overwrite only the last entry.
      { entries: makeEntries(12, 12, 3) },
      // Overwrite the whole log from index 1.
      { entries: makeEntries(1, 3, 4) },
    ];
    for (const update of steps) {
      await s.storage.save(update);
      model.save(update);
      await expectMatches(s, model);
      s = await h.reopen(s);
      await expectMatches(s, model);
    }
    expect(s.storage.lastIndex()).toBe(3);
    expect(await s.reader.term(3)).toBe(4);
  });

  test('hard state', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    expect({ ...s.initial.hardState }).toEqual(EMPTY_HARD_STATE);
    const updates = [
      { hardState: { term: 1, vote: 'n1', commit: 0 } },
      { entries: makeEntries(1, 5, 1), hardState: { term: 1, vote: 'n1', commit: 3 } },
      { hardState: { term: 2, vote: '', commit: 5 } },
      { hardState: { term: 2, vote: 'n3', commit: 5 } },
    ];
    for (const update of updates) {
      await s.storage.save(update);
      model.save(update);
      s = await h.reopen(s);
      expectInitialState(s, model);
      await expectMatches(s, model);
    }
    // An update without hard state keeps the last one.
    const more = { entries: makeEntries(6, 7, 2) };
    await s.storage.save(more);
    model.save(more);
    s = await h.reopen(s);
    expectInitialState(s, model);
    expect(s.initial.hardState.vote).toBe('n3');
  });

  test('term boundaries', async (h) => {
    const s = await h.open();
    expect(await s.reader.term(0)).toBe(0);
    await s.storage.save({ entries: [...makeEntries(1, 3, 1), ...makeEntries(4, 9, 3)] });
    expect(await s.reader.term(0)).toBe(0);
    expect(await s.reader.term(1)).toBe(1);
    expect(await s.reader.term(3)).toBe(1);
    expect(await s.reader.term(4)).toBe(3);
    expect(await s.reader.term(9)).toBe(3);
    await s.storage.createSnapshot(makeSnapshot(5, 3));
    await s.storage.compact(5);
    // term(firstIndex - 1) is the snapshot's term; below it is compacted.
    expect(s.storage.firstIndex()).toBe(6);
    expect(await s.reader.term(5)).toBe(3);
    await expect(s.reader.term(4)).rejects.toMatchObject({ code: 'COMPACTED' });
    await expect(s.reader.term(0)).rejects.toMatchObject({ code: 'COMPACTED' });
    expect(await s.reader.term(9)).toBe(3);
    const again = await h.reopen(s);
    expect(await again.reader.term(5)).toBe(3);
    await expect(again.reader.term(4)).rejects.toMatchObject({ code: 'COMPACTED' });
    expect(await again.reader.term(9)).toBe(3);
  });

  test('compacted errors', async (h) => {
    const s = await h.open();
    await s.storage.save({ entries: makeEntries(1, 30, 1) });
    await s.storage.createSnapshot(makeSnapshot(20, 1));
    await s.storage.compact(20);
    expect(s.storage.firstIndex()).toBe(21);
    await expect(s.reader.entries(20, 25)).rejects.toMatchObject({
      code: 'COMPACTED',
      name: 'CompactedError',
    });
    await expect(s.reader.entries(1, 25)).rejects.toMatchObject({ code: 'COMPACTED' });
    expectThrowsCode(() => s.storage.entries(1, 2, 100), 'COMPACTED');
    expect((await s.reader.entries(21, 31)).map((e) => e.index)).toEqual([
      21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
  });

  test('large entries', async (h, options) => {
    const size = options.largeEntryBytes ?? 1.5 * 1024 * 1024;
    let s = await h.open();
    const model = new LogModel();
    const updates = [
      { entries: [makeEntry(1, 1, 10), makeEntry(2, 1, size), makeEntry(3, 1, 10)] },
      { entries: makeEntries(4, 7, 1, 256 * 1024) },
      { entries: [makeEntry(8, 2, size + 1)], hardState: { term: 2, vote: 'n2', commit: 8 } },
    ];
    for (const update of updates) {
      await s.storage.save(update);
      model.save(update);
    }
    await expectMatches(s, model);
    // A byte limit below one large entry still returns that entry.
    expect((await s.reader.entries(2, 4, 1024)).map((e) => e.index)).toEqual([2]);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
  });
}
