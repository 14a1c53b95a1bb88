/**
 * The data types Raft exchanges and persists. Plain objects of numbers,
 * strings and Uint8Arrays, so every transport and storage backend can encode
 * them without knowing Raft's rules.
 *
 * Indexes and terms are JS numbers: exact up to 2^53, which at a million
 * entries per second lasts 285 years.
 */

/** A node's identity in the cluster (for AVS operators: the operator id or address). */
export type NodeId = string;

/** No node: used where etcd uses 0 (no vote, no known leader). */
export const NONE: NodeId = '';

/** Kinds of log entry. */
export enum EntryType {
  /** Application data; `data` is opaque to Raft. An empty `data` is the leader's no-op. */
  Normal = 0,
  /** A membership change; `data` is an encoded {@link ConfChange} (see `encodeConfChange`). */
  ConfChange = 1,
}

/** One entry of the replicated log. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must be durable before a node answers a vote or an append. Raft paper, figure 2. */
export interface HardState {
  /** Latest term this node has seen. */
  readonly term: number;
  /** Candidate voted for in `term`, or {@link NONE}. */
  readonly vote: NodeId;
  /** Highest index known to be committed. */
  readonly commit: number;
}

/**
 * The cluster membership. In joint consensus both `voters` (incoming) and
 * `votersOutgoing` must agree; outside it `votersOutgoing` is empty.
 */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Voters of the outgoing configuration while in a joint configuration. */
  readonly votersOutgoing: readonly NodeId[];
  /** Outgoing voters that become learners once the joint configuration is left. */
  readonly learnersNext: readonly NodeId[];
  /** Leave the joint configuration automatically once it is committed. */
  readonly autoLeave: boolean;
}

/** What a snapshot stands for: the log up to and including `index`. */
export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

/** A state machine snapshot plus the log position it replaces. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

/** Kinds of membership change. */
export enum ConfChangeType {
  AddVoter = 0,
  AddLearner = 1,
  RemoveNode = 2,
}

/** One change of a (possibly joint) membership change. */
export interface ConfChangeSingle {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
}

/** How a change of several nodes is carried out. */
export enum ConfChangeTransition {
  /** One node: simple change. Several: joint consensus left automatically. */
  Auto = 0,
  /** Joint consensus, left automatically when committed. */
  JointImplicit = 1,
  /** Joint consensus, left only by an explicit empty change. */
  JointExplicit = 2,
}

/**
 * A membership change. An empty `changes` list while in a joint configuration
 * leaves it. `context` is opaque to Raft (e.g. the new member's URL).
 */
export interface ConfChange {
  readonly transition: ConfChangeTransition;
  readonly changes: readonly ConfChangeSingle[];
  readonly context?: Uint8Array;
}

/** Every message kind Raft nodes exchange, plus local ones (never sent). */
export enum MessageType {
  /** Local: start an election. */
  Hup = 0,
  /** Local: leader sends heartbeats. */
  Beat = 1,
  /** Local or forwarded: propose entries. */
  Prop = 2,
  App = 3,
  AppResp = 4,
  Vote = 5,
  VoteResp = 6,
  /** One chunk of a snapshot (see `Message.snapshotChunk`). */
  Snap = 7,
  Heartbeat = 8,
  HeartbeatResp = 9,
  /** Local (from the transport): a peer could not be reached. */
  Unreachable = 10,
  /** Local (from the transport): a snapshot send finished or failed. */
  SnapStatus = 11,
  /** Local: check that a quorum is still active. */
  CheckQuorum = 12,
  /** Ask the leader to hand leadership to `from` (local or forwarded). */
  TransferLeader = 13,
  /** Leader tells the transfer target to campaign now. */
  TimeoutNow = 14,
  ReadIndex = 15,
  ReadIndexResp = 16,
  PreVote = 17,
  PreVoteResp = 18,
  /** Follower's reply to a snapshot chunk. */
  SnapResp = 19,
}

/** A chunk of a snapshot in flight; the receiver assembles chunks by offset. */
export interface SnapshotChunk {
  readonly metadata: SnapshotMetadata;
  /** Total size of `Snapshot.data` in bytes. */
  readonly totalSize: number;
  /** Byte offset of `data` within the whole snapshot. */
  readonly offset: number;
  readonly data: Uint8Array;
  /** True on the last chunk. */
  readonly done: boolean;
}

/**
 * A Raft message. Fields unused by a message type are left at their zero
 * value (0, false, {@link NONE}, empty array), never omitted, so codecs stay simple.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** Term of the entry at `index` (App), or of the last log entry (Vote/PreVote). */
  readonly logTerm: number;
  /** Index preceding `entries` (App), last log index (Vote), or matched/hinted index (replies). */
  readonly index: number;
  readonly entries: readonly Entry[];
  /** Leader's commit index. */
  readonly commit: number;
  readonly reject: boolean;
  /** On a rejected AppResp: the follower's hint for fast backtracking. */
  readonly rejectHint: number;
  /** Opaque request context (ReadIndex, TransferLeader, campaign type). */
  readonly context: Uint8Array;
  /** Present on Snap messages only. */
  readonly snapshotChunk?: SnapshotChunk;
}
