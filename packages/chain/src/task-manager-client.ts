/**
 * `TaskManagerClient`: our TaskManager contract through ethers: create tasks, read and watch them and
 * their responses, and submit a BLS aggregate as a task's response.
 *
 * Owns: the created-task cache and the incremental NewTaskCreated scan, the event watches, building
 * `NonSignerStakesAndSignature` (with the registry reader's check-signature indices), and submission.
 *
 * Pitfalls it guards:
 * - The digest the operators signed must be the response's digest: checked before any RPC call.
 * - Non-signer ids must be sorted ascending as uint256, as the contract's checkSignatures expects.
 * - One response per task: refuses a task already answered on-chain (`TaskAlreadyRespondedError`) or
 *   with a submission in flight in this client (`SubmissionInProgressError`), and simulates the call
 *   before sending so a revert costs no gas; reverts are decoded to `ContractRevertError`.
 * - Flaky RPC: every read goes through `withRetry`; a scan that started before a task was mined is
 *   run again rather than reporting the task missing.
 */
import type { AggregatedResult } from '@avs/bls/aggregation';
import { taskManagerAbi } from '@avs/contracts';
import {
  Contract,
  getAddress,
  Interface,
  type InterfaceAbi,
  isAddress,
  type Log,
  type Provider,
  type Signer,
} from 'ethers';
import { checkBatchAggregate, taskBatchOf } from './batch-response.js';
import {
  ChainError,
  ContractRevertError,
  InvalidArgumentError,
  SubmissionInProgressError,
  TaskAlreadyRespondedError,
  TaskNotFoundError,
} from './errors.js';
import { watchLogs } from './log-watch.js';
import { buildNonSignerStakesAndSignature } from './non-signer-stakes.js';
import type { OperatorRegistryReader } from './operator-registry-reader.js';
import { quorumNumbersToBytes } from './quorums.js';
import { respondOnce } from './respond-once.js';
import { type RetryOptions, withRetry } from './retry.js';
import {
  type Task,
  type TaskResponse,
  taskFromStruct,
  taskResponseDigest,
  taskResponseSchema,
  taskSchema,
  taskToStruct,
} from './task-types.js';
import { TransactionSender, type TransactionSenderOptions } from './transaction-sender.js';

export interface TaskManagerClientOptions {
  provider: Provider;
  /** TaskManager address. */
  taskManager: string;
  /** Reads the history indices for responses. */
  reader: OperatorRegistryReader;
  /** Needed to create tasks and submit responses (a Wallet: it must support signTransaction). */
  signer?: Signer;
  retry?: RetryOptions;
  /** Passed to the {@link TransactionSender}. */
  transactions?: Omit<TransactionSenderOptions, 'signer' | 'retry'>;
}

/** A task as created on-chain. */
export interface CreatedTask {
  taskIndex: number;
  task: Task;
  blockNumber: number;
  transactionHash: string;
}

/** A response accepted on-chain. */
export interface RespondedTask {
  taskIndex: number;
  response: TaskResponse;
  /** keccak256(abi.encodePacked(referenceBlock, nonSignerIds)). */
  hashOfNonSigners: string;
  blockNumber: number;
  transactionHash: string;
}

/**
 * The parts of `@avs/bls`'s AggregatedResult a submission needs (so an aggregate replicated as JSON
 * and decoded with `g1FromJson`/`g2FromJson` can be submitted by any node).
 */
export type ResponseAggregate = Pick<
  AggregatedResult,
  | 'taskIndex'
  | 'referenceBlock'
  | 'digest'
  | 'quorumNumbers'
  | 'nonSignerPublicKeysG1'
  | 'nonSignerOperatorIds'
  | 'quorumApksG1'
  | 'signersApkG2'
  | 'signersAggSigG1'
>;

/** Receipt data of an accepted submission. */
export interface SubmittedResponse {
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
}

/** Receipt data of an accepted batch (`respondToBatch`). */
export interface SubmittedBatch extends SubmittedResponse {
  /** The contract's batch number (for `verifyBatchResponse`). */
  batchId: number;
  /** Merkle root of the response digests, as stored. */
  root: string;
}

