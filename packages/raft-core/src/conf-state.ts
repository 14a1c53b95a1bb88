import type { ConfState, HardState, SnapshotMetadata } from './types.js';
import { NONE } from './types.js';

/** A configuration with no members (a node that has not joined or been bootstrapped yet). */
export const EMPTY_CONF_STATE: ConfState = Object.freeze({
  voters: [],
  learners: [],
  votersOutgoing: [],
  learnersNext: [],
  autoLeave: false,
});

/** The hard state of a node that has never run. */
export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

/** Metadata of "no snapshot". */
export const EMPTY_SNAPSHOT_METADATA: SnapshotMetadata = Object.freeze({
  index: 0,
  term: 0,
  confState: EMPTY_CONF_STATE,
});

/** Whether two hard states are equal. */
export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Whether `hs` is the zero hard state. */
export function isEmptyHardState(hs: HardState): boolean {
  return hardStateEqual(hs, EMPTY_HARD_STATE);
}
