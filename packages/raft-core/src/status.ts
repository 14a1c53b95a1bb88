import type { Role } from './raft.js';
import type { ProgressState } from './tracker/progress.js';
import type { ConfState, NodeId } from './types.js';

/** The leader's view of one member. */
export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
  /** Append messages in flight. */
  readonly inflight: number;
}

/** A snapshot of a node's Raft state, for monitoring and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  /** The known leader, or `''`. */
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly config: ConfState;
  /** Transfer target while a leadership transfer is in progress, else `''`. */
  readonly leadTransferee: NodeId;
  /** Per-member replication progress; only on the leader. */
  readonly progress: Readonly<Record<NodeId, ProgressStatus>>;
  /** Remote messages dropped, by reason. */
  readonly dropped: Readonly<Record<string, number>>;
}
