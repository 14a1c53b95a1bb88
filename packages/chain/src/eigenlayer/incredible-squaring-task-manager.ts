/**
 * incredible-squaring's `IncredibleSquaringTaskManager` as a {@link TaskManagerPort}:
 * the adapter a team writes for its own TaskManager (see the README).
 *
 * - Task: `Task { numberToBeSquared, taskCreatedBlock, quorumNumbers, quorumThresholdPercentage }`;
 *   `taskCreatedBlock` is the reference block `checkSignatures` reads stakes at, and the
 *   port's `payloadHash` is `keccak256(abi.encode(uint256 numberToBeSquared))`.
 * - Response: `TaskResponse { referenceTaskIndex, numberSquared }`, signed message
 *   `keccak256(abi.encode(TaskResponse))` (what `respondToTask` recomputes).
 * - `createNewTask` is `onlyTaskGenerator` and `respondToTask` is `onlyAggregator`: the signer given
 *   here must be that key (in the engine, the Raft leader submits with it).
 * - Responded: `allTaskResponses(taskIndex) != 0`; a second response reverts
 *   ("Aggregator has already responded to the task"), reported as TaskAlreadyRespondedError.
 */
import {
  AbiCoder,
  Contract,
  getAddress,
  Interface,
  isAddress,
  keccak256,
  type Log,
  type Provider,
  type Signer,
  ZeroHash,
} from 'ethers';
import { z } from 'zod';
import { ChainError, InvalidArgumentError, TaskNotFoundError } from '../errors.js';
import { watchLogs } from '../log-watch.js';
import { buildNonSignerStakesAndSignature } from '../non-signer-stakes.js';
import type { OperatorRegistryReader } from '../operator-registry-reader.js';
import { quorumNumbersFromBytes, quorumNumbersToBytes } from '../quorums.js';
import { respondOnce } from '../respond-once.js';
import { type RetryOptions, withRetry } from '../retry.js';
import type {
  CreatedTask,
  NonSignerStakesAndSignatureStruct,
  ResponseAggregate,
  SubmittedResponse,
  WatchOptions,
} from '../task-manager-client.js';
import type { TaskManagerPort, TaskResponseEvent } from '../task-manager-port.js';
import type { Task } from '../task-types.js';
import { TransactionSender, type TransactionSenderOptions } from '../transaction-sender.js';
import { incredibleSquaringTaskManagerAbi } from './m2-abis.js';

/** incredible-squaring's response: `numberSquared` as a decimal string (JSON-safe; it is uint256). */
export interface SquaringResponse {
  referenceTaskIndex: number;
  numberSquared: string;
}

/** zod schema of {@link SquaringResponse}. */
export const squaringResponseSchema = z.object({
  referenceTaskIndex: z.number().int().min(0).max(0xffffffff),
  numberSquared: z.string().regex(/^\d{1,78}$/, 'a decimal uint256'),
});

const coder = AbiCoder.defaultAbiCoder();
/** Created tasks kept in memory (they never change). */
const TASK_CACHE_SIZE = 16_384;
const iface = new Interface(incredibleSquaringTaskManagerAbi);

/** `keccak256(abi.encode(TaskResponse{referenceTaskIndex, numberSquared}))`: the message `respondToTask` checks. */
export function squaringResponseDigest(response: SquaringResponse): `0x${string}` {
  const r = squaringResponseSchema.safeParse(response);
  if (!r.success) throw new InvalidArgumentError(`invalid response: ${r.error.message}`);
  return keccak256(
    coder.encode(
      ['tuple(uint32 referenceTaskIndex, uint256 numberSquared)'],
      [[r.data.referenceTaskIndex, BigInt(r.data.numberSquared)]],
    ),
  ) as `0x${string}`;
}

/** The port's payload hash of a squaring task: `keccak256(abi.encode(uint256 numberToBeSquared))`. */
export function squaringPayloadHash(numberToBeSquared: bigint): string {
  return keccak256(coder.encode(['uint256'], [numberToBeSquared]));
}

/** A created task with its raw payload. */
export interface SquaringTask extends CreatedTask {
  numberToBeSquared: bigint;
}

/** Options of {@link IncredibleSquaringTaskManagerAdapter}. */
export interface IncredibleSquaringTaskManagerOptions {
  provider: Provider;
  taskManager: string;
  /** Reads the history indices (`getCheckSignaturesIndices`) for responses. */
  reader: OperatorRegistryReader;
  /** The task generator's key to create tasks, the aggregator's to respond (a Wallet). */
  signer?: Signer;
  retry?: RetryOptions;
  transactions?: Omit<TransactionSenderOptions, 'signer' | 'retry'>;
}

/**
 * {@link TaskManagerPort} over IncredibleSquaringTaskManager. Its methods mirror TaskManagerClient's on purpose
 * (both implement the port); the logic they share lives once in non-signer-stakes, respond-once and log-watch.
 */
