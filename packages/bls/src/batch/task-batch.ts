/**
 * Batches of task responses under one BLS signature, modelled on EigenDA's
 * `confirmBatch`: operators sign `batchDigest(root, count)` once, where `root`
 * is the Merkle root of the batch's response digests; the aggregate is checked
 * once on-chain (`TaskManager.respondToBatch`), and each task's response can be
 * proven against the root afterwards with its Merkle proof.
 * @module
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { TaskParams } from '../aggregation/types.js';
import { type Digest, digestToBytes, digestToHex } from '../digest.js';
import { InvalidBatchError } from './errors.js';
import { type Hex32, merkleProof, merkleRoot } from './merkle.js';

/** keccak256("avs-raft.TaskManager.respondToBatch.v1"): separates batch digests from single-task ones. */
export const BATCH_DIGEST_TAG: Hex32 = digestToHex(
  keccak_256(utf8ToBytes('avs-raft.TaskManager.respondToBatch.v1')),
);

/**
 * What the operators sign for a batch: keccak256(abi.encode(BATCH_DIGEST_TAG, root, uint256 taskCount)).
 * @throws InvalidEncodingError for a root that is not 32 bytes; InvalidBatchError for a bad count.
 */
export function batchDigest(root: Digest, taskCount: number): Hex32 {
  if (!Number.isSafeInteger(taskCount) || taskCount < 1) {
    throw new InvalidBatchError(`a batch has at least one task, got ${taskCount}`);
  }
  const buf = new Uint8Array(96);
  buf.set(digestToBytes(BATCH_DIGEST_TAG), 0);
  buf.set(digestToBytes(root), 32);
  let n = BigInt(taskCount);
  for (let i = 95; n > 0n; i--, n >>= 8n) buf[i] = Number(n & 0xffn);
  return digestToHex(keccak_256(buf));
}

/** One task's part of a batch. */
export interface BatchTask {
  taskIndex: number;
  /** Block whose operator state signs the task. */
  referenceBlock: number;
  /** Ascending quorum numbers. */
  quorumNumbers: readonly number[];
  /** Threshold per quorum (integer percent), aligned with quorumNumbers. */
  thresholdPercentages: readonly number[];
  /** The digest a single-task signature would sign (on the project's TaskManager: keccak256(abi.encode(response))). */
  responseDigest: Digest;
}

/** A batch ready to be signed: its tasks in leaf order, the root and the digest to sign. */
export interface TaskBatch {
  tasks: readonly BatchTask[];
  referenceBlock: number;
  quorumNumbers: readonly number[];
  /** Per quorum, the highest threshold of the batch's tasks: meeting it meets every task's. */
  thresholdPercentages: readonly number[];
  /** Response digests, in batch order (the Merkle leaves). */
  leaves: readonly Hex32[];
  root: Hex32;
  /** What every operator signs once for the whole batch. */
  digest: Hex32;
  /** The Merkle proof of the task at `position` (its index in `tasks`). */
  proof(position: number): Hex32[];
}

const sameNumbers = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Builds a batch. Every task must share the reference block and the quorum numbers (one
 * signature check covers them all); thresholds may differ: the batch needs the highest.
 * @throws InvalidBatchError for no tasks, a task index twice, a different reference block or
 *   quorum list, or thresholds not aligned with the quorums.
 */
export function buildTaskBatch(tasks: readonly BatchTask[]): TaskBatch {
  const first = tasks[0];
  if (first === undefined) throw new InvalidBatchError('a batch has at least one task');
  const seen = new Set<number>();
  const thresholds = first.quorumNumbers.map(() => 0);
  for (const t of tasks) {
    if (seen.has(t.taskIndex)) throw new InvalidBatchError(`task ${t.taskIndex} is in the batch twice`);
    seen.add(t.taskIndex);
    if (t.referenceBlock !== first.referenceBlock) {
      throw new InvalidBatchError(
        `task ${t.taskIndex} has reference block ${t.referenceBlock}, the batch ${first.referenceBlock}: batch them separately`,
      );
    }
    if (!sameNumbers(t.quorumNumbers, first.quorumNumbers)) {
      throw new InvalidBatchError(
        `task ${t.taskIndex} has quorums [${t.quorumNumbers}], the batch [${first.quorumNumbers}]: batch them separately`,
      );
    }
    if (t.thresholdPercentages.length !== t.quorumNumbers.length) {
      throw new InvalidBatchError(`task ${t.taskIndex}: one threshold per quorum expected`);
    }
    t.thresholdPercentages.forEach((pct, i) => {
      thresholds[i] = Math.max(thresholds[i] as number, pct);
    });
  }
  const leaves = tasks.map((t) => digestToHex(t.responseDigest));
  const root = merkleRoot(leaves);
  return {
    tasks: [...tasks],
    referenceBlock: first.referenceBlock,
    quorumNumbers: [...first.quorumNumbers],
    thresholdPercentages: thresholds,
    leaves,
    root,
    digest: batchDigest(root, tasks.length),
    proof: (position) => merkleProof(leaves, position),
  };
}

/**
 * Splits tasks into batches that can each be signed once: grouped by reference block and
 * quorum list (first-seen order kept within and across groups), at most `maxTasks` per batch.
 */
export function groupTaskBatches(tasks: readonly BatchTask[], options: { maxTasks: number }): TaskBatch[] {
  if (!Number.isInteger(options.maxTasks) || options.maxTasks < 1) {
    throw new InvalidBatchError(`maxTasks must be a positive integer, got ${options.maxTasks}`);
  }
  const groups = new Map<string, BatchTask[]>();
  for (const t of tasks) {
    const key = `${t.referenceBlock}:${t.quorumNumbers.join(',')}`;
    const group = groups.get(key);
    if (group) group.push(t);
    else groups.set(key, [t]);
  }
  const out: TaskBatch[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += options.maxTasks) {
      out.push(buildTaskBatch(group.slice(i, i + options.maxTasks)));
    }
  }
  return out;
}

/**
 * The aggregation-service parameters for a batch (`BlsAggregationService.initializeTask`): one
 * aggregation per batch, over `batch.digest`, at the highest threshold of its tasks. The index
 * is the service's key for it: keep batch indexes apart from single-task indexes in one service.
 */
export function batchTaskParams(
  batch: TaskBatch,
  options: { aggregationIndex: number; expiry: TaskParams['expiry']; windowMs?: number },
): TaskParams {
  return {
    taskIndex: options.aggregationIndex,
    referenceBlock: batch.referenceBlock,
    quorumNumbers: batch.quorumNumbers,
    thresholdPercentages: batch.thresholdPercentages,
    expiry: options.expiry,
    ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }),
  };
}
