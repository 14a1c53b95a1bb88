/**
 * Which contracts an operator runs against, behind one shape: this project's
 * OperatorRegistry + TaskManager (`avs-raft`), or EigenLayer's M2 middleware
 * with incredible-squaring's IncredibleSquaringTaskManager (`eigenlayer`).
 * Each binding brings its registry reader, its task manager (a
 * `TaskManagerPort` of `@avs/chain`), its response type and digest, and how a
 * payload is hashed on-chain.
 */
import {
  abiDigest,
  connectAvs,
  EigenLayerRegistryReader,
  IncredibleSquaringTaskManagerAdapter,
  type OperatorRegistryReader,
  squaringPayloadHash,
  squaringResponseDigest,
  squaringResponseSchema,
  type TransactionSenderOptions,
} from '@avs/chain';
import type { TaskMeta } from '@avs/engine';
import type { SubmittingTaskManager } from '@avs/engine-chain';
import { type JsonRpcProvider, Wallet } from 'ethers';
import type { z } from 'zod';
import type { OperatorConfig } from '../config.js';
import { OperatorConfigError } from '../errors.js';
import {
  answer,
  payloadHash,
  payloadSchema,
  TASK_RESPONSE_ABI,
  type TaskPayload,
  taskResponseSchema,
} from './example-avs.js';
import { type AvsTaskModule, answerTask, jsonPayloadHash } from './task-module.js';

/** A task request (T) as replicated: the payloads of its on-chain tasks, in task order. */
export interface BoundTaskRequest {
  readonly payloads: readonly unknown[];
}

/** What the operator needs of the chain it runs on. */
export interface ChainBinding {
  readonly kind: OperatorConfig['chain']['kind'];
  readonly reader: OperatorRegistryReader;
  readonly taskManager: SubmittingTaskManager<unknown>;
  /** Validates one task's payload (the examples', or a task module's request schema). */
  readonly payloadSchema: z.ZodType<unknown>;
  /** Validates a response (K) on the wire. */
  readonly responseSchema: z.ZodType<unknown>;
  /** This operator's responses to a request, one per task. @throws for a payload this chain cannot answer */
  respond(request: BoundTaskRequest, tasks: readonly TaskMeta[]): unknown[] | Promise<unknown[]>;
  /** The message the contract's `checkSignatures` verifies for a response. */
  digestOf(response: unknown): `0x${string}`;
  /** The payload hash the task stores (or the adapter reports). @throws for a payload this chain cannot carry */
  payloadHashOf(payload: unknown): string;
}

/**
 * Builds the binding the config asks for. `wallet` is the operator's key (it submits on `avs-raft`);
 * on `eigenlayer` submissions use the aggregator key from the environment.
 * @throws {OperatorConfigError} when the aggregator key is missing or malformed
 */
export function chainBinding(
  config: OperatorConfig,
  provider: JsonRpcProvider,
  wallet: Wallet,
  module?: AvsTaskModule,
  onReplaced?: TransactionSenderOptions['onReplaced'],
): ChainBinding {
  const { contracts } = config;
  const { bumpAfterMs, bumpPercent, maxBumps } = config.transactions;
  const transactions = {
    bumpPercent,
    maxBumps,
    ...(bumpAfterMs === undefined ? {} : { bumpAfterMs }),
    ...(onReplaced ? { onReplaced } : {}),
  };
  if (config.chain.kind === 'avs-raft') {
    const { reader, taskManager } = connectAvs({ provider, contracts, signer: wallet, transactions });
    const base = {
      kind: 'avs-raft' as const,
      reader,
      taskManager: taskManager as SubmittingTaskManager<unknown>,
      responseSchema: taskResponseSchema,
    };
    if (module) {
      // A team's own task logic; the chain side stays the TaskManager's TaskResponse.
      return {
        ...base,
        payloadSchema: module.requestSchema,
        respond: (request, tasks) =>
          Promise.all(tasks.map((t, i) => answerTask(module, request.payloads[i], t.taskIndex))),
        digestOf: (response) =>
          (module.digestOf ?? ((r: unknown) => abiDigest(TASK_RESPONSE_ABI, r)))(
            response as Parameters<NonNullable<AvsTaskModule['digestOf']>>[0],
          ) as `0x${string}`,
        payloadHashOf: (payload) => (module.payloadHash ?? jsonPayloadHash)(payload),
      };
    }
    return {
      ...base,
      payloadSchema,
      respond: (request, tasks) =>
        tasks.map((t, i) => ({
          referenceTaskIndex: t.taskIndex,
          result: answer(request.payloads[i] as TaskPayload),
        })),
      digestOf: (response) => abiDigest(TASK_RESPONSE_ABI, response),
      payloadHashOf: (payload) => payloadHash(payload as TaskPayload),
    };
  }
  if (module) {
    throw new OperatorConfigError(
      'avs.kind module: runs on chain.kind avs-raft (incredible-squaring answers its own squaring tasks only)',
    );
  }
  const keyEnv = config.chain.aggregatorKeyEnv;
  let aggregator: Wallet;
  try {
    aggregator = new Wallet(process.env[keyEnv] ?? '', provider);
  } catch (cause) {
    throw new OperatorConfigError(
      `chain.kind eigenlayer: ${keyEnv} must hold the aggregator's private key (respondToTask is onlyAggregator)`,
      { cause },
    );
  }
  const reader = new EigenLayerRegistryReader({
    provider,
    registryCoordinator: contracts.operatorRegistry,
    operatorStateRetriever: contracts.operatorStateRetriever,
    middleware: 'm2',
    fromBlock: config.fromBlock,
  });
  const taskManager = new IncredibleSquaringTaskManagerAdapter({
    provider,
    taskManager: contracts.taskManager,
    reader,
    signer: aggregator,
    transactions,
  });
  const numberOf = (value: unknown): bigint => {
    const payload = value as TaskPayload | undefined;
    if (payload?.kind !== 'square') throw new TypeError('incredible-squaring answers square tasks only');
    return BigInt(payload.number);
  };
  return {
    kind: 'eigenlayer',
    reader,
    taskManager: taskManager as SubmittingTaskManager<unknown>,
    payloadSchema,
    responseSchema: squaringResponseSchema,
    respond: (request, tasks) =>
      tasks.map((t, i) => {
        const n = numberOf(request.payloads[i]);
        return { referenceTaskIndex: t.taskIndex, numberSquared: String(n * n) };
      }),
    digestOf: (response) => squaringResponseDigest(response as Parameters<typeof squaringResponseDigest>[0]),
    payloadHashOf: (payload) => squaringPayloadHash(numberOf(payload)),
  };
}