export class IncredibleSquaringTaskManagerAdapter implements TaskManagerPort<bigint, SquaringResponse> {
  readonly address: string;
  readonly responseSchema = squaringResponseSchema;
  readonly #provider: Provider;
  readonly #contract: Contract;
  readonly #reader: OperatorRegistryReader;
  readonly #retry: RetryOptions;
  readonly #sender: TransactionSender | undefined;
  readonly #tasks = new Map<number, SquaringTask>();
  readonly #inFlight = new Set<number>();

  constructor(options: IncredibleSquaringTaskManagerOptions) {
    if (!isAddress(options.taskManager)) {
      throw new InvalidArgumentError(`taskManager must be an address, got ${String(options.taskManager)}`);
    }
    this.address = getAddress(options.taskManager);
    this.#provider = options.provider;
    this.#contract = new Contract(this.address, iface, options.provider);
    this.#reader = options.reader;
    this.#retry = options.retry ?? {};
    this.#sender = options.signer
      ? new TransactionSender({
          simulateAt: 'pending', // checkSignatures wants taskCreatedBlock < block.number: the next block's
          ...options.transactions,
          signer: options.signer,
          retry: this.#retry,
        })
      : undefined;
  }

  responseDigest(response: SquaringResponse): `0x${string}` {
    return squaringResponseDigest(response);
  }

  payloadHash(payload: bigint): string {
    return squaringPayloadHash(payload);
  }

  #remember(task: SquaringTask): void {
    this.#tasks.set(task.taskIndex, task);
    if (this.#tasks.size > TASK_CACHE_SIZE) this.#tasks.delete(this.#tasks.keys().next().value as number);
  }

  #requireSender(): TransactionSender {
    if (!this.#sender) throw new InvalidArgumentError('this adapter has no signer');
    return this.#sender;
  }

