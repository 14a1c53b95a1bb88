/**
 * The versioned envelope every engine entry in the Raft log is written in.
 *
 * Wire form: UTF-8 JSON `{"v":1,"cmd":{...}}`. A reader refuses a version it
 * does not know with a {@link DecodeError} (the state machine then records the
 * entry as skipped): a newer writer never crashes an older reader.
 */
import { z } from 'zod';
import { DecodeError } from '../errors.js';

/** Envelope version written by this code. */
export const COMMAND_VERSION = 1;

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x-prefixed hex');
const uint = z.number().int().nonnegative();

/** Where a task stands on-chain: what the aggregation and the on-chain check need. */
export const taskMetaSchema = z.object({
  /** The on-chain task index (the TaskManager's). */
  taskIndex: uint,
  /** Block at which operator stake and keys are read. */
  referenceBlock: uint,
  quorumNumbers: z.array(z.number().int().min(0).max(255)).min(1),
  /** Threshold per quorum, in percent, same order as `quorumNumbers`. */
  thresholdPercentages: z.array(z.number().int().min(1).max(100)).min(1),
  /** Wall-clock expiry (ms since the epoch), decided by the leader when it proposed the task. */
  expiresAtMs: uint,
  /** Optional expiry by block number. */
  expiresAtBlock: uint.optional(),
});
export type TaskMeta = z.infer<typeof taskMetaSchema>;

/**
 * A task request (T) and the on-chain tasks its responses answer. A request
 * may carry several: an oracle request for three prices has three on-chain
 * tasks, and each operator returns one response per task.
 */
const createRequest = z.object({
  type: z.literal('request.create'),
  requestId: z.string().min(1).max(128),
  /** The application's task request (T), as JSON. */
  request: z.unknown(),
  tasks: z.array(taskMetaSchema).min(1).max(256),
});

const decimal = z.string().regex(/^\d+$/, 'expected a decimal string');
const g1Json = z.object({ X: decimal, Y: decimal });
const g2Json = z.object({ X: z.tuple([decimal, decimal]), Y: z.tuple([decimal, decimal]) });

/**
 * Everything the on-chain check needs besides the response, replicated with
 * the aggregate so a new leader can submit it without re-collecting signatures.
 * Points are JSON (decimal strings, `@avs/bls` `G1Json`/`G2Json`).
 */
export const aggregateProofSchema = z.object({
  nonSignerPublicKeysG1: z.array(g1Json).max(10_000),
  nonSignerOperatorIds: z.array(hex).max(10_000),
  quorumApksG1: z.array(g1Json).max(256),
  signersApkG2: g2Json,
  signersAggSigG1: g1Json,
  totalStakePerQuorum: z.array(decimal).max(256),
});
export type AggregateProof = z.infer<typeof aggregateProofSchema>;

