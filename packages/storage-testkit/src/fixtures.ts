import { type ConfState, type Entry, EntryType, type HardState, type Snapshot } from '@avs/raft-core';

/** The hard state of a node that has never persisted one. */
export const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/** The configuration the suite puts in snapshots: three voters, nothing else. */
export const TEST_CONF_STATE: ConfState = {
  voters: ['n1', 'n2', 'n3'],
  learners: [],
  votersOutgoing: [],
  learnersNext: [],
  autoLeave: false,
};

/** Configuration of "no snapshot yet". */
export const EMPTY_CONF_STATE: ConfState = {
  voters: [],
  learners: [],
  votersOutgoing: [],
  learnersNext: [],
  autoLeave: false,
};

/**
 * Deterministic payload for an entry, so a reader (possibly another process,
 * after a crash) can tell exactly which bytes must be there.
 * @param index log index.
 * @param term entry term.
 * @param size payload length in bytes.
 */
export function entryPayload(index: number, term: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  // A cheap LCG seeded by (index, term): different entries differ in every block, not only in a header.
  let x = (index * 2654435761 + term * 40503 + size) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

/**
 * One entry with a deterministic payload ({@link entryPayload}).
 * @param size payload length; default 16 + index % 48, so sizes vary.
 */
export function makeEntry(index: number, term: number, size = 16 + (index % 48)): Entry {
  return {
    index,
    term,
    type: index % 7 === 0 ? EntryType.ConfChange : EntryType.Normal,
    data: entryPayload(index, term, size),
  };
}

/**
 * Contiguous entries `[from, to]`, all in `term`.
 * @param size payload length of each entry (default: varies with the index).
 */
export function makeEntries(from: number, to: number, term: number, size?: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(makeEntry(i, term, size));
  return out;
}

/** A snapshot at `(index, term)` with a deterministic payload of `size` bytes. */
export function makeSnapshot(index: number, term: number, size = 64): Snapshot {
  return {
    metadata: { index, term, confState: TEST_CONF_STATE },
    data: entryPayload(index, term + 1_000_000, size),
  };
}