/** TaskManager.NonSignerStakesAndSignature, as ethers encodes it. */
export interface NonSignerStakesAndSignatureStruct {
  nonSignerQuorumBitmapIndices: number[];
  nonSignerPubkeys: { X: bigint; Y: bigint }[];
  quorumApks: { X: bigint; Y: bigint }[];
  apkG2: { X: readonly [bigint, bigint]; Y: readonly [bigint, bigint] };
  sigma: { X: bigint; Y: bigint };
  quorumApkIndices: number[];
  totalStakeIndices: number[];
  nonSignerStakeIndices: number[][];
}

export interface WatchOptions {
  /** First block to scan; default: the block after the current one. */
  fromBlock?: number;
  /** Poll interval in ms; default 250. */
  pollIntervalMs?: number;
  /** Max blocks per eth_getLogs; default 1000. */
  maxBlockRange?: number;
  /** Called with errors of a poll (polling continues); default: ignored. */
  onError?: (error: unknown) => void;
}

const iface = new Interface(taskManagerAbi as InterfaceAbi);
// Looked up once: `iface.parseLog` finds the fragment and hashes its topic again for every log.
const NEW_TASK_CREATED = iface.getEvent('NewTaskCreated')!;
const TASK_RESPONDED = iface.getEvent('TaskResponded')!;

/** Created tasks kept in memory (tasks never change; a node looks up recent ones). */
const TASK_CACHE_SIZE = 16_384;

/**
 * Client for the TaskManager: create tasks, read and watch them, and submit a BLS aggregate as
 * the task's response. Submission guarantees: the response digest must match the aggregate, the
 * call is simulated first, one submission per task at a time in this client, and never when the
 * task is already answered on-chain (the contract also accepts only one response).
 */
export class TaskManagerClient {
  readonly address: string;
  readonly #addressLower: string;
  readonly #provider: Provider;
  readonly #contract: Contract;
  readonly #reader: OperatorRegistryReader;
  readonly #retry: RetryOptions;
  readonly #sender: TransactionSender | undefined;
  readonly #inFlight = new Set<number>();
  /** Tasks never change once created: found ones are kept (bounded). */
  readonly #tasks = new Map<number, CreatedTask>();
  /** Blocks whose NewTaskCreated events are all in the cache (`to` undefined: none yet). */
  readonly #scan: { from: number; to: number | undefined } = { from: 0, to: undefined };
  #scanning: Promise<void> | undefined;
  #evicted = false;

