/**
 * The engine's chain ports over `@avs/chain`: the TaskManager submits and
 * finds responses, the registry reader gives operator state, registration and
 * endpoints. On-chain a response is `TaskResponse { referenceTaskIndex, result }`
 * and its digest is `keccak256(abi.encode(response))` ({@link chainResponseDigest}).
 */
import { g1FromJson, g2FromJson, type OperatorId } from '@avs/bls';
import {
  ContractRevertError,
  type CreatedTask,
  InvalidArgumentError,
  type OperatorRegistryReader,
  TaskAlreadyRespondedError,
  type TaskManagerClient,
  type TaskResponse,
  taskResponseDigest,
} from '@avs/chain';
import type { OperatorEndpoints, ProcessedResponse } from './callbacks.js';
import type { EngineChain, TaskSubmitter } from './chain-port.js';
import type { TaskSpec } from './engine.js';
import { SubmissionError } from './errors.js';
import type { TaskMeta } from './task-command.js';

/** Options of {@link createChainAdapter}. */
export interface ChainAdapterOptions {
  readonly taskManager: TaskManagerClient;
  readonly reader: OperatorRegistryReader;
  readonly chainId: number;
  /** Maps the application's response (K) to the on-chain `TaskResponse`; default: K is a TaskResponse. */
  readonly toTaskResponse?: (response: unknown) => TaskResponse;
  /** First block scanned for task and response events (default 0). */
  readonly fromBlock?: number;
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

/**
 * A `validateTaskRequest` that checks each task against the chain: it exists,
 * with the replicated reference block, quorums and threshold, and (when
 * `payloadHashOf` is given) the request's payload hash. A follower refuses to
 * sign anything else.
 */
export function onChainTaskCheck<T>(
  taskManager: TaskManagerClient,
  payloadHashOf?: (request: T) => string,
  fromBlock = 0,
): (request: T, tasks: readonly TaskMeta[]) => Promise<boolean> {
  return async (request, tasks) => {
    for (const meta of tasks) {
      let created: CreatedTask;
      try {
        created = await taskManager.getTask(meta.taskIndex, fromBlock);
      } catch {
        return false;
      }
      const t = created.task;
      if (
        t.referenceBlockNumber !== meta.referenceBlock ||
        t.quorumNumbers.join(',') !== meta.quorumNumbers.join(',') ||
        meta.thresholdPercentages.some((p) => p !== t.quorumThresholdPercentage) ||
        (payloadHashOf !== undefined && payloadHashOf(request).toLowerCase() !== t.payloadHash.toLowerCase())
      ) {
        return false;
      }
    }
    return true;
  };
}

/** Builds the engine's chain ports from `@avs/chain` clients. */
export function createChainAdapter(options: ChainAdapterOptions): ChainAdapter {
  const { taskManager, reader } = options;
  const fromBlock = options.fromBlock ?? 0;
  const toTaskResponse = options.toTaskResponse ?? ((r: unknown) => r as TaskResponse);
  const submitter: TaskSubmitter = {
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
          nonSignerPublicKeysG1: s.proof.nonSignerPublicKeysG1.map((p) => g1FromJson(p)),
          nonSignerOperatorIds: s.proof.nonSignerOperatorIds as OperatorId[],
          quorumApksG1: s.proof.quorumApksG1.map((p) => g1FromJson(p)),
          signersApkG2: g2FromJson(s.proof.signersApkG2),
          signersAggSigG1: g1FromJson(s.proof.signersAggSigG1),
        });
        return { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber };
      } catch (error) {
        if (error instanceof TaskAlreadyRespondedError) {
          throw new SubmissionError(`task ${s.taskIndex} already has a response`, true, {
            cause: error,
            alreadyResponded: true,
          });
        }
        const permanent = error instanceof ContractRevertError || error instanceof InvalidArgumentError;
        throw new SubmissionError(
          `submitting task ${s.taskIndex}: ${error instanceof Error ? error.message : String(error)}`,
          permanent,
          { cause: error },
        );
      }
    },
    async findResponse(taskIndex) {
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
    isValidOperator: (address) => reader.isRegisteredOperator(address),
    async fetchOperatorUrl(address) {
      const op = await reader.getOperator(address);
      if (!op?.endpoints) throw new Error(`${address} is not registered or has no endpoints`);
      return op.endpoints;
    },
  };
}
