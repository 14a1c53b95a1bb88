import type { Storage, StorageUpdate } from '@avs/raft-core';
import { makeEntries, makeSnapshot } from './fixtures.js';
import type { LogModel } from './log-model.js';
import type { SeededRandom } from './seeded-random.js';

/** One storage operation, applicable to a backend and to the model alike. */
export interface Operation {
  /** Short description for failure messages and the crash protocol. */
  readonly description: OperationDescription;
  apply(storage: Storage): Promise<void>;
  applyToModel(model: LogModel): void;
}

/** A JSON-safe description of an operation; {@link operationFrom} rebuilds it. */
export type OperationDescription =
  | {
      readonly op: 'save';
      /** Entries `[from, from + sizes.length)` in `term`, each with the payload size given. */
      readonly from: number;
      readonly term: number;
      readonly sizes: readonly number[];
      readonly hardState?: { term: number; vote: string; commit: number };
      readonly snapshot?: { index: number; term: number; size: number };
    }
  | { readonly op: 'createSnapshot'; readonly index: number; readonly term: number; readonly size: number }
  | { readonly op: 'compact'; readonly index: number };

/** Rebuilds an operation from its description. */
export function operationFrom(description: OperationDescription): Operation {
  switch (description.op) {
    case 'save': {
      const { from, term, sizes, hardState, snapshot } = description;
      const entries = sizes.map((size, i) => makeEntries(from + i, from + i, term, size)[0]!);
      const update: StorageUpdate = {
        ...(entries.length > 0 ? { entries } : {}),
        ...(hardState ? { hardState } : {}),
        ...(snapshot ? { snapshot: makeSnapshot(snapshot.index, snapshot.term, snapshot.size) } : {}),
      };
      return {
        description,
        apply: (storage) => storage.save(update),
        applyToModel: (model) => model.save(update),
      };
    }
    case 'createSnapshot': {
      const snap = makeSnapshot(description.index, description.term, description.size);
      return {
        description,
        apply: (storage) => storage.createSnapshot(snap),
        applyToModel: (model) => model.createSnapshot(snap),
      };
    }
    case 'compact':
      return {
        description,
        apply: (storage) => storage.compact(description.index),
        applyToModel: (model) => model.compact(description.index),
      };
  }
}

/**
 * A random operation that Raft could issue in `model`'s state: appends (most
 * of the time), overwrites of an uncommitted suffix by a later term, hard
 * state changes, local snapshots plus compaction, and installs of a
 * leader's snapshot. Keeps `commit <= lastIndex`.
 */
export function randomOperation(rng: SeededRandom, model: LogModel): Operation {
  const last = model.lastIndex();
  const lastTerm = model.term(last) ?? 0;
  const term = Math.max(lastTerm, model.hardState.term, 1);
  const commit = model.hardState.commit;
  const roll = rng.next();
  const size = () => (rng.next() < 0.05 ? rng.int(20_000, 80_000) : rng.int(0, 600));
  if (roll < 0.7) {
    const n = rng.int(1, 12);
    const newCommit = Math.max(commit, last + n - rng.int(0, 6));
    return operationFrom({
      op: 'save',
      from: last + 1,
      term,
      sizes: Array.from({ length: n }, size),
      ...(rng.next() < 0.8 ? { hardState: { term, vote: 'n1', commit: Math.min(newCommit, last + n) } } : {}),
    });
  }
  if (roll < 0.8 && last > commit && last >= model.firstIndex()) {
    // A new leader overwrites part of the uncommitted suffix.
    const from = rng.int(Math.max(commit + 1, model.firstIndex()), last);
    const n = rng.int(1, last - from + 3);
    return operationFrom({
      op: 'save',
      from,
      term: term + 1,
      sizes: Array.from({ length: n }, size),
      hardState: { term: term + 1, vote: 'n2', commit },
    });
  }
  if (roll < 0.9 && commit > model.snapshot.metadata.index && commit >= model.offset) {
    const index = rng.int(Math.max(model.snapshot.metadata.index + 1, model.offset), commit);
    return operationFrom({
      op: 'createSnapshot',
      index,
      term: model.term(index) ?? 0,
      size: rng.int(0, 3000),
    });
  }
  if (roll < 0.97 && model.snapshot.metadata.index > model.offset) {
    return operationFrom({ op: 'compact', index: rng.int(model.offset + 1, model.snapshot.metadata.index) });
  }
  // The leader sends a snapshot ahead of everything we have.
  const index = last + rng.int(1, 50);
  const snapTerm = term + 1;
  return operationFrom({
    op: 'save',
    from: index + 1,
    term: snapTerm,
    sizes: Array.from({ length: rng.int(0, 3) }, size),
    snapshot: { index, term: snapTerm, size: rng.int(0, 5000) },
    hardState: { term: snapTerm, vote: '', commit: index },
  });
}
