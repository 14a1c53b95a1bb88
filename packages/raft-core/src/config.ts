import { RaftConfigError } from './errors.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { Random } from './random.js';
import { createSeededRandom } from './random.js';
import type { ReadOnlyOption } from './read-only.js';
import type { NodeId } from './types.js';

/** Settings of the Raft state machine ({@link RawNode}). Every field but `id` has a default. */
export interface RaftConfig {
  /** This node's id; must not be empty. */
  readonly id: NodeId;
  /**
   * Ticks a follower waits without hearing from a leader before it campaigns;
   * the actual timeout is randomised in `[electionTick, 2 * electionTick)`.
   * Must exceed `heartbeatTick`; suggested `10 * heartbeatTick`. Default 10 ticks.
   */
  readonly electionTick?: number;
  /** Ticks between leader heartbeats. Default 1 tick. */
  readonly heartbeatTick?: number;
  /**
   * Index the application has already applied (its state machine reflects the
   * log up to here). Default: the snapshot index from storage.
   */
  readonly applied?: number;
  /** Most bytes of entry data in one append message (at least one entry is always sent). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Most bytes of committed entries handed out per Ready. Default 64 MiB. */
  readonly maxCommittedSizePerReady?: number;
  /**
   * Most bytes of entry data the leader holds uncommitted; proposals beyond it
   * are dropped (back-pressure). 0 means no limit. Default 64 MiB.
   */
  readonly maxUncommittedEntriesSize?: number;
  /** Most append messages in flight to one follower (pipelining window). Default 256 messages. */
  readonly maxInflightMsgs?: number;
  /** Most bytes of entry data in flight to one follower; 0 means no limit. Default 32 MiB. */
  readonly maxInflightBytes?: number;
  /** Leader steps down when it has not heard from a quorum for an election timeout. Default true. */
  readonly checkQuorum?: boolean;
  /** Run a pre-election so partitioned nodes do not disrupt the cluster by bumping terms. Default true. */
  readonly preVote?: boolean;
  /** How ReadIndex requests are served. Default `'safe'`. */
  readonly readOnlyOption?: ReadOnlyOption;
  /**
   * For `'lease-based'` reads: the bound, in ticks, on how far clocks may
   * drift during one election timeout. The lease lasts
   * `electionTick - leaseClockDriftTicks` ticks from the heartbeat a quorum
   * answered. Required (>= 1, < electionTick) with lease-based reads.
   */
  readonly leaseClockDriftTicks?: number;
  /** Followers drop proposals instead of forwarding them to the leader. Default false. */
  readonly disableProposalForwarding?: boolean;
  /** Bytes of snapshot data per Snap message. Default 1 MiB. */
  readonly maxSnapshotChunkBytes?: number;
  /** Largest snapshot a follower accepts, in bytes. Default 4 GiB. */
  readonly maxSnapshotBytes?: number;
  /** Randomness for election timeouts. Default: seeded from the node id (deterministic). */
  readonly random?: Random;
  readonly logger?: Logger;
}

/** Defaults of {@link RaftConfig}; units in the field docs there. */
export const RAFT_CONFIG_DEFAULTS = Object.freeze({
  electionTick: 10,
  heartbeatTick: 1,
  maxSizePerMsg: 1024 * 1024,
  maxCommittedSizePerReady: 64 * 1024 * 1024,
  maxUncommittedEntriesSize: 64 * 1024 * 1024,
  maxInflightMsgs: 256,
  maxInflightBytes: 32 * 1024 * 1024,
  checkQuorum: true,
  preVote: true,
  readOnlyOption: 'safe' as ReadOnlyOption,
  disableProposalForwarding: false,
  maxSnapshotChunkBytes: 1024 * 1024,
  maxSnapshotBytes: 4 * 1024 * 1024 * 1024,
});

/** A config with every default filled in. */
export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'applied' | 'leaseClockDriftTicks'>> & {
  readonly applied: number | undefined;
  readonly leaseClockDriftTicks: number;
};

function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fills in defaults and validates.
 * @throws RaftConfigError naming the bad field and what was expected.
 */
export function resolveRaftConfig(c: RaftConfig): ResolvedRaftConfig {
  if (typeof c.id !== 'string' || c.id === '') throw new RaftConfigError('id must be a non-empty string');
  const r: ResolvedRaftConfig = {
    ...RAFT_CONFIG_DEFAULTS,
    ...(Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as RaftConfig),
    id: c.id,
    applied: c.applied,
    leaseClockDriftTicks: c.leaseClockDriftTicks ?? 0,
    random: c.random ?? createSeededRandom(hashId(c.id)),
    logger: c.logger ?? silentLogger,
  };
  const positive = (name: keyof ResolvedRaftConfig, v: number) => {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new RaftConfigError(`${name} must be a positive integer, got ${v}`);
  };
  const nonNegative = (name: keyof ResolvedRaftConfig, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RaftConfigError(`${name} must be an integer >= 0, got ${v}`);
  };
  positive('heartbeatTick', r.heartbeatTick);
  positive('electionTick', r.electionTick);
  if (r.electionTick <= r.heartbeatTick) {
    throw new RaftConfigError(
      `electionTick (${r.electionTick}) must be greater than heartbeatTick (${r.heartbeatTick})`,
    );
  }
  positive('maxSizePerMsg', r.maxSizePerMsg);
  positive('maxCommittedSizePerReady', r.maxCommittedSizePerReady);
  nonNegative('maxUncommittedEntriesSize', r.maxUncommittedEntriesSize);
  positive('maxInflightMsgs', r.maxInflightMsgs);
  nonNegative('maxInflightBytes', r.maxInflightBytes);
  if (r.maxInflightBytes > 0 && r.maxInflightBytes < r.maxSizePerMsg) {
    throw new RaftConfigError(
      `maxInflightBytes (${r.maxInflightBytes}) must be 0 or at least maxSizePerMsg (${r.maxSizePerMsg})`,
    );
  }
  positive('maxSnapshotChunkBytes', r.maxSnapshotChunkBytes);
  positive('maxSnapshotBytes', r.maxSnapshotBytes);
  if (r.readOnlyOption !== 'safe' && r.readOnlyOption !== 'lease-based') {
    throw new RaftConfigError(
      `readOnlyOption must be 'safe' or 'lease-based', got ${String(r.readOnlyOption)}`,
    );
  }
  if (r.readOnlyOption === 'lease-based') {
    if (!r.checkQuorum) throw new RaftConfigError('lease-based reads need checkQuorum: true');
    if (
      !Number.isSafeInteger(r.leaseClockDriftTicks) ||
      r.leaseClockDriftTicks < 1 ||
      r.leaseClockDriftTicks >= r.electionTick
    ) {
      throw new RaftConfigError(
        `lease-based reads need leaseClockDriftTicks in [1, electionTick), got ${String(c.leaseClockDriftTicks)}`,
      );
    }
  }
  return r;
}
