/** What {@link createTaskConsensusEngine} takes (`TaskConsensusEngineOptions`). */
import type { BlsBackendName, BlsKeyPair } from '@avs/bls';
import type { Clock, Logger, Storage } from '@avs/raft-core';
import type { OperatorRaftConfig } from './config.js';
import type { ConsensusNodeFactory } from './consensus/consensus-node.js';
import type { AggregationOptions } from './leader/leader-duties.js';
import type { JoinAuthenticator } from './membership/join-request.js';
import type { EngineCallbacksOptions, TaskConsensusCallbacks } from './ports/callbacks.js';
import type { EngineChain } from './ports/chain-port.js';
import type { EngineTransport } from './ports/engine-transport.js';
import type { BatchingOptions } from './tasks/batch-packer.js';
import type { TaskSpec } from './tasks/task-request.js';
import type { TaskStateOptions } from './tasks/task-state.js';

/** Everything {@link createTaskConsensusEngine} needs. */
export interface TaskConsensusEngineOptions<T, K> {
  /** This operator's BLS key (signs responses). */
  readonly blsKey: BlsKeyPair;
  /**
   * Signs this operator's join requests and checks others' (`eip712JoinAuthenticator(ecdsaKey)` from
   * `@avs/engine-chain`); its address is the Raft node id.
   */
  readonly joinAuth: JoinAuthenticator;
  readonly callbacks: TaskConsensusCallbacks<T, K> & {
    /** The on-chain tasks a request answers, when `leaderSendTaskRequestToFollowers` is called without them. */
    readonly tasksOf?: (request: T) => readonly TaskSpec[] | Promise<readonly TaskSpec[]>;
  };
  /** Default digest settings (used when `callbacks.onLeaderProcessTaskResponse` is absent). */
  readonly digest?: EngineCallbacksOptions<K>;
  readonly config: OperatorRaftConfig;
  /** The Raft log storage (any `@avs/storage-*` backend, or `MemoryStorage`). The caller closes it. */
  readonly storage: Storage;
  /** Raft traffic and engine calls: `createHttpEngineTransport` or `createMemoryEngineNetwork().endpoint(id)`. */
  readonly transport: EngineTransport;
  /** Chain access: `createChainAdapter` of `@avs/engine-chain`, or `InMemoryChain` in tests. */
  readonly chain: EngineChain;
  readonly aggregation?: AggregationOptions;
  /**
   * Packs the requests of a short window into batches that operators sign once and the leader
   * submits in one transaction (`EngineChain.submitter.submitBatch`). Absent: one response per
   * task. Ignored where the chain port has no `submitBatch` (single responses, pipelined).
   */
  readonly batching?: BatchingOptions;
  readonly logger?: Logger;
  /**
   * Time source for Raft, retries and expiry. `now()` is epoch ms: expiries are compared across machines.
   * Default `wallClock` (`@avs/transport-http`).
   */
  readonly clock?: Clock;
  /** Creates the Raft node; default `RaftNode` from `@avs/raft-core`. */
  readonly nodeFactory?: ConsensusNodeFactory;
  readonly taskState?: TaskStateOptions;
  /**
   * BLS arithmetic (`@avs/bls` `initBls`), chosen when the Raft server starts: `'auto'` (default)
   * uses WebAssembly (mcl-wasm) where it loads, else pure JS; results are identical. The choice is
   * process-wide (every engine in a process shares it); `status().blsBackend` reports it.
   */
  readonly blsBackend?: 'auto' | BlsBackendName;
}
