import { createHash } from 'node:crypto';
import type { Entry, InitialState, Snapshot } from '@avs/raft-core';
import { LogModel } from './log-model.js';
import type { StorageReader } from './storage-reader.js';

/**
 * A payload as `<length>:<sha256 hex>`: compares exactly, fast (deep equality
 * of megabyte arrays is slow) and prints short in a failure diff.
 */
export function digest(data: Uint8Array): string {
  return `${data.byteLength}:${createHash('sha256').update(data).digest('hex')}`;
}

/** An entry in a form `expect().toEqual` compares exactly, whatever Uint8Array subclass a backend returns. */
export interface PlainEntry {
  index: number;
  term: number;
  type: number;
  /** {@link digest} of the payload. */
  data: string;
}

/** Normalises an entry for comparison. */
export function plainEntry(entry: Entry): PlainEntry {
  return { index: entry.index, term: entry.term, type: entry.type, data: digest(entry.data) };
}

/** Normalises a snapshot for comparison. */
export function plainSnapshot(snapshot: Snapshot): {
  metadata: { index: number; term: number; confState: unknown };
  data: string;
} {
  const { index, term, confState } = snapshot.metadata;
  return {
    metadata: {
      index,
      term,
      confState: {
        voters: [...confState.voters],
        learners: [...confState.learners],
        votersOutgoing: [...confState.votersOutgoing],
        learnersNext: [...confState.learnersNext],
        autoLeave: confState.autoLeave,
      },
    },
    data: digest(snapshot.data),
  };
}

/** Everything a storage shows through its read methods, normalised. */
export interface ObservedState {
  firstIndex: number;
  lastIndex: number;
  /** Term of `firstIndex - 1`. */
  offsetTerm: number;
  entries: PlainEntry[];
  snapshot: ReturnType<typeof plainSnapshot>;
}

/** Reads everything a storage shows (through the Unavailable retry). */
export async function observe(reader: StorageReader): Promise<ObservedState> {
  const firstIndex = reader.storage.firstIndex();
  const lastIndex = reader.storage.lastIndex();
  const offsetTerm = await reader.term(firstIndex - 1);
  const entries = (await reader.allEntries(firstIndex, lastIndex + 1)).map(plainEntry);
  const snapshot = plainSnapshot(await reader.snapshot());
  return { firstIndex, lastIndex, offsetTerm, entries, snapshot };
}

/** What a model says a storage must show. */
export function expectedState(model: LogModel): ObservedState {
  return {
    firstIndex: model.firstIndex(),
    lastIndex: model.lastIndex(),
    offsetTerm: model.offsetTerm,
    entries: model.entries.map(plainEntry),
    snapshot: plainSnapshot(model.snapshot),
  };
}

/** Rebuilds a model from what a storage shows: the starting point after a crash. */
export async function modelFromStorage(reader: StorageReader, initial: InitialState): Promise<LogModel> {
  const model = new LogModel();
  model.hardState = initial.hardState;
  model.snapshot = await reader.snapshot();
  model.offset = reader.storage.firstIndex() - 1;
  model.offsetTerm = await reader.term(model.offset);
  model.entries = await reader.allEntries(model.offset + 1, reader.storage.lastIndex() + 1);
  return model;
}
