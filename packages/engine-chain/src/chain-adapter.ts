/**
 * The engine's chain ports (`EngineChain`, the registry callbacks) implemented
 * over `@avs/chain`'s clients: the TaskManager submits and finds responses,
 * the registry reader gives operator state, registration and endpoints. The
 * engine owns the ports and knows nothing of ethers; this adapter is where the
 * two meet. On-chain a response is `TaskResponse { referenceTaskIndex, result }`
 * and its digest is `keccak256(abi.encode(response))` ({@link chainResponseDigest}).
 */
import { g1FromJson, g2FromJson, type OperatorId } from '@avs/bls';
import {
  ContractRevertError,
  type CreatedTask,
  InvalidArgumentError,
  type OperatorRegistryReader,
  type RegistryEventSource,
  TaskAlreadyRespondedError,
  type TaskManagerPort,
  type TaskResponse,
  taskResponseDigest,
} from '@avs/chain';
import {
  type AggregateProof,
  type BatchSubmission,
  type EngineChain,
  type OperatorEndpoints,
  type ProcessedResponse,
  SubmissionError,
  type TaskSpec,
  type TaskSubmitter,
} from '@avs/engine';
import { engineRegistryEvents } from './registry-events-port.js';

/**
 * What the adapter needs of a task manager: a {@link TaskManagerPort}, or this project's
 * `TaskManagerClient`, whose `submitBatch` (`respondToBatch`) makes the engine's batches possible.
 */
export type SubmittingTaskManager<R> = Pick<
  TaskManagerPort<unknown, R>,
  'getTask' | 'submitResponse' | 'isResponded' | 'getResponse' | 'submitBatch'
>;

/** Options of {@link createChainAdapter}. */
export interface ChainAdapterOptions<R = TaskResponse> {
  readonly taskManager: SubmittingTaskManager<R>;
  readonly reader: OperatorRegistryReader;
  readonly chainId: number;
  /** Maps the application's response (K) to the task manager's response R; default: K is an R. */
  readonly toTaskResponse?: (response: unknown) => R;
  /** First block scanned for task and response events (default 0). */
  readonly fromBlock?: number;
  /**
   * The registry's events (`registryEvents(...)` of `@avs/chain`), so membership follows them; default none
   * (periodic check only).
   */
  readonly registryEvents?: RegistryEventSource;
}

/** {@link EngineChain} plus the registry callbacks, backed by `@avs/chain`. */
export interface ChainAdapter extends EngineChain {
  isValidOperator(address: string): Promise<boolean>;
  /** @throws Error when the operator is not registered or has no endpoints */
  fetchOperatorUrl(address: string): Promise<OperatorEndpoints>;
}

/** The digest the TaskManager checks for a response (the default `onLeaderProcessTaskResponse` for TaskResponse K). */
export function chainResponseDigest(response: TaskResponse): ProcessedResponse {
  return { taskIndex: response.referenceTaskIndex, digest: taskResponseDigest(response) };
}

/** The engine's task metadata for a task created on-chain. */
export function taskSpecOf(created: CreatedTask, expiresAtMs?: number): TaskSpec {
  return {
    taskIndex: created.taskIndex,
    referenceBlock: created.task.referenceBlockNumber,
    quorumNumbers: created.task.quorumNumbers,
    thresholdPercentages: created.task.quorumNumbers.map(() => created.task.quorumThresholdPercentage),
    ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
  };
}

type G2Json = AggregateProof['signersApkG2'];
type G2Point = ReturnType<typeof g2FromJson>;

/** Signer-set keys seen recently: a submission's key is usually the same set's (every operator signed). */
const G2_CACHE_SIZE = 64;

/**
 * `g2FromJson` with a small cache: decoding a G2 point checks it is in the
 * subgroup (a scalar multiplication, tens of ms in JS), and the same signer
 * set's key comes back task after task. Only points that passed the check are
 * kept, keyed by their exact coordinates.
 */
function cachedG2FromJson(): (json: G2Json) => G2Point {
  const cache = new Map<string, G2Point>();
  return (json) => {
    const key = `${json.X[0]},${json.X[1]},${json.Y[0]},${json.Y[1]}`;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key); // most recently used last
      cache.set(key, hit);
      return hit;
    }
    const point = g2FromJson(json);
    cache.set(key, point);
    if (cache.size > G2_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return point;
  };
}

