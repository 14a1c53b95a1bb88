/**
 * An AVS's task manager as a port: whatever contract an AVS deployed, the
 * engine's chain adapter and the follower's check (`createChainAdapter`,
 * `onChainTaskCheck` of `@avs/engine-chain`) and the tooling need only these calls. Two
 * implementations ship: this project's TaskManager ({@link avsTaskManager})
 * and incredible-squaring's `IncredibleSquaringTaskManager`
 * (`IncredibleSquaringTaskManagerAdapter`). The README's "Writing a task
 * manager adapter" walks through the second as the example.
 */
import type { z } from 'zod';
import type {
  CreatedTask,
  ResponseAggregate,
  SubmittedResponse,
  TaskManagerClient,
  WatchOptions,
} from './task-manager-client.js';
import { type Task, type TaskResponse, taskResponseDigest, taskResponseSchema } from './task-types.js';

/** A response accepted on-chain, as its event tells. */
export interface TaskResponseEvent {
  taskIndex: number;
  blockNumber: number;
  transactionHash: string;
  /** The response as the event carries it, when it does. */
  response?: unknown;
}

/**
 * One AVS task manager contract. `P` is what a task is created from (the
 * payload), `R` the response operators sign (JSON-safe: it is replicated).
 * Every created task is described by the common {@link Task} fields:
 * `referenceBlockNumber` is the block whose operator state must sign, and
 * `payloadHash` is the adapter's hash of the payload ({@link TaskManagerPort.payloadHash}).
 */
export interface TaskManagerPort<P = unknown, R = unknown> {
  /** The contract address (checksummed). */
  readonly address: string;
  /** Validates `R` on the wire. */
  readonly responseSchema: z.ZodType<R>;
  /** The 32-byte message the contract's `checkSignatures` verifies for a response. */
  responseDigest(response: R): `0x${string}`;
  /** The hash `getTask` reports as `task.payloadHash` for a task created from `payload`. */
  payloadHash(payload: P): string;
  /**
   * Creates a task (the signer must be allowed to: e.g. the task generator).
   * @throws InvalidArgumentError, ContractRevertError, RpcUnavailableError
   */
  createTask(params: {
    payload: P;
    quorumNumbers: number[];
    quorumThresholdPercentage: number;
  }): Promise<CreatedTask>;
  /** @throws TaskNotFoundError when no such task exists (scanning events from `fromBlock`) */
  getTask(taskIndex: number, fromBlock?: number): Promise<CreatedTask>;
  /** Whether the task already has its (single) on-chain response. */
  isResponded(taskIndex: number): Promise<boolean>;
  /** The accepted response's event, or undefined while there is none. */
  getResponse(taskIndex: number, fromBlock?: number): Promise<TaskResponseEvent | undefined>;
  /**
   * Submits the BLS aggregate as the task's response, once.
   * @throws TaskAlreadyRespondedError, SubmissionInProgressError, ContractRevertError, InvalidArgumentError, RpcUnavailableError
   */
  submitResponse(task: Task, response: R, aggregate: ResponseAggregate): Promise<SubmittedResponse>;
  /**
   * Several responses under one aggregate in one transaction, where the contract has a batch entry point
   * (this project's `respondToBatch`: the aggregate signs the batch's Merkle root); absent otherwise
   * (IncredibleSquaringTaskManager has none).
   */
  submitBatch?(
    tasks: readonly Task[],
    responses: readonly R[],
    aggregate: ResponseAggregate,
  ): Promise<SubmittedResponse>;
  /** Calls `listener` for each created task from `fromBlock` on, in order. Returns a stop function. */
  watchTasks(listener: (task: CreatedTask) => void, options?: WatchOptions): () => void;
  /** Calls `listener` for each accepted response from `fromBlock` on, in order. Returns a stop function. */
  watchResponses(listener: (response: TaskResponseEvent) => void, options?: WatchOptions): () => void;
}

/**
 * This project's TaskManager as a {@link TaskManagerPort}: the payload is the
 * payload hash itself, the response is `TaskResponse { referenceTaskIndex, result }`.
 */
export function avsTaskManager(client: TaskManagerClient): TaskManagerPort<string, TaskResponse> {
  return {
    address: client.address,
    responseSchema: taskResponseSchema,
    responseDigest: taskResponseDigest,
    payloadHash: (payload) => payload,
    createTask: ({ payload, quorumNumbers, quorumThresholdPercentage }) =>
      client.createTask({ payloadHash: payload, quorumNumbers, quorumThresholdPercentage }),
    getTask: (i, fromBlock) => client.getTask(i, fromBlock),
    isResponded: (i) => client.isResponded(i),
    getResponse: (i, fromBlock) => client.getResponse(i, fromBlock),
    submitResponse: (task, response, aggregate) => client.submitResponse(task, response, aggregate),
    submitBatch: (tasks, responses, aggregate) => client.submitBatch(tasks, responses, aggregate),
    watchTasks: (listener, options) => client.watchTasks(listener, options),
    watchResponses: (listener, options) => client.watchResponses(listener, options),
  };
}