  #parseCreated(log: Log): SquaringTask | undefined {
    if (getAddress(log.address) !== this.address) return undefined;
    const parsed = iface.parseLog(log);
    if (parsed?.name !== 'NewTaskCreated') return undefined;
    const t = parsed.args.task;
    const numberToBeSquared = BigInt(t.numberToBeSquared);
    return {
      taskIndex: Number(parsed.args.taskIndex),
      numberToBeSquared,
      task: {
        payloadHash: squaringPayloadHash(numberToBeSquared),
        referenceBlockNumber: Number(t.taskCreatedBlock),
        quorumThresholdPercentage: Number(t.quorumThresholdPercentage),
        quorumNumbers: quorumNumbersFromBytes(t.quorumNumbers),
      },
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    };
  }

  #parseResponded(log: Log): TaskResponseEvent | undefined {
    if (getAddress(log.address) !== this.address) return undefined;
    const parsed = iface.parseLog(log);
    if (parsed?.name !== 'TaskResponded') return undefined;
    const taskIndex = Number(parsed.args.taskResponse.referenceTaskIndex);
    const response: SquaringResponse = {
      referenceTaskIndex: taskIndex,
      numberSquared: String(parsed.args.taskResponse.numberSquared),
    };
    return { taskIndex, blockNumber: log.blockNumber, transactionHash: log.transactionHash, response };
  }

  /**
   * `createNewTask(numberToBeSquared, threshold, quorumNumbers)`; the signer must be the generator.
   * @throws InvalidArgumentError, ContractRevertError, RpcUnavailableError
   */
  async createTask(params: {
    payload: bigint;
    quorumNumbers: number[];
    quorumThresholdPercentage: number;
  }): Promise<SquaringTask> {
    const { quorumThresholdPercentage: pct } = params;
    if (!Number.isInteger(pct) || pct < 1 || pct > 100) {
      throw new InvalidArgumentError(`quorumThresholdPercentage must be 1..100, got ${pct}`);
    }
    if (params.payload < 0n || params.payload >= 2n ** 256n)
      throw new InvalidArgumentError('payload must fit uint256');
    const data = iface.encodeFunctionData('createNewTask', [
      params.payload,
      pct,
      quorumNumbersToBytes(params.quorumNumbers),
    ]);
    const receipt = await this.#requireSender().send({ to: this.address, data }, 'createNewTask');
    const created = receipt.logs.map((l) => this.#parseCreated(l)).find((t) => t !== undefined);
    if (!created) throw new ChainError(`createNewTask ${receipt.hash}: no NewTaskCreated event`);
    this.#remember(created);
    return created;
  }

  /** The task from its NewTaskCreated event (the index is indexed: one eth_getLogs), cached. */
  async getTask(taskIndex: number, fromBlock = 0): Promise<SquaringTask> {
    const cached = this.#tasks.get(taskIndex);
    if (cached) return cached;
    const topics = iface.encodeFilterTopics('NewTaskCreated', [taskIndex]);
    const logs = await withRetry(
      'eth_getLogs',
      () => this.#provider.getLogs({ address: this.address, topics, fromBlock, toBlock: 'latest' }),
      this.#retry,
    );
    const found = logs.map((l) => this.#parseCreated(l)).find((t) => t !== undefined);
    if (!found)
      throw new TaskNotFoundError(`no task ${taskIndex} at ${this.address} since block ${fromBlock}`);
    this.#remember(found);
    return found;
  }

  async isResponded(taskIndex: number): Promise<boolean> {
    const hash: string = await withRetry(
      'allTaskResponses',
      () => this.#contract.getFunction('allTaskResponses')(taskIndex),
      this.#retry,
    );
    return hash !== ZeroHash;
  }

  /** The TaskResponded event of a task (not indexed: a scan from `fromBlock`), or undefined. */
  async getResponse(taskIndex: number, fromBlock = 0): Promise<TaskResponseEvent | undefined> {
    const topics = [iface.getEvent('TaskResponded')!.topicHash];
    const logs = await withRetry(
      'eth_getLogs',
      () => this.#provider.getLogs({ address: this.address, topics, fromBlock, toBlock: 'latest' }),
      this.#retry,
    );
    return logs.map((l) => this.#parseResponded(l)).find((r) => r?.taskIndex === taskIndex);
  }

  /**
   * `NonSignerStakesAndSignature` as eigensdk-go's aggregator builds it: non-signers sorted by
   * operator id (as uint256), their G1 keys in that order, the quorum APKs at the reference block,
   * the signers' aggregate G2 key and signature, and the history indices the
   * OperatorStateRetriever gives for exactly those non-signers.
   * @throws InvalidArgumentError when the non-signers are not sorted
   */
  async buildNonSignerStakesAndSignature(
    task: Task,
    aggregate: ResponseAggregate,
  ): Promise<NonSignerStakesAndSignatureStruct> {
    return buildNonSignerStakesAndSignature(this.#reader, task, aggregate);
  }

  /**
   * `respondToTask(task, response, nonSignerStakesAndSignature)` with the aggregator key.
   * Shaped like `TaskManagerClient.submitResponse` on purpose (both implement `TaskManagerPort`; the
   * sending, simulation and once-only logic is shared in `respondOnce`): the checks differ, since
   * incredible-squaring's task struct is rebuilt from the task as created on-chain, not taken as given.
   * @throws InvalidArgumentError (mismatched task, response or aggregate), TaskAlreadyRespondedError,
   *   SubmissionInProgressError, ContractRevertError, RpcUnavailableError
   */
  async submitResponse(
    task: Task,
    response: SquaringResponse,
    aggregate: ResponseAggregate,
  ): Promise<SubmittedResponse> {
    const index = response.referenceTaskIndex;
    const digest = squaringResponseDigest(response);
    if (aggregate.digest.toLowerCase() !== digest) {
      throw new InvalidArgumentError(
        `the aggregate signs ${aggregate.digest}, the response digest is ${digest}`,
      );
    }
    const created = await this.getTask(index);
    if (
      aggregate.taskIndex !== index ||
      aggregate.referenceBlock !== created.task.referenceBlockNumber ||
      task.referenceBlockNumber !== created.task.referenceBlockNumber ||
      aggregate.quorumNumbers.join(',') !== created.task.quorumNumbers.join(',')
    ) {
      throw new InvalidArgumentError(
        `the aggregate or task does not match task ${index} as created on-chain`,
      );
    }
    return respondOnce(index, {
      inFlight: this.#inFlight,
      isResponded: (i) => this.isResponded(i),
      callData: async () => {
        const params = await this.buildNonSignerStakesAndSignature(created.task, aggregate);
        return iface.encodeFunctionData('respondToTask', [
          {
            numberToBeSquared: created.numberToBeSquared,
            taskCreatedBlock: created.task.referenceBlockNumber,
            quorumNumbers: quorumNumbersToBytes(created.task.quorumNumbers),
            quorumThresholdPercentage: created.task.quorumThresholdPercentage,
          },
          { referenceTaskIndex: index, numberSquared: BigInt(response.numberSquared) },
          params,
        ]);
      },
      sender: this.#requireSender(),
      to: this.address,
      // The contract answers a second response with a revert string: check the state, not the text.
      alreadyResponded: () => this.isResponded(index),
    });
  }

  watchTasks(listener: (task: SquaringTask) => void, options: WatchOptions = {}): () => void {
    const topics = [iface.getEvent('NewTaskCreated')!.topicHash];
    return watchLogs(
      this.#provider,
      { address: this.address, topics },
      (log) => {
        const t = this.#parseCreated(log);
        if (t) {
          this.#remember(t);
          listener(t);
        }
      },
      options,
      this.#retry,
    );
  }

  watchResponses(listener: (response: TaskResponseEvent) => void, options: WatchOptions = {}): () => void {
    const topics = [iface.getEvent('TaskResponded')!.topicHash];
    return watchLogs(
      this.#provider,
      { address: this.address, topics },
      (log) => {
        const r = this.#parseResponded(log);
        if (r) listener(r);
      },
      options,
      this.#retry,
    );
  }
}
