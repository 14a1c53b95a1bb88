/**
 * Recovery from a permanently lost quorum (after etcd's `--force-new-cluster`): with the engine
 * stopped, rewrite this node's storage so that it is the only voter of a new configuration and can
 * elect itself; the other operators then join it again with fresh storage.
 *
 * What is kept is what this node knows to be committed: the task state at its commit index (its
 * snapshot plus the committed entries after it). Uncommitted entries are dropped, as etcd drops
 * them. The result is written as one snapshot whose configuration has this node as the only voter
 * (and, on request, the surviving learners), at an index and term past anything in the old log, so
 * a learner that kept its old log gets the new snapshot (and with it the new configuration)
 * instead of appending to a log whose membership history differs.
 */
import { type ConfState, EntryType, type Storage, UnavailableError } from '@avs/raft-core';
import { EngineError } from '../errors.js';
import { encodeTaskCommand } from '../tasks/task-command.js';
import { TaskStateMachine, type TaskStateOptions } from '../tasks/task-state.js';

/** What {@link forceNewCluster} takes. */
export interface ForceNewClusterOptions {
  /** This node's storage, opened, with no Raft node running on it. */
  readonly storage: Storage;
  /** This node's Raft id (the lowercase operator address). */
  readonly id: string;
  /**
   * Learners of the old configuration to keep as learners (they must be alive and keep their
   * storage); default none: every other operator joins again. Members not kept lose their
   * replicated metadata, so they join as new operators.
   */
  readonly keepLearners?: readonly string[];
  /** The engine's `taskState` option, if it sets one (bounds of kept tasks). */
  readonly taskState?: TaskStateOptions;
}

/** What {@link forceNewCluster} wrote. */
export interface ForceNewClusterResult {
  /** Index and term of the new snapshot. */
  readonly index: number;
  readonly term: number;
  /** The commit index whose state the snapshot holds. */
  readonly committed: number;
  /** Uncommitted entries dropped. */
  readonly droppedEntries: number;
  readonly confState: ConfState;
  /** Members whose metadata was removed (they join again). */
  readonly removedMembers: readonly string[];
}

const MAX_READ_BYTES = 4 * 1024 * 1024;

/**
 * Rewrites `storage` so this node alone forms a new cluster (see the README, "Quorum loss").
 * Run it only once the lost voters are known to be gone for good: if they come back with their
 * old storage they still form the old cluster. Wipe their storage before they join again.
 * @throws EngineError `RECOVERY_REFUSED` when the storage was never part of a cluster
 */
export async function forceNewCluster(options: ForceNewClusterOptions): Promise<ForceNewClusterResult> {
  const { storage } = options;
  const id = options.id.toLowerCase();
  const init = await storage.initialState();
  const { hardState, snapshotMetadata } = init;
  const last = storage.lastIndex();
  if (hardState.commit === 0 && snapshotMetadata.index === 0) {
    throw new EngineError('RECOVERY_REFUSED', 'the storage holds no committed state: nothing to recover');
  }
  const state = new TaskStateMachine(options.taskState);
  if (snapshotMetadata.index > 0) state.restore(await whenAvailable(storage, () => storage.snapshot().data));
  const committed = Math.max(hardState.commit, snapshotMetadata.index);
  for (let lo = snapshotMetadata.index + 1; lo <= committed; ) {
    const batch = await whenAvailable(storage, () => storage.entries(lo, committed + 1, MAX_READ_BYTES));
    // As the Raft node applies: normal entries with data (an empty one is a leader's no-op).
    state.apply(batch.filter((e) => e.type === EntryType.Normal && e.data.byteLength > 0));
    lo += batch.length;
  }
  const keep = new Set((options.keepLearners ?? []).map((l) => l.toLowerCase()));
  keep.delete(id);
  const removedMembers = state
    .members()
    .map((m) => m.id)
    .filter((m) => m !== id && !keep.has(m));
  // Past every index and term of the old log: nobody can hold a matching entry there.
  const term = hardState.term + 1;
  const index = Math.max(last, committed) + 1;
  for (const [i, m] of removedMembers.entries()) {
    const data = encodeTaskCommand({ type: 'member.remove', id: m, reason: 'force-new-cluster' });
    state.apply([{ term, index: committed + 1 + i, type: EntryType.Normal, data }]);
  }
  state.drainEvents();
  const confState: ConfState = {
    voters: [id],
    learners: [...keep].sort(),
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  await storage.save({
    snapshot: { metadata: { index, term, confState }, data: state.snapshot() },
    hardState: { term, vote: '', commit: index },
  });
  return { index, term, committed, droppedEntries: Math.max(0, last - committed), confState, removedMembers };
}

/** Storage reads are synchronous but may need a load first: retry once the range is in memory. */
async function whenAvailable<V>(storage: Storage, read: () => V): Promise<V> {
  for (;;) {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      await new Promise<void>((resolve) => storage.onAvailable(resolve));
    }
  }
}
