/**
 * The batch an operator signs and the leader checks: the `@avs/bls/batch`
 * batch of a replicated {@link BatchRecord} built from its responses, in leaf
 * order. Signer and leader run the same code over the same replicated task
 * metadata, so both reach the same digest for the same responses.
 */
import { buildTaskBatch, type Hex32, merkleProof, type TaskBatch } from '@avs/bls/batch';
import { EngineError } from '../errors.js';
import type { ProcessedResponse } from '../ports/callbacks.js';
import { WORK_ITEMS_PER_TURN, yieldToEventLoop } from '../waiting.js';
import type { BatchRecord, TaskStateMachine } from './task-state.js';

/**
 * Builds the batch of `responses` (leaf order) for `batch`.
 * @throws EngineError `BATCH_MISMATCH` when a response does not answer the task at its position,
 *   or the batch cannot be built (a task no longer known, tasks that cannot share a signature)
 */
export async function batchOfResponses<K>(
  state: TaskStateMachine,
  batch: BatchRecord,
  responses: readonly K[],
  process: (response: K) => Promise<ProcessedResponse>,
): Promise<TaskBatch> {
  if (responses.length !== batch.taskIndexes.length) {
    throw new EngineError(
      'BATCH_MISMATCH',
      `batch ${batch.batchId} has ${batch.taskIndexes.length} tasks, got ${responses.length} responses`,
    );
  }
  const items = [];
  for (const [i, response] of responses.entries()) {
    if (i > 0 && i % WORK_ITEMS_PER_TURN === 0) await yieldToEventLoop();
    const { taskIndex, digest } = await process(response);
    const expected = batch.taskIndexes[i];
    const task = state.task(taskIndex);
    if (taskIndex !== expected || !task) {
      throw new EngineError(
        'BATCH_MISMATCH',
        `response ${i} of batch ${batch.batchId} answers task ${taskIndex}, expected ${expected}`,
      );
    }
    items.push({
      taskIndex,
      referenceBlock: task.meta.referenceBlock,
      quorumNumbers: task.meta.quorumNumbers,
      thresholdPercentages: task.meta.thresholdPercentages,
      responseDigest: digest,
    });
  }
  try {
    return buildTaskBatch(items);
  } catch (cause) {
    throw new EngineError('BATCH_MISMATCH', `batch ${batch.batchId}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** A batched task's response, provable against the batch's Merkle root. */
export interface BatchProof {
  readonly batchId: number;
  readonly taskIndex: number;
  /** The task's position in the batch (its leaf). */
  readonly position: number;
  /** Tasks in the batch (leaves). */
  readonly count: number;
  /** The response digest (the leaf). */
  readonly leaf: Hex32;
  readonly root: Hex32;
  /** The batch digest the aggregate signs. */
  readonly digest: Hex32;
  /** Siblings from the leaf up to the root (`@avs/bls/batch` `verifyMerkleProof`). */
  readonly proof: Hex32[];
}

/** The proof of a batched task, once its batch is aggregated; undefined otherwise. */
export function batchProofOf(state: TaskStateMachine, taskIndex: number): BatchProof | undefined {
  const task = state.task(taskIndex);
  const batch = task?.batchId === undefined ? undefined : state.batch(task.batchId);
  if (!batch?.aggregate) return undefined;
  const position = batch.taskIndexes.indexOf(taskIndex);
  const leaves = batch.aggregate.leaves as Hex32[];
  return {
    batchId: batch.batchId,
    taskIndex,
    position,
    count: leaves.length,
    leaf: leaves[position]!,
    root: batch.aggregate.root as Hex32,
    digest: batch.aggregate.digest as Hex32,
    proof: merkleProof(leaves, position),
  };
}