/** The engine's view of a failed submission: answered already, refused for good, or worth a retry. */
function submissionErrorOf(what: string, error: unknown): SubmissionError {
  if (error instanceof TaskAlreadyRespondedError) {
    return new SubmissionError(`task ${error.taskIndex} already has a response`, true, {
      cause: error,
      alreadyResponded: true,
    });
  }
  const permanent = error instanceof ContractRevertError || error instanceof InvalidArgumentError;
  return new SubmissionError(
    `submitting ${what}: ${error instanceof Error ? error.message : String(error)}`,
    permanent,
    { cause: error },
  );
}

/** Builds the engine's chain ports from `@avs/chain` clients. */
export function createChainAdapter<R = TaskResponse>(options: ChainAdapterOptions<R>): ChainAdapter {
  const { taskManager, reader } = options;
  const decodeG2 = cachedG2FromJson();
  const fromBlock = options.fromBlock ?? 0;
  const toTaskResponse = options.toTaskResponse ?? ((r: unknown) => r as R);
  const pointsOf = (proof: AggregateProof) => ({
    nonSignerPublicKeysG1: proof.nonSignerPublicKeysG1.map((p) => g1FromJson(p)),
    nonSignerOperatorIds: proof.nonSignerOperatorIds as OperatorId[],
    quorumApksG1: proof.quorumApksG1.map((p) => g1FromJson(p)),
    signersApkG2: decodeG2(proof.signersApkG2),
    signersAggSigG1: g1FromJson(proof.signersAggSigG1),
  });
  const submitBatch = taskManager.submitBatch
    ? async (b: BatchSubmission) => {
        const first = b.items[0];
        if (first === undefined) throw new SubmissionError(`batch ${b.batchId} has no tasks`, true);
        let created: CreatedTask[];
        try {
          created = await Promise.all(b.items.map((i) => taskManager.getTask(i.taskIndex, fromBlock)));
        } catch (cause) {
          throw new SubmissionError(`the tasks of batch ${b.batchId} could not be read`, false, { cause });
        }
        try {
          const receipt = await taskManager.submitBatch!(
            created.map((c) => c.task),
            b.items.map((i) => toTaskResponse(i.response)),
            {
              taskIndex: first.taskIndex,
              referenceBlock: first.meta.referenceBlock,
              digest: b.digest,
              quorumNumbers: first.meta.quorumNumbers,
              ...pointsOf(b.proof),
            },
          );
          return { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber };
        } catch (error) {
          throw submissionErrorOf(`batch ${b.batchId}`, error);
        }
      }
    : undefined;
  const submitter: TaskSubmitter = {
    ...(submitBatch ? { submitBatch } : {}),
    async submitResponse(s) {
      let created: CreatedTask;
      try {
        created = await taskManager.getTask(s.taskIndex, fromBlock);
      } catch (cause) {
        throw new SubmissionError(`task ${s.taskIndex} could not be read`, false, { cause });
      }
      try {
        const receipt = await taskManager.submitResponse(created.task, toTaskResponse(s.response), {
          taskIndex: s.taskIndex,
          referenceBlock: s.meta.referenceBlock,
          digest: s.digest,
          quorumNumbers: s.meta.quorumNumbers,
          ...pointsOf(s.proof),
        });
        return { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber };
      } catch (error) {
        throw submissionErrorOf(`task ${s.taskIndex}`, error);
      }
    },
    async findResponse(taskIndex) {
      // One cheap view call first; the event scan (for the transaction hash) only when it landed.
      if (!(await taskManager.isResponded(taskIndex))) return undefined;
      const r = await taskManager.getResponse(taskIndex, fromBlock);
      return r === undefined ? undefined : { txHash: r.transactionHash, blockNumber: r.blockNumber };
    },
  };
  return {
    chainId: options.chainId,
    contractAddress: reader.registryCoordinator.toLowerCase(),
    latestBlock: () => reader.getBlockNumber(),
    operatorState: reader,
    submitter,
    ...(options.registryEvents === undefined
      ? {}
      : { registryEvents: engineRegistryEvents(options.registryEvents) }),
    isValidOperator: (address) => reader.isRegisteredOperator(address),
    async fetchOperatorUrl(address) {
      const op = await reader.getOperator(address);
      if (!op?.endpoints) throw new Error(`${address} is not registered or has no endpoints`);
      return op.endpoints;
    },
  };
}
