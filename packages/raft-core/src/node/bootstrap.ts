import { encodeConfChange } from '../confchange/codec.js';
import { RaftUsageError } from '../errors.js';
import type { Storage } from '../storage.js';
import type { Entry, NodeId } from '../types.js';
import { ConfChangeTransition, ConfChangeType, EntryType } from '../types.js';

/** The initial membership of a new cluster. */
export interface BootstrapMembers {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
}

/** Whether storage has never been written. */
export async function isStorageEmpty(storage: Storage): Promise<boolean> {
  const init = await storage.initialState();
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
 * bootstrapped; they are added with a membership change.
 * @throws RaftUsageError when storage is not empty or the member list is invalid
 */
export async function bootstrapStorage(storage: Storage, members: BootstrapMembers): Promise<void> {
  const voters = [...new Set(members.voters)].sort();
  const learners = [...new Set(members.learners ?? [])].sort();
  if (voters.length === 0) throw new RaftUsageError('bootstrap needs at least one voter');
  if ([...voters, ...learners].some((id) => typeof id !== 'string' || id === '')) {
    throw new RaftUsageError('bootstrap member ids must be non-empty strings');
  }
  if (learners.some((id) => voters.includes(id)))
    throw new RaftUsageError('a member cannot be both voter and learner');
  if (!(await isStorageEmpty(storage))) throw new RaftUsageError('bootstrap needs empty storage');
  const entries: Entry[] = [
    ...voters.map((nodeId) => ({ type: ConfChangeType.AddVoter, nodeId })),
    ...learners.map((nodeId) => ({ type: ConfChangeType.AddLearner, nodeId })),
  ].map((change, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ transition: ConfChangeTransition.Auto, changes: [change] }),
  }));
  await storage.save({ entries, hardState: { term: 1, vote: '', commit: entries.length } });
}
