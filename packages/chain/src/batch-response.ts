/**
 * Batches for `TaskManager.respondToBatch`: the `@avs/bls/batch` batch (Merkle root of the
 * response digests, and the digest operators sign once) built from on-chain tasks and responses,
 * and the checks that an aggregate fits it.
 * @module
 */
import { buildTaskBatch, InvalidBatchError, type TaskBatch } from '@avs/bls/batch';
import { InvalidArgumentError } from './errors.js';
import {
  type Task,
  type TaskResponse,
  taskResponseDigest,
  taskResponseSchema,
  taskSchema,
} from './task-types.js';

/** The parts of an aggregate a batch check reads. */
export interface BatchAggregateHeader {
  digest: string;
  referenceBlock: number;
  quorumNumbers: readonly number[];
}

/**
 * The batch the operators sign for these tasks and responses (same order; response i answers
 * task i). Every task must share the reference block and quorums; thresholds may differ.
 * @throws InvalidArgumentError for malformed input, different lengths, a repeated task, or tasks
 *   that cannot share one signature (different reference blocks or quorums: batch them apart).
 */
export function taskBatchOf(tasks: readonly Task[], responses: readonly TaskResponse[]): TaskBatch {
  if (tasks.length === 0) throw new InvalidArgumentError('a batch needs at least one task');
  if (tasks.length !== responses.length) {
    throw new InvalidArgumentError(`${tasks.length} tasks but ${responses.length} responses`);
  }
  const items = tasks.map((task, i) => {
    const t = taskSchema.safeParse(task);
    if (!t.success) throw new InvalidArgumentError(`invalid task at ${i}: ${t.error.message}`);
    const r = taskResponseSchema.safeParse(responses[i]);
    if (!r.success) throw new InvalidArgumentError(`invalid response at ${i}: ${r.error.message}`);
    return {
      taskIndex: r.data.referenceTaskIndex,
      referenceBlock: t.data.referenceBlockNumber,
      quorumNumbers: t.data.quorumNumbers,
      thresholdPercentages: t.data.quorumNumbers.map(() => t.data.quorumThresholdPercentage),
      responseDigest: taskResponseDigest(r.data),
    };
  });
  try {
    return buildTaskBatch(items);
  } catch (error) {
    if (error instanceof InvalidBatchError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Checks that an aggregate signs this batch: its digest, reference block and quorums.
 * @throws InvalidArgumentError on any difference.
 */
export function checkBatchAggregate(batch: TaskBatch, aggregate: BatchAggregateHeader): void {
  if (aggregate.digest.toLowerCase() !== batch.digest) {
    throw new InvalidArgumentError(
      `the aggregate signs ${aggregate.digest}, the batch digest is ${batch.digest}`,
    );
  }
  if (aggregate.referenceBlock !== batch.referenceBlock) {
    throw new InvalidArgumentError(
      `the aggregate is at block ${aggregate.referenceBlock}, the batch's tasks at ${batch.referenceBlock}`,
    );
  }
  if (aggregate.quorumNumbers.join(',') !== batch.quorumNumbers.join(',')) {
    throw new InvalidArgumentError('the aggregate and the batch have different quorum numbers');
  }
}
