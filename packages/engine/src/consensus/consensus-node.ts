/**
 * What the engine needs from a Raft node: the subset of `@avs/raft-core`'s
 * `RaftNode` it calls. Kept as an engine-local interface so the engine can be
 * driven by any node with these semantics (and so its tests name exactly
 * what they rely on).
 */
import type { Clock, ConfState, NodeId, RaftStatus, StateMachine, Storage, Transport } from '@avs/raft-core';

/** Per-call deadline. */
export interface ConsensusCallOptions {
  readonly timeoutMs?: number;
}

/** A membership change that took effect. */
export interface ConsensusConfChange {
  readonly index: number;
  readonly confState: ConfState;
  readonly error?: Error;
}

/** Events the engine listens to. */
export interface ConsensusEventMap {
  'leader-change': { readonly leader: NodeId; readonly term: number };
  'conf-change': ConsensusConfChange;
  stopped: { readonly error?: unknown };
}

/** A running Raft node (see `RaftNode` in `@avs/raft-core` for the full contract). */
export interface ConsensusNode<R> {
  /** Resolves with the state machine's result once applied here; rejects with NotLeaderError off the leader. */
  propose(data: Uint8Array, options?: ConsensusCallOptions): Promise<R>;
  /** Linearizable read barrier; on the leader it confirms leadership with a quorum round. */
  readIndex(options?: ConsensusCallOptions): Promise<number>;
  /** Resolves once `to` (default: the most caught-up voter) leads. */
  transferLeadership(to?: NodeId, options?: ConsensusCallOptions): Promise<void>;
  addLearner(id: NodeId, context?: Uint8Array, options?: ConsensusCallOptions): Promise<ConfState>;
  promote(id: NodeId, context?: Uint8Array, options?: ConsensusCallOptions): Promise<ConfState>;
  removeServer(id: NodeId, context?: Uint8Array, options?: ConsensusCallOptions): Promise<ConfState>;
  status(): RaftStatus & { readonly stopped: boolean };
  on<K extends keyof ConsensusEventMap>(type: K, listener: (event: ConsensusEventMap[K]) => void): () => void;
  close(): Promise<void>;
}

/** Raft driver settings passed through to the node (times in ms). */
export interface ConsensusSettings {
  readonly tickMs?: number;
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  readonly proposalTimeoutMs?: number;
  readonly readIndexTimeoutMs?: number;
  readonly confChangeTimeoutMs?: number;
  readonly snapshotEntries?: number;
  readonly snapshotTrailingEntries?: number;
}

/** What a {@link ConsensusNodeFactory} gets. */
export interface ConsensusNodeOptions<R> {
  readonly id: NodeId;
  readonly storage: Storage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  readonly clock?: Clock;
  readonly settings: ConsensusSettings;
  /** Founding voters when storage is empty (bootstrap); omitted on restart and for joiners. */
  readonly bootstrap?: { readonly voters: readonly NodeId[] };
}

/** Creates and starts a node. The default uses `RaftNode.start` from `@avs/raft-core`. */
export type ConsensusNodeFactory = <R>(options: ConsensusNodeOptions<R>) => Promise<ConsensusNode<R>>;
