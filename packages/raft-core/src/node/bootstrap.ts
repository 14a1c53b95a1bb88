import { encodeConfChange } from '../confchange/codec.js';
import { RaftUsageError } from '../errors.js';
import type { InitialState, Storage } from '../storage.js';
import type { Entry, HardState, NodeId } from '../types.js';
import { ConfChangeTransition, ConfChangeType, EntryType } from '../types.js';

/** The initial membership of a new cluster. */
export interface BootstrapMembers {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
}

/** Whether a storage whose initial state is `init` has never been written. */
export function isEmptyInitialState(storage: Storage, init: InitialState): boolean {
  return (
    init.hardState.term === 0 &&
    init.hardState.commit === 0 &&
    init.snapshotMetadata.index === 0 &&
    storage.lastIndex() === 0
  );
}

/**
 * Writes the initial configuration of a new cluster into empty storage: one
 * committed membership entry per member at term 1. Every founding member must
 * be bootstrapped with the same members (order does not matter: ids are
 * sorted so every log is identical). Nodes that join later are not
 * bootstrapped; they are added with a membership change. Pass `initial` when
 * `storage.initialState()` was already called (it is called at most once).
 * @returns the hard state written
 * @throws RaftUsageError when storage is not empty or the member list is invalid
 */
export async function bootstrapStorage(
  storage: Storage,
  members: BootstrapMembers,
  initial?: InitialState,
): Promise<HardState> {
  const voters = [...new Set(members.voters)].sort();
  const learners = [...new Set(members.learners ?? [])].sort();
  if (voters.length === 0) throw new RaftUsageError('bootstrap needs at least one voter');
  if ([...voters, ...learners].some((id) => typeof id !== 'string' || id === '')) {
    throw new RaftUsageError('bootstrap member ids must be non-empty strings');
  }
  if (learners.some((id) => voters.includes(id)))
    throw new RaftUsageError('a member cannot be both voter and learner');
  const init = initial ?? (await storage.initialState());
  if (!isEmptyInitialState(storage, init)) throw new RaftUsageError('bootstrap needs empty storage');
  const entries: Entry[] = [
    ...voters.map((nodeId) => ({ type: ConfChangeType.AddVoter, nodeId })),
    ...learners.map((nodeId) => ({ type: ConfChangeType.AddLearner, nodeId })),
  ].map((change, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ transition: ConfChangeTransition.Auto, changes: [change] }),
  }));
  const hardState: HardState = { term: 1, vote: '', commit: entries.length };
  await storage.save({ entries, hardState });
  return hardState;
}
