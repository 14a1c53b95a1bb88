import type { RaftConfig } from '../config.js';

/** Settings of {@link RaftNode}: the Raft settings plus the driver's own (times in milliseconds). */
export interface RaftNodeConfig extends Omit<RaftConfig, 'id' | 'random' | 'logger' | 'applied'> {
  /** Milliseconds per Raft tick. Election timeout = `electionTick * tickMs`. Default 100 ms. */
  readonly tickMs?: number;
  /** Default deadline of `propose()`, in ms. Default 10 000 ms. */
  readonly proposalTimeoutMs?: number;
  /** Default deadline of `readIndex()`, in ms. Default 5 000 ms. */
  readonly readIndexTimeoutMs?: number;
  /** Default deadline of membership changes, in ms. Default 30 000 ms. */
  readonly confChangeTimeoutMs?: number;
  /** Take a state machine snapshot after this many applied entries; 0 disables. Default 10 000 entries. */
  readonly snapshotEntries?: number;
  /** Entries kept in the log before a new snapshot, for slow followers. Default 1 000 entries. */
  readonly snapshotTrailingEntries?: number;
  /** Most proposals appended in one batch. Default 4 096 proposals. */
  readonly maxProposalBatch?: number;
}

/** Defaults of the driver settings of {@link RaftNodeConfig}. */
export const RAFT_NODE_DEFAULTS = Object.freeze({
  tickMs: 100,
  proposalTimeoutMs: 10_000,
  readIndexTimeoutMs: 5_000,
  confChangeTimeoutMs: 30_000,
  snapshotEntries: 10_000,
  snapshotTrailingEntries: 1_000,
  maxProposalBatch: 4_096,
});
