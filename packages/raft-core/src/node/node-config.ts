import type { RaftConfig } from '../config.js';
import { RaftConfigError } from '../errors.js';

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

/** The driver settings {@link RaftNode} runs with: every default filled in, plus `electionTick`. */
export type RaftNodeSettings = Required<Pick<RaftNodeConfig, keyof typeof RAFT_NODE_DEFAULTS>> & {
  electionTick: number;
};

/**
 * Fills in the defaults of the driver settings of `c` and checks them.
 * @throws RaftConfigError when a setting is not a non-negative integer (`tickMs`: positive)
 */
export function resolveNodeSettings(c: RaftNodeConfig): RaftNodeSettings {
  const settings: RaftNodeSettings = {
    tickMs: c.tickMs ?? RAFT_NODE_DEFAULTS.tickMs,
    proposalTimeoutMs: c.proposalTimeoutMs ?? RAFT_NODE_DEFAULTS.proposalTimeoutMs,
    readIndexTimeoutMs: c.readIndexTimeoutMs ?? RAFT_NODE_DEFAULTS.readIndexTimeoutMs,
    confChangeTimeoutMs: c.confChangeTimeoutMs ?? RAFT_NODE_DEFAULTS.confChangeTimeoutMs,
    snapshotEntries: c.snapshotEntries ?? RAFT_NODE_DEFAULTS.snapshotEntries,
    snapshotTrailingEntries: c.snapshotTrailingEntries ?? RAFT_NODE_DEFAULTS.snapshotTrailingEntries,
    maxProposalBatch: c.maxProposalBatch ?? RAFT_NODE_DEFAULTS.maxProposalBatch,
    electionTick: c.electionTick ?? 10,
  };
  for (const [k, v] of Object.entries(settings)) {
    if (!Number.isSafeInteger(v) || v < 0 || (k === 'tickMs' && v === 0)) {
      throw new RaftConfigError(
        `${k} must be a ${k === 'tickMs' ? 'positive' : 'non-negative'} integer, got ${v}`,
      );
    }
  }
  return settings;
}
