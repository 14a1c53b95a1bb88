/**
 * Batches through @avs/chain on anvil: operators sign a batch digest once, the aggregation service
 * (over the on-chain reader) leaves out a bad signature by bisection and reports its signer, and
 * TaskManagerClient.submitBatch answers every task in one transaction; each answer is then
 * provable against the stored root and visible as a TaskResponded event.
 */

import { G1 } from '@avs/bls';
import { BlsAggregationService, type InvalidSignatureReport } from '@avs/bls/aggregation';
import { batchTaskParams } from '@avs/bls/batch';
import { keccak256, toUtf8Bytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CreatedTask,
  InvalidArgumentError,
  SubmissionInProgressError,
  TaskAlreadyRespondedError,
  taskBatchOf,
  taskResponseDigest,
} from '../src/index.js';
import { type AvsNetwork, aggregateFor, startAvsNetwork } from './support/avs-network.js';

let net: AvsNetwork;

beforeAll(async () => {
  net = await startAvsNetwork({ count: 4, stake: 100n });
}, 120_000);

afterAll(async () => {
  await net?.close();
});

async function createTasks(tag: string, count: number, threshold = 50): Promise<CreatedTask[]> {
  return net.tasks.createTasks({
    payloadHashes: Array.from({ length: count }, (_, i) => keccak256(toUtf8Bytes(`${tag} ${i}`))),
    quorumNumbers: [0],
    quorumThresholdPercentage: threshold,
  });
}

const responsesOf = (created: CreatedTask[]) =>
  created.map((c) => ({
    referenceTaskIndex: c.taskIndex,
    result: `0x${(c.taskIndex + 7).toString(16).padStart(64, '0')}`,
  }));

describe('batches through TaskManagerClient', () => {
  it('aggregates once despite a bad signature, submits once, and every task is answered and provable', async () => {
    const created = await createTasks('client batch', 8, 75);
    const responses = responsesOf(created);
    const batch = taskBatchOf(
      created.map((c) => c.task),
      responses,
    );
    const service = new BlsAggregationService({ operatorState: net.reader });
    const invalid: InvalidSignatureReport[] = [];
    service.onInvalidSignature((r) => invalid.push(r));
    await service.initializeTask(
      batchTaskParams(batch, { aggregationIndex: 1, expiry: { afterMs: 30_000 } }),
    );
    const [bad, ...good] = net.operators;
    // The bad one first: with it the first three reach 75%, the check fails, bisection drops it.
    await service.processSignature({
      taskIndex: 1,
      digest: batch.digest,
      signature: bad!.key.sign(batch.digest).add(G1.BASE),
      operatorId: bad!.key.operatorId,
    });
    for (const op of good) {
      await service.processSignature({
        taskIndex: 1,
        digest: batch.digest,
        signature: op.key.sign(batch.digest),
        operatorId: op.key.operatorId,
      });
    }
    const result = await service.resultOf(1);
    service.close();
    expect(result.status).toBe('aggregated');
    if (result.status !== 'aggregated') return;
    expect(invalid.map((r) => r.operatorId)).toEqual([bad!.key.operatorId]);

    const submitted = await net.tasks.submitBatch(
      created.map((c) => c.task),
      responses,
      result,
    );
    expect(submitted.root).toBe(batch.root);
    for (const [i, c] of created.entries()) {
      expect(await net.tasks.isResponded(c.taskIndex)).toBe(true);
      expect(await net.tasks.verifyBatchResponse(submitted.batchId, responses[i]!, i, batch.proof(i))).toBe(
        true,
      );
      const seen = await net.tasks.getResponse(c.taskIndex);
      expect(seen?.response).toEqual(responses[i]);
      expect(seen?.transactionHash).toBe(submitted.transactionHash);
    }
    expect(await net.tasks.verifyBatchResponse(submitted.batchId, responses[0]!, 1, batch.proof(1))).toBe(
      false,
    );
    // Submitted again (as a second leader would): refused, naming a task.
    await expect(
      net.tasks.submitBatch(
        created.map((c) => c.task),
        responses,
        result,
      ),
    ).rejects.toBeInstanceOf(TaskAlreadyRespondedError);
  });

  it('refuses an aggregate of something else, mixed quorums or lengths, and a batch already in flight', async () => {
    const created = await createTasks('client refusals', 2);
    const tasks = created.map((c) => c.task);
    const responses = responsesOf(created);
    const signers = net.operators.map((o) => o.key);
    // An aggregate of task 0's single-response digest is not the batch's.
    const single = await aggregateFor(net, 0, tasks[0]!, taskResponseDigest(responses[0]!), signers);
    await expect(net.tasks.submitBatch(tasks, responses, single)).rejects.toThrow(/batch digest/);
    await expect(net.tasks.submitBatch(tasks, responses.slice(0, 1), single)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const otherQuorums = [tasks[0]!, { ...tasks[1]!, quorumNumbers: [0, 1] }];
    await expect(net.tasks.submitBatch(otherQuorums, responses, single)).rejects.toThrow(
      /batch them separately/,
    );
    // Two submissions of overlapping batches from one client: the second is refused at once.
    const batch = taskBatchOf(tasks, responses);
    const aggregate = await aggregateFor(net, 0, tasks[0]!, batch.digest, signers);
    const lastOnly = taskBatchOf(tasks.slice(1), responses.slice(1));
    const lastAggregate = await aggregateFor(net, 0, tasks[1]!, lastOnly.digest, signers);
    const first = net.tasks.submitBatch(tasks, responses, aggregate);
    const second = net.tasks.submitBatch(tasks.slice(1), responses.slice(1), lastAggregate);
    await expect(second).rejects.toBeInstanceOf(SubmissionInProgressError);
    expect((await first).root).toBe(batch.root);
  });
});
