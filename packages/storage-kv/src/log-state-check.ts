import type { SnapshotMetadata } from '@avs/raft-core';
import { StorageCorruptError } from './errors.js';
import type { LogState } from './log-state.js';

/**
 * Checks that a decoded record is a {@link LogState}, for backends that store
 * it as JSON.
 * @param value the parsed record.
 * @param location where it was read from, for the error message.
 * @throws StorageCorruptError naming `location` when a field is missing or out of range.
 */
export function checkLogState(value: unknown, location: string): LogState {
  const state = value as Partial<LogState> | null | undefined;
  const valid =
    isCount(state?.lastIndex) &&
    isCount(state.compacted?.index) &&
    isCount(state.compacted?.term) &&
    isCount(state.hardState?.term) &&
    isCount(state.hardState?.commit) &&
    typeof state.hardState?.vote === 'string' &&
    isSnapshotMetadata(state.snapshot) &&
    state.compacted.index <= state.lastIndex;
  if (!valid) {
    throw new StorageCorruptError(
      location,
      'expected a log state {hardState, compacted: {index, term}, lastIndex >= compacted.index, snapshot}',
    );
  }
  return state as LogState;
}

/** Whether `value` is a non-negative safe integer. */
export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isSnapshotMetadata(value: unknown): value is SnapshotMetadata {
  const m = value as Partial<SnapshotMetadata> | null | undefined;
  const c = m?.confState;
  return (
    isCount(m?.index) &&
    isCount(m?.term) &&
    c !== undefined &&
    [c.voters, c.learners, c.votersOutgoing, c.learnersNext].every(
      (list) => Array.isArray(list) && list.every((id) => typeof id === 'string'),
    ) &&
    typeof c.autoLeave === 'boolean'
  );
}
