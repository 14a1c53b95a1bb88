import type { Storage, StorageUpdate } from '@avs/raft-core';
import { expect } from 'vitest';
import { makeEntries, makeSnapshot } from './fixtures.js';
import { expectInitialState, expectMatches, type OpenedStorage } from './harness.js';
import { LogModel } from './log-model.js';
import { plainEntry } from './model-check.js';
import { randomOperation } from './random-operations.js';
import { SeededRandom } from './seeded-random.js';
import { hasErrorCode } from './storage-reader.js';
import type { CaseRegistrar } from './suite-context.js';

/** Cases on opening, closing and failing. */
export function registerLifecycleCases(test: CaseRegistrar): void {
  test('reopen after close', async (h) => {
    let s = await h.open();
    const model = new LogModel();
    for (let round = 0; round < 5; round++) {
      const from = model.lastIndex() + 1;
      const update = {
        entries: makeEntries(from, from + 9, round + 1),
        hardState: { term: round + 1, vote: `n${round % 3}`, commit: from + 4 },
      };
      await s.storage.save(update);
      model.save(update);
      s = await h.reopen(s);
      expectInitialState(s, model);
      await expectMatches(s, model);
    }
    // Reopen without writing in between.
    s = await h.reopen(s);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
  });

  test('concurrent close', async (h) => {
    const s = await h.open();
    await s.storage.save({ entries: makeEntries(1, 5, 1) });
    const results = await Promise.allSettled([s.storage.close(), s.storage.close()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // Closing again after it finished is a no-op too.
    await s.storage.close();
    // Whatever the backend holds (locks, handles) was released: the location opens again.
    const again = await h.open();
    expect(again.storage.lastIndex()).toBe(5);
  });

  test('use after close', async (h) => {
    const s = await h.open();
    await s.storage.save({ entries: makeEntries(1, 5, 1) });
    await s.storage.createSnapshot(makeSnapshot(2, 1));
    await s.storage.close();
    await expect(s.storage.save({ entries: makeEntries(6, 6, 1) })).rejects.toMatchObject({
      code: 'STORAGE_CLOSED',
    });
    await expect(s.storage.createSnapshot(makeSnapshot(3, 1))).rejects.toMatchObject({
      code: 'STORAGE_CLOSED',
    });
    await expect(s.storage.compact(2)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
    // Reads may keep answering from memory, but if they refuse it is with the typed error.
    for (const read of [
      (st: Storage) => st.entries(1, 2, 100),
      (st: Storage) => st.term(1),
      (st: Storage) => st.firstIndex(),
      (st: Storage) => st.lastIndex(),
      (st: Storage) => st.snapshot(),
    ]) {
      try {
        read(s.storage);
      } catch (error) {
        expect(error).toMatchObject({ code: 'STORAGE_CLOSED' });
      }
    }
    const again = await h.open();
    expect(again.storage.lastIndex()).toBe(5);
  });

  test('randomised operations with reopen', async (h, options) => {
    const seed = options.seed ?? 1;
    const rng = new SeededRandom(seed);
    let s = await h.open();
    const model = new LogModel();
    const count = options.randomOperations ?? 300;
    for (let i = 0; i < count; i++) {
      const op = randomOperation(rng, model);
      await op.apply(s.storage);
      op.applyToModel(model);
      if (rng.next() < 0.08) {
        s = await h.reopen(s);
        expectInitialState(s, model);
      }
      if (i % 25 === 24) await expectMatches(s, model);
    }
    await expectMatches(s, model);
    s = await h.reopen(s);
    expectInitialState(s, model);
    await expectMatches(s, model);
  });

  test(
    'cold reads',
    async (h) => {
      let s = await h.open();
      const model = new LogModel();
      for (let from = 1; from <= 3000; from += 300) {
        const update: StorageUpdate = { entries: makeEntries(from, from + 299, 1, 1024) };
        await s.storage.save(update);
        model.save(update);
      }
      s = await h.reopen(s);
      await expectMatches(s, model);
      // Scattered reads, each of which a small cache cannot hold all at once.
      for (const lo of [1, 2900, 17, 1500, 3, 2999, 750]) {
        const got = await s.reader.entries(lo, Math.min(lo + 50, 3001));
        expect(got.map((e) => e.index)).toEqual(
          model.entries.slice(lo - 1, lo - 1 + got.length).map((e) => e.index),
        );
        expect(got.map(plainEntry)).toEqual(model.entries.slice(lo - 1, lo - 1 + got.length).map(plainEntry));
      }
      expect(
        s.reader.unavailableCount,
        'openCold must make older reads take the UnavailableError path',
      ).toBeGreaterThan(0);
    },
    { mode: 'cold' },
  );

  test('fatal write refuses later writes', async (h, _options, factory) => {
    if (!factory.openWithFaults) throw new Error('unreachable: case registered without openWithFaults');
    const faulty = await factory.openWithFaults(h.location);
    const s: OpenedStorage = await h.adopt(faulty.storage);
    const model = new LogModel();
    const good = { entries: makeEntries(1, 5, 1), hardState: { term: 1, vote: 'n1', commit: 5 } };
    await s.storage.save(good);
    model.save(good);
    faulty.injectFault();
    const failed = await s.storage.save({ entries: makeEntries(6, 8, 1) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed, 'a write whose I/O failed must not resolve').toBeDefined();
    expect(failed).toMatchObject({ code: 'STORAGE_FATAL' });
    // Every later write is refused, even though the fault was one-shot.
    await expect(s.storage.save({ entries: makeEntries(6, 6, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    await expect(s.storage.save({ hardState: { term: 2, vote: '', commit: 5 } })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    await expect(s.storage.createSnapshot(makeSnapshot(3, 1))).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    try {
      await s.storage.close();
    } catch (error) {
      // Closing a failed storage may report the failure again, but only as the typed error.
      expect(hasErrorCode(error, 'STORAGE_FATAL')).toBe(true);
    }
    // What was acknowledged before the failure is still there.
    const again = await h.open();
    expectInitialState(again, model);
    expect(again.storage.lastIndex()).toBeGreaterThanOrEqual(5);
    expect((await again.reader.entries(1, 6)).map((e) => e.term)).toEqual([1, 1, 1, 1, 1]);
  });
}
