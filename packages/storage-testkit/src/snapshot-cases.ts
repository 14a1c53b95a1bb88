import { expect } from 'vitest';
import { makeEntries, makeSnapshot } from './fixtures.js';
import { expectInitialState, expectMatches } from './harness.js';
import { LogModel } from './log-model.js';
import type { CaseRegistrar } from './suite-context.js';

/** Cases on snapshots and compaction. */
export function registerSnapshotCases(test: CaseRegistrar): void {
  test('save snapshot entries and hard state together', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    const before = { entries: makeEntries(1, 10, 1), hardState: { term: 1, vote: 'n1', commit: 5 } };
    await s.storage.save(before);
    model.save(before);
    // A follower far behind: the leader's snapshot at 100, then entries after it, and the new hard state.
    const update = {
      snapshot: makeSnapshot(100, 5, 4096),
      entries: makeEntries(101, 105, 5),
      hardState: { term: 5, vote: 'n2', commit: 103 },
    };
    await s.storage.save(update);
    model.save(update);
    expect(s.storage.firstIndex()).toBe(101);
    expect(s.storage.lastIndex()).toBe(105);
    expect(await s.reader.term(100)).toBe(5);
    await expectMatches(s, model);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
    // The log continues after the installed snapshot.
    const next = { entries: makeEntries(106, 110, 6), hardState: { term: 6, vote: '', commit: 108 } };
    await s.storage.save(next);
    model.save(next);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
  });

  test('install snapshot replaces log', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    const steps = [
      { entries: makeEntries(1, 50, 1) },
      // A snapshot inside the current log still replaces all of it (the leader's log may differ after it).
      { snapshot: makeSnapshot(20, 2) },
      { entries: makeEntries(21, 30, 2) },
      // A snapshot beyond the log.
      { snapshot: makeSnapshot(500, 3, 10_000) },
    ];
    for (const update of steps) {
      await s.storage.save(update);
      model.save(update);
      await expectMatches(s, model);
      s = await h.reopen(s);
      expectInitialState(s, model);
      await expectMatches(s, model);
    }
    expect(s.storage.firstIndex()).toBe(501);
    expect(s.storage.lastIndex()).toBe(500);
    await expect(s.reader.entries(499, 500)).rejects.toMatchObject({ code: 'COMPACTED' });
  });

  test('create snapshot keeps later entries', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    const update = { entries: makeEntries(1, 20, 1), hardState: { term: 1, vote: 'n1', commit: 15 } };
    await s.storage.save(update);
    model.save(update);
    const snap = makeSnapshot(10, 1, 2048);
    await s.storage.createSnapshot(snap);
    model.createSnapshot(snap);
    expect(s.storage.lastIndex()).toBe(20);
    expect((await s.reader.entries(11, 21)).map((e) => e.index)).toEqual(
      makeEntries(11, 20, 1).map((e) => e.index),
    );
    await expectMatches(s, model);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
    // A later local snapshot replaces the earlier one.
    const later = makeSnapshot(15, 1, 100);
    await s.storage.createSnapshot(later);
    model.createSnapshot(later);
    await s.storage.compact(15);
    model.compact(15);
    expect(s.storage.firstIndex()).toBe(16);
    await expectMatches(s, model);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
  });

  test('compaction', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    // Enough entries for segment- or chunk-based backends to drop whole units.
    for (let from = 1; from <= 2000; from += 200) {
      const update = { entries: makeEntries(from, from + 199, 1, 512) };
      await s.storage.save(update);
      model.save(update);
    }
    const snap = makeSnapshot(1500, 1);
    await s.storage.createSnapshot(snap);
    model.createSnapshot(snap);
    // Compact below the snapshot, then up to it; an older index is a no-op.
    for (const index of [700, 1500, 1200]) {
      await s.storage.compact(index);
      model.compact(index);
      await expectMatches(s, model);
      if (index === 700) {
        expect(s.storage.firstIndex()).toBe(701);
        expect(await s.reader.term(700)).toBe(1);
      }
    }
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
    // Appending and overwriting after compaction still works, also across a reopen.
    for (const update of [{ entries: makeEntries(2001, 2100, 2) }, { entries: makeEntries(1600, 1610, 3) }]) {
      await s.storage.save(update);
      model.save(update);
    }
    await expectMatches(s, model);
    s = await h.reopen(s);
    await expectMatches(s, model);
  });
}
