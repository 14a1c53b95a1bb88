/** Loading a {@link RaftNode}'s persisted state and building its Raft core. */
import { EMPTY_CONF_STATE } from '../conf-state.js';
import type { RaftConfig } from '../config.js';
import { UnavailableError } from '../errors.js';
import { createSeededRandom } from '../random.js';
import { RawNode } from '../raw-node.js';
import type { Storage } from '../storage.js';
import type { ConfState } from '../types.js';
import { bootstrapStorage, isEmptyInitialState } from './bootstrap.js';
import type { RaftNodeOptions } from './node-options.js';

/** What {@link loadNodeState} returns: the core and the snapshot the state machine was restored from. */
export interface LoadedNodeState {
  readonly raw: RawNode;
  /** Index and term of the restored snapshot (0 when there is none). */
  readonly snapIndex: number;
  readonly snapTerm: number;
  /** The membership of the restored snapshot. */
  readonly conf: ConfState;
}

/**
 * Loads persisted state (bootstrapping empty storage if `bootstrap` is given), restores the
 * latest snapshot into the state machine and builds the Raft core (`RaftNode.create`).
 * @throws RaftConfigError for inconsistent storage
 */
export async function loadNodeState<R>(opts: RaftNodeOptions<R>): Promise<LoadedNodeState> {
  let init = await opts.storage.initialState();
  if (opts.bootstrap && isEmptyInitialState(opts.storage, init)) {
    const hardState = await bootstrapStorage(opts.storage, opts.bootstrap, init);
    init = { ...init, hardState };
  }
  let snapIndex = 0;
  let snapTerm = 0;
  let conf = EMPTY_CONF_STATE;
  if (init.snapshotMetadata.index > 0) {
    const snap = await whenAvailable(opts.storage, () => opts.storage.snapshot());
    await opts.stateMachine.restore(snap.data);
    snapIndex = snap.metadata.index;
    snapTerm = snap.metadata.term;
    conf = snap.metadata.confState;
  }
  const {
    tickMs: _t,
    proposalTimeoutMs: _p,
    readIndexTimeoutMs: _r,
    confChangeTimeoutMs: _c,
    snapshotEntries: _s,
    snapshotTrailingEntries: _st,
    maxProposalBatch: _m,
    ...raftCfg
  } = opts.config ?? {};
  const config: RaftConfig = {
    ...raftCfg,
    id: opts.id,
    applied: snapIndex,
    // Without a seed, RawNode seeds from the node id (deterministic per node).
    ...(opts.random
      ? { random: opts.random }
      : opts.seed !== undefined
        ? { random: createSeededRandom(opts.seed) }
        : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  };
  const raw = new RawNode(config, opts.storage, init);
  return { raw, snapIndex, snapTerm, conf };
}

/** Calls `read` until storage stops answering UnavailableError (it calls back when loaded). */
async function whenAvailable<T>(storage: Storage, read: () => T): Promise<T> {
  for (;;) {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      await new Promise<void>((resolve) => storage.onAvailable(resolve));
    }
  }
}
