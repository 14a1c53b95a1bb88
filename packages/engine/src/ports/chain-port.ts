/**
 * What the engine needs from the chain, as interfaces: `@avs/engine-chain`
 * implements them over `@avs/chain` (TaskManagerClient, OperatorRegistryReader);
 * {@link InMemoryChain} is the in-process fake for fast tests.
 */
import type { OperatorStateProvider } from '@avs/bls';
import type { AggregateProof, TaskMeta } from '../tasks/task-command.js';

/** One aggregated response ready for the on-chain check. */
export interface TaskSubmission {
  readonly taskIndex: number;
  readonly meta: TaskMeta;
  /** The application's task request (T). */
  readonly request: unknown;
  /** The response (K) whose digest the aggregate signs. */
  readonly response: unknown;
  readonly digest: `0x${string}`;
  readonly proof: AggregateProof;
  /** Signer operator ids. */
  readonly signers: readonly string[];
}

/** One task of a {@link BatchSubmission}, in leaf order. */
export interface BatchSubmissionItem {
  readonly taskIndex: number;
  readonly meta: TaskMeta;
  /** The application's task request (T) the task belongs to. */
  readonly request: unknown;
  /** The response (K) of the task. */
  readonly response: unknown;
  /** The response's digest: the Merkle leaf. */
  readonly digest: `0x${string}`;
}

/**
 * An aggregated batch ready for one on-chain check (`respondToBatch`): one
 * aggregate over the batch digest (`@avs/bls/batch` `batchDigest(root, count)`)
 * answers every task.
 */
export interface BatchSubmission {
  readonly batchId: number;
  /** The tasks in leaf order (every one shares the reference block and quorums). */
  readonly items: readonly BatchSubmissionItem[];
  /** The batch digest the aggregate signs. */
  readonly digest: `0x${string}`;
  /** Merkle root of the items' digests. */
  readonly root: `0x${string}`;
  readonly proof: AggregateProof;
  readonly signers: readonly string[];
}

/** A response that is on-chain. */
export interface SubmittedResponse {
  readonly txHash: string;
  readonly blockNumber?: number;
}

/**
 * Submits aggregated responses on-chain. The contract accepts one response per
 * task; the engine relies on it as the last line against a double submission.
 */
export interface TaskSubmitter {
  /**
   * Submits and resolves once the transaction is mined.
   * @throws SubmissionError (`permanent` when retrying cannot help; `alreadyResponded` in details when the task already has a response)
   */
  submitResponse(submission: TaskSubmission): Promise<SubmittedResponse>;
  /**
   * Submits a whole batch in one transaction (absent where the contract has no batch call: the
   * engine then answers task by task). The contract answers every task or none.
   * @throws SubmissionError as `submitResponse` (`alreadyResponded` when any task of the batch has a response)
   */
  submitBatch?(batch: BatchSubmission): Promise<SubmittedResponse>;
  /** The response a task already has on-chain, if any (checked by a new leader before it submits). */
  findResponse(taskIndex: number): Promise<SubmittedResponse | undefined>;
}

/** A change of the operator registry, as its events tell. */
export type RegistryEvent =
  | { readonly kind: 'registered' | 'deregistered'; readonly address: string; readonly operatorId: string }
  | { readonly kind: 'endpoints-changed'; readonly operatorId: string }
  /**
   * An operator's stake in some quorum changed (`OperatorStakeUpdate`). It carries no amount on
   * purpose: the engine re-reads the registry, so a forged event cannot remove a staked operator.
   */
  | { readonly kind: 'stake-changed'; readonly operatorId: string };

/**
 * The registry's changes as they happen, so membership follows the registry without waiting for the
 * periodic check (`membershipCheckIntervalMs`), which stays as the safety net.
 */
export interface RegistryEvents {
  /** Calls `listener` for each change from now on. @returns a stop function */
  watch(listener: (event: RegistryEvent) => void): () => void;
}

/** The chain as the engine sees it. */
export interface EngineChain {
  /** Registry changes as events (optional: without them, only the periodic membership check runs). */
  readonly registryEvents?: RegistryEvents | undefined;
  /** EIP-712 domain of join requests: chain id and the registry contract. */
  readonly chainId: number;
  readonly contractAddress: string;
  latestBlock(): Promise<number>;
  readonly submitter: TaskSubmitter;
  /** Operator keys and stakes at a block, for aggregation. */
  readonly operatorState: OperatorStateProvider;
}