const aggregated = z.object({
  type: z.literal('task.aggregated'),
  taskIndex: uint,
  /** Digest of the response the aggregate signs. */
  digest: hex,
  /** The application response (K) that reached the threshold, as JSON. */
  response: z.unknown(),
  signers: z.array(hex),
  /** Signed stake per quorum as decimal strings (bigints do not survive JSON). */
  signedStake: z.array(z.string().regex(/^\d+$/)),
  /** The aggregate itself (absent only in entries written before it was added). */
  proof: aggregateProofSchema.optional(),
  /** When the leader had the aggregate (its wall clock, ms since the epoch); absent in older entries. */
  aggregatedAtMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

const submitted = z.object({
  type: z.literal('task.submitted'),
  taskIndex: uint,
  txHash: hex,
  blockNumber: uint.optional(),
});

const expired = z.object({
  type: z.literal('task.expired'),
  taskIndex: uint,
  reason: z.string().max(1024),
});

const failed = z.object({
  type: z.literal('task.failed'),
  taskIndex: uint,
  reason: z.string().max(1024),
});

const address = z.string().regex(/^0x[0-9a-f]{40}$/, 'expected a lowercase 0x address');
const url = z.string().min(1).max(2048);

/** A cluster member's metadata (its Raft node id is its lowercase operator address). */
export const memberInfoSchema = z.object({
  id: address,
  /** The operator's BLS operator id (bytes32). */
  operatorId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a bytes32 hex operator id'),
  httpUrl: url,
  raftUrl: url,
});
export type MemberInfo = z.infer<typeof memberInfoSchema>;

const memberUpsert = z.object({
  type: z.literal('member.upsert'),
  member: memberInfoSchema,
  /** Nonce of the join request that admitted it: replicated so no leader accepts it twice. */
  joinNonce: hex.optional(),
});

const memberRemove = z.object({
  type: z.literal('member.remove'),
  id: address,
  reason: z.string().max(1024),
});

/** Most tasks in one batch (one signed submission carries every response of a batch). */
export const MAX_BATCH_TASKS = 256;

const batchRequest = createRequest.omit({ type: true });

/**
 * Requests packed by the leader into one batch: every operator answers all of
 * them and signs once, over the batch digest (`@avs/bls/batch`). Every task of
 * the batch shares the reference block and quorum numbers; leaves are the
 * tasks in request order. The batch id is the Raft index of this entry.
 */
const batchCreate = z
  .object({
    type: z.literal('batch.create'),
    requests: z.array(batchRequest).min(1).max(MAX_BATCH_TASKS),
  })
  .refine((c) => c.requests.reduce((n, r) => n + r.tasks.length, 0) <= MAX_BATCH_TASKS, {
    message: `a batch has at most ${MAX_BATCH_TASKS} tasks`,
  });

/** The aggregate over a batch digest: every task of the batch becomes `aggregated`. */
const batchAggregated = z.object({
  type: z.literal('batch.aggregated'),
  batchId: uint,
  /** The batch digest the aggregate signs. */
  digest: hex,
  /** Merkle root of the response digests. */
  root: hex,
  /** Response digests in leaf order (one per task): the per-task proofs are built from them. */
  leaves: z.array(hex).min(1).max(MAX_BATCH_TASKS),
  /** The responses (K) in leaf order, as JSON. */
  responses: z.array(z.unknown()).min(1).max(MAX_BATCH_TASKS),
  signers: z.array(hex),
  signedStake: z.array(z.string().regex(/^\d+$/)),
  proof: aggregateProofSchema,
  aggregatedAtMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/**
 * The batch's transaction: every aggregated task of the batch becomes `submitted`. The shape of
 * `task.submitted` on purpose, keyed by batch: one log entry per transaction, not per task.
 */
const batchSubmitted = z.object({
  type: z.literal('batch.submitted'),
  batchId: uint,
  txHash: hex,
  blockNumber: uint.optional(),
});

/** The batch ended without an answer: its open tasks become `expired` or `failed`. */
const batchClosed = z.object({
  type: z.literal('batch.closed'),
  batchId: uint,
  status: z.enum(['expired', 'failed']),
  reason: z.string().max(1024),
});

/** Every command the engine replicates. */
export const taskCommandSchema = z.discriminatedUnion('type', [
  createRequest,
  batchCreate,
  batchAggregated,
  batchSubmitted,
  batchClosed,
  aggregated,
  submitted,
  expired,
  failed,
  memberUpsert,
  memberRemove,
]);
export type TaskCommand = z.infer<typeof taskCommandSchema>;

const envelopeSchema = z.object({ v: z.number().int(), cmd: z.unknown() });

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a command into a log entry's data. */
export function encodeTaskCommand(cmd: TaskCommand): Uint8Array {
  return encoder.encode(JSON.stringify({ v: COMMAND_VERSION, cmd }));
}

/**
 * Decodes a log entry's data.
 * @throws {DecodeError} on bytes that are not a version-1 envelope with a valid command
 */
export function decodeTaskCommand(data: Uint8Array): TaskCommand {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (cause) {
    throw new DecodeError('task command', 'not UTF-8 JSON', { cause });
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw new DecodeError('task command', 'expected {"v": number, "cmd": object}');
  if (envelope.data.v !== COMMAND_VERSION) {
    throw new DecodeError(
      'task command',
      `envelope version ${envelope.data.v} is not supported (expected ${COMMAND_VERSION})`,
    );
  }
  const cmd = taskCommandSchema.safeParse(envelope.data.cmd);
  if (!cmd.success) throw new DecodeError('task command', z.prettifyError(cmd.error));
  return cmd.data;
}