  constructor(options: TaskManagerClientOptions) {
    if (!isAddress(options.taskManager)) {
      throw new InvalidArgumentError(`taskManager must be an address, got ${String(options.taskManager)}`);
    }
    this.address = getAddress(options.taskManager);
    this.#addressLower = this.address.toLowerCase();
    this.#provider = options.provider;
    this.#contract = new Contract(this.address, iface, options.provider);
    this.#reader = options.reader;
    this.#retry = options.retry ?? {};
    this.#sender = options.signer
      ? new TransactionSender({ ...options.transactions, signer: options.signer, retry: this.#retry })
      : undefined;
  }

  #requireSender(): TransactionSender {
    if (!this.#sender) throw new InvalidArgumentError('this TaskManagerClient has no signer');
    return this.#sender;
  }

  /**
   * Creates a task (the sender must be a registered operator, the owner or an allowed creator).
   * @throws InvalidArgumentError, ContractRevertError (e.g. NotTaskCreator), RpcUnavailableError.
   */
  async createTask(params: {
    payloadHash: string;
    quorumNumbers: number[];
    quorumThresholdPercentage: number;
  }): Promise<CreatedTask> {
    const check = taskSchema
      .pick({ payloadHash: true, quorumNumbers: true, quorumThresholdPercentage: true })
      .safeParse(params);
    if (!check.success) throw new InvalidArgumentError(`invalid task: ${check.error.message}`);
    const data = iface.encodeFunctionData('createNewTask', [
      params.payloadHash,
      params.quorumThresholdPercentage,
      quorumNumbersToBytes(params.quorumNumbers),
    ]);
    const receipt = await this.#requireSender().send({ to: this.address, data }, 'createNewTask');
    const created = receipt.logs.map((l) => this.#parseCreated(l)).find((t) => t !== undefined);
    if (!created) throw new ChainError(`createNewTask ${receipt.hash}: no NewTaskCreated event`);
    this.#remember(created);
    return created;
  }

  /**
   * Creates one task per payload hash in one transaction (`createNewTasks`), all with the same
   * quorums and threshold; returns them in order (consecutive indexes, one reference block).
   * @throws InvalidArgumentError (empty list, invalid task), ContractRevertError, RpcUnavailableError.
   */
  async createTasks(params: {
    payloadHashes: readonly string[];
    quorumNumbers: number[];
    quorumThresholdPercentage: number;
  }): Promise<CreatedTask[]> {
    if (!Array.isArray(params.payloadHashes) || params.payloadHashes.length === 0) {
      throw new InvalidArgumentError('createTasks: expected at least one payload hash');
    }
    const pick = taskSchema.pick({ payloadHash: true, quorumNumbers: true, quorumThresholdPercentage: true });
    for (const payloadHash of params.payloadHashes) {
      const check = pick.safeParse({ ...params, payloadHash });
      if (!check.success) throw new InvalidArgumentError(`invalid task: ${check.error.message}`);
    }
    const data = iface.encodeFunctionData('createNewTasks', [
      params.payloadHashes,
      params.quorumThresholdPercentage,
      quorumNumbersToBytes(params.quorumNumbers),
    ]);
    const receipt = await this.#requireSender().send({ to: this.address, data }, 'createNewTasks');
    const created = receipt.logs.flatMap((l) => this.#parseCreated(l) ?? []);
    if (created.length !== params.payloadHashes.length) {
      throw new ChainError(
        `createNewTasks ${receipt.hash}: expected ${params.payloadHashes.length} NewTaskCreated events, got ${created.length}`,
      );
    }
    for (const t of created) this.#remember(t);
    return created;
  }

  #remember(task: CreatedTask): void {
    this.#tasks.set(task.taskIndex, task);
    if (this.#tasks.size > TASK_CACHE_SIZE) {
      this.#tasks.delete(this.#tasks.keys().next().value as number);
      this.#evicted = true;
    }
  }

  /** The log's arguments when it is `event`'s from this contract (compared without checksumming every address). */
  #argsOf(log: Log, event: typeof NEW_TASK_CREATED): ReturnType<typeof iface.decodeEventLog> | undefined {
    if (log.address.toLowerCase() !== this.#addressLower || log.topics[0] !== event.topicHash)
      return undefined;
    return iface.decodeEventLog(event, log.data, log.topics);
  }

  #parseCreated(log: Log): CreatedTask | undefined {
    const args = this.#argsOf(log, NEW_TASK_CREATED);
    if (args === undefined) return undefined;
    return {
      taskIndex: Number(args.taskIndex),
      task: taskFromStruct(args.task),
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    };
  }

  #parseResponded(log: Log): RespondedTask | undefined {
    const args = this.#argsOf(log, TASK_RESPONDED);
    if (args === undefined) return undefined;
    return {
      taskIndex: Number(args.taskIndex),
      response: {
        referenceTaskIndex: Number(args.taskResponse.referenceTaskIndex),
        result: args.taskResponse.result,
      },
      hashOfNonSigners: args.taskResponseMetadata.hashOfNonSigners,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    };
  }

  /**
   * The task with this index, from its NewTaskCreated event (scans from `fromBlock`, default 0;
   * on a public RPC pass the deployment block, providers limit eth_getLogs ranges). Cached.
   * Scans are incremental: each reads every NewTaskCreated event of the blocks not scanned yet
   * (one eth_getLogs for many tasks, and concurrent callers share it), so a node that checks every
   * task it is asked to sign does not rescan the chain per task.
   * @throws TaskNotFoundError
   */
  async getTask(taskIndex: number, fromBlock = 0): Promise<CreatedTask> {
    const cached = this.#tasks.get(taskIndex);
    if (cached) return cached;
    if (this.#scan.to !== undefined && fromBlock < this.#scan.from)
      return this.#findTask(taskIndex, fromBlock);
    // A scan already under way may have started before this task was mined: then scan again.
    if (this.#scanning) await this.#scanning.catch(() => undefined);
    const found = this.#tasks.get(taskIndex);
    if (found) return found;
    await this.#scanNewTasks(fromBlock);
    const scanned = this.#tasks.get(taskIndex);
    if (scanned) return scanned;
    // Scanned blocks whose tasks were dropped from the cache since: look this one up alone.
    if (this.#evicted) return this.#findTask(taskIndex, fromBlock);
    throw new TaskNotFoundError(`no task ${taskIndex} at ${this.address} since block ${fromBlock}`);
  }

  /** Reads the NewTaskCreated events of the blocks after the last scan (or from `fromBlock`). */
  #scanNewTasks(fromBlock: number): Promise<void> {
    this.#scanning ??= (async () => {
      const latest = await withRetry('eth_blockNumber', () => this.#provider.getBlockNumber(), this.#retry);
      const from = this.#scan.to === undefined ? fromBlock : this.#scan.to + 1;
      if (from > latest) return;
      const topics = [iface.getEvent('NewTaskCreated')!.topicHash];
      const logs = await withRetry(
        'eth_getLogs',
        () => this.#provider.getLogs({ address: this.address, topics, fromBlock: from, toBlock: latest }),
        this.#retry,
      );
      for (const log of logs) {
        const t = this.#parseCreated(log);
        if (t) this.#remember(t);
      }
      if (this.#scan.to === undefined) this.#scan.from = from;
      this.#scan.to = latest;
    })().finally(() => {
      this.#scanning = undefined;
    });
    return this.#scanning;
  }

  /** One task by its indexed event (for a range before the incremental scan's start). */
  async #findTask(taskIndex: number, fromBlock: number): Promise<CreatedTask> {
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

  /**
   * The accepted response of a task, from its TaskResponded event (scans from `fromBlock`,
   * default 0), or undefined if it has none yet. A new leader checks this before submitting.
   */
  async getResponse(taskIndex: number, fromBlock = 0): Promise<RespondedTask | undefined> {
    const topics = iface.encodeFilterTopics('TaskResponded', [taskIndex]);
    const logs = await withRetry(
      'eth_getLogs',
      () => this.#provider.getLogs({ address: this.address, topics, fromBlock, toBlock: 'latest' }),
      this.#retry,
    );
    return logs.map((l) => this.#parseResponded(l)).find((r) => r !== undefined);
  }

  /** Number of tasks created so far (the next task index). */
  async taskCount(): Promise<number> {
    return Number(
      await withRetry('latestTaskNum', () => this.#contract.getFunction('latestTaskNum')(), this.#retry),
    );
  }

  /** Whether the task already has its on-chain response. */
  async isResponded(taskIndex: number): Promise<boolean> {
    return Boolean(
      await withRetry(
        'taskResponded',
        () => this.#contract.getFunction('taskResponded')(taskIndex),
        this.#retry,
      ),
    );
  }

  /** Calls `listener` for each task created from `fromBlock` on, in order. Returns a stop function. */
  watchTasks(listener: (task: CreatedTask) => void, options: WatchOptions = {}): () => void {
    return this.#watch('NewTaskCreated', (l) => this.#parseCreated(l), listener, options);
  }

  /** Calls `listener` for each accepted response from `fromBlock` on, in order. Returns a stop function. */
  watchResponses(listener: (response: RespondedTask) => void, options: WatchOptions = {}): () => void {
    return this.#watch('TaskResponded', (l) => this.#parseResponded(l), listener, options);
  }

  #watch<T>(
    event: string,
    parse: (log: Log) => T | undefined,
    listener: (value: T) => void,
    options: WatchOptions,
  ): () => void {
    const topics = [iface.getEvent(event)!.topicHash];
    const onLog = (log: Log) => {
      const value = parse(log);
      if (value !== undefined) listener(value);
    };
    return watchLogs(this.#provider, { address: this.address, topics }, onLog, options, this.#retry);
  }

  /**
   * The `respondToTask` aggregate argument: points from `aggregate` (already sorted by the
   * aggregation service) and history indices read from the registry at the reference block.
   */
  async buildNonSignerStakesAndSignature(
    task: Task,
    aggregate: ResponseAggregate,
  ): Promise<NonSignerStakesAndSignatureStruct> {
    return buildNonSignerStakesAndSignature(this.#reader, task, aggregate);
  }

  /**
   * Submits the aggregate as the task's response: checks it fits the task and response, refuses
   * if the task is answered or a submission is in flight, simulates, then sends once.
   * @throws InvalidArgumentError (mismatched task/response/aggregate), TaskAlreadyRespondedError,
   *   SubmissionInProgressError, ContractRevertError (e.g. QuorumThresholdNotMet, InvalidSignature,
   *   TaskResponseWindowExpired), RpcUnavailableError.
   */
  async submitResponse(
    task: Task,
    response: TaskResponse,
    aggregate: ResponseAggregate,
  ): Promise<SubmittedResponse> {
    const t = taskSchema.safeParse(task);
    if (!t.success) throw new InvalidArgumentError(`invalid task: ${t.error.message}`);
    const r = taskResponseSchema.safeParse(response);
    if (!r.success) throw new InvalidArgumentError(`invalid response: ${r.error.message}`);
    const index = response.referenceTaskIndex;
    const digest = taskResponseDigest(response);
    if (aggregate.digest.toLowerCase() !== digest.toLowerCase()) {
      throw new InvalidArgumentError(
        `the aggregate signs ${aggregate.digest}, the response digest is ${digest}`,
      );
    }
    if (aggregate.taskIndex !== index || aggregate.referenceBlock !== task.referenceBlockNumber) {
      throw new InvalidArgumentError(
        `the aggregate is for task ${aggregate.taskIndex} at block ${aggregate.referenceBlock}, not task ${index} at block ${task.referenceBlockNumber}`,
      );
    }
    if (aggregate.quorumNumbers.join(',') !== task.quorumNumbers.join(',')) {
      throw new InvalidArgumentError('the aggregate and the task have different quorum numbers');
    }
    return respondOnce(index, {
      inFlight: this.#inFlight,
      isResponded: (i) => this.isResponded(i),
      callData: async () => {
        const params = await this.buildNonSignerStakesAndSignature(task, aggregate);
        return iface.encodeFunctionData('respondToTask', [taskToStruct(task), response, params]);
      },
      sender: this.#requireSender(),
      to: this.address,
      alreadyResponded: async (error) =>
        error.errorName === 'TaskAlreadyResponded' ||
        (error.errorName === undefined && (await this.isResponded(index))),
    });
  }

  /**
   * Submits one aggregate for many tasks (`respondToBatch`): the aggregate must sign the batch
   * digest of these tasks and responses (see `taskBatchOf`), all tasks sharing a reference block
   * and quorums. Simulated first; the whole batch is refused if any task is already answered.
   * @throws InvalidArgumentError (mismatched tasks/responses/aggregate), SubmissionInProgressError,
   *   TaskAlreadyRespondedError (with the first answered task), ContractRevertError, RpcUnavailableError.
   */
  async submitBatch(
    tasks: readonly Task[],
    responses: readonly TaskResponse[],
    aggregate: ResponseAggregate,
  ): Promise<SubmittedBatch> {
    const batch = taskBatchOf(tasks, responses);
    checkBatchAggregate(batch, aggregate);
    const sender = this.#requireSender();
    const indexes = batch.tasks.map((t) => t.taskIndex);
    const busy = indexes.find((i) => this.#inFlight.has(i));
    if (busy !== undefined) throw new SubmissionInProgressError(busy);
    for (const i of indexes) this.#inFlight.add(i);
    try {
      const params = await this.buildNonSignerStakesAndSignature(tasks[0] as Task, aggregate);
      const data = iface.encodeFunctionData('respondToBatch', [tasks.map(taskToStruct), responses, params]);
      let receipt: Awaited<ReturnType<TransactionSender['send']>>;
      try {
        receipt = await sender.send({ to: this.address, data }, `respondToBatch(${indexes.length} tasks)`);
      } catch (error) {
        if (error instanceof ContractRevertError && error.errorName === 'TaskAlreadyResponded') {
          throw new TaskAlreadyRespondedError(Number(error.errorArgs[0]));
        }
        throw error;
      }
      const event = receipt.logs
        .filter((l) => getAddress(l.address) === this.address)
        .map((l) => iface.parseLog(l))
        .find((e) => e?.name === 'BatchResponded');
      if (!event) throw new ChainError(`respondToBatch ${receipt.hash}: no BatchResponded event`);
      return {
        transactionHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        batchId: Number(event.args.batchId),
        root: event.args.root,
      };
    } finally {
      for (const i of indexes) this.#inFlight.delete(i);
    }
  }

  /**
   * Whether `response` is at `position` of batch `batchId` on-chain, given its Merkle proof
   * (`taskBatchOf(...).proof(position)`): checks a task's answer against the stored root.
   */
  async verifyBatchResponse(
    batchId: number,
    response: TaskResponse,
    position: number,
    proof: readonly string[],
  ): Promise<boolean> {
    return Boolean(
      await withRetry(
        'verifyBatchResponse',
        () => this.#contract.getFunction('verifyBatchResponse')(batchId, response, position, proof),
        this.#retry,
      ),
    );
  }
}
