/**
 * A batch signed once per operator and aggregated once, with one operator's
 * signature bad: the service finds it by bisection, leaves it out, reports its
 * signer, and still aggregates the batch; the aggregate passes the on-chain
 * check and every task's response is proven against the batch root.
 */

import { ManualClock } from '@avs/raft-core';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { BlsAggregationService } from '../src/aggregation/index.js';
import type { AggregationResult, InvalidSignatureReport } from '../src/aggregation/types.js';
import { type BatchTask, batchTaskParams, groupTaskBatches, verifyMerkleProof } from '../src/batch/index.js';
import { G1 } from '../src/curve.js';
import { operators, verifiesOnChain } from './aggregation-fixtures.js';

const responseDigest = (i: number) => keccak_256(utf8ToBytes(`response of task ${i}`));

describe('batch aggregation', () => {
  it('one bad signature among 8: excluded by bisection, reported, the batch still aggregated', async () => {
    const { provider, keys } = operators(8, () => ({ 0: 10n }));
    const service = new BlsAggregationService({ operatorState: provider, clock: new ManualClock() });
    const invalid: InvalidSignatureReport[] = [];
    service.onInvalidSignature((r) => invalid.push(r));
    const tasks: BatchTask[] = Array.from({ length: 16 }, (_, i) => ({
      taskIndex: 100 + i,
      referenceBlock: 5,
      quorumNumbers: [0],
      thresholdPercentages: [i === 3 ? 75 : 50], // the batch needs the highest: 75%
      responseDigest: responseDigest(i),
    }));
    const [batch, ...rest] = groupTaskBatches(tasks, { maxTasks: 64 });
    expect(rest).toEqual([]);
    await service.initializeTask(
      batchTaskParams(batch!, { aggregationIndex: 1, expiry: { afterMs: 60_000 } }),
    );
    // Operator 2's signature is bad (it signs nothing); it arrives first.
    const bad = 2;
    // With it, six signatures reach 75%: the check fails, bisection drops it, operator 6's completes.
    for (const i of [bad, 0, 1, 3, 4, 5, 6]) {
      const sig = keys[i]!.sign(batch!.digest);
      await service.processSignature({
        taskIndex: 1,
        digest: batch!.digest,
        signature: i === bad ? sig.add(G1.BASE) : sig,
        operatorId: keys[i]!.operatorId,
      });
    }
    const result: AggregationResult = await service.resultOf(1);
    expect(result.status).toBe('aggregated');
    if (result.status !== 'aggregated') return;
    expect(invalid).toEqual([{ taskIndex: 1, operatorId: keys[bad]!.operatorId, digest: batch!.digest }]);
    expect(result.digest).toBe(batch!.digest);
    expect(result.nonSignerOperatorIds).toContain(keys[bad]!.operatorId);
    expect(result.signerOperatorIds).not.toContain(keys[bad]!.operatorId);
    expect(result.signedStakePerQuorum).toEqual([60n]); // 6 good of 8 = 75%
    expect(verifiesOnChain(result, () => 1)).toBe(true);
    // Anyone holding a task's response can prove it was in the signed batch.
    batch!.tasks.forEach((t, i) => {
      expect(verifyMerkleProof(t.responseDigest, i, batch!.tasks.length, batch!.proof(i), batch!.root)).toBe(
        true,
      );
    });
    service.close();
  });

  it('tasks with different quorums go to separate batches, each aggregated with its own quorums', async () => {
    const { provider, keys } = operators(4, (i) => (i < 2 ? { 0: 10n } : { 0: 10n, 1: 10n }));
    const service = new BlsAggregationService({ operatorState: provider, clock: new ManualClock() });
    const tasks: BatchTask[] = [0, 1, 2, 3].map((i) => ({
      taskIndex: i,
      referenceBlock: 5,
      quorumNumbers: i % 2 === 0 ? [0] : [0, 1],
      thresholdPercentages: i % 2 === 0 ? [100] : [100, 100],
      responseDigest: responseDigest(i),
    }));
    const batches = groupTaskBatches(tasks, { maxTasks: 64 });
    expect(batches.map((b) => b.quorumNumbers)).toEqual([[0], [0, 1]]);
    for (const [n, batch] of batches.entries()) {
      await service.initializeTask(
        batchTaskParams(batch, { aggregationIndex: n, expiry: { afterMs: 60_000 } }),
      );
      for (const k of keys) {
        await service.processSignature({
          taskIndex: n,
          digest: batch.digest,
          signature: k.sign(batch.digest),
          operatorId: k.operatorId,
        });
      }
      const r = await service.resultOf(n);
      expect(r.status).toBe('aggregated');
      if (r.status === 'aggregated') {
        expect(r.quorumNumbers).toEqual(batch.quorumNumbers);
        expect(
          verifiesOnChain(r, (id) =>
            keys.findIndex((k) => k.operatorId === id) < 2 ? 1 : batch.quorumNumbers.length,
          ),
        ).toBe(true);
      }
    }
    service.close();
  });
});
