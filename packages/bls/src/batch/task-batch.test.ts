import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { digestToHex } from '../digest.js';
import { verifyMerkleProof } from './merkle.js';
import {
  BATCH_DIGEST_TAG,
  type BatchTask,
  batchDigest,
  buildTaskBatch,
  groupTaskBatches,
} from './task-batch.js';

const task = (taskIndex: number, over: Partial<BatchTask> = {}): BatchTask => ({
  taskIndex,
  referenceBlock: 10,
  quorumNumbers: [0, 1],
  thresholdPercentages: [67, 50],
  responseDigest: keccak_256(utf8ToBytes(`response ${taskIndex}`)),
  ...over,
});

describe('batch digest', () => {
  it('is keccak256(abi.encode(tag, root, uint256 count))', () => {
    const root = digestToHex(keccak_256(utf8ToBytes('root')));
    const words = `${BATCH_DIGEST_TAG.slice(2)}${root.slice(2)}${(300).toString(16).padStart(64, '0')}`;
    expect(batchDigest(root, 300)).toBe(`0x${bytesToHex(keccak_256(hexToBytes(words)))}`);
    expect(BATCH_DIGEST_TAG).toBe(
      digestToHex(keccak_256(utf8ToBytes('avs-raft.TaskManager.respondToBatch.v1'))),
    );
    // The count is signed: the same root with another count is another message.
    expect(batchDigest(root, 3)).not.toBe(batchDigest(root, 4));
    expect(() => batchDigest(root, 0)).toThrow(expect.objectContaining({ code: 'INVALID_BATCH' }));
  });
});

describe('buildTaskBatch', () => {
  it('commits to every response, proves each, and needs the highest threshold per quorum', () => {
    const tasks = [
      task(4),
      task(5, { thresholdPercentages: [50, 90] }),
      task(9, { thresholdPercentages: [100, 10] }),
    ];
    const batch = buildTaskBatch(tasks);
    expect(batch.thresholdPercentages).toEqual([100, 90]);
    expect(batch.referenceBlock).toBe(10);
    expect(batch.quorumNumbers).toEqual([0, 1]);
    expect(batch.digest).toBe(batchDigest(batch.root, 3));
    tasks.forEach((t, i) => {
      expect(verifyMerkleProof(t.responseDigest, i, 3, batch.proof(i), batch.root)).toBe(true);
    });
    // Another response for any task changes the digest every operator signs.
    const other = buildTaskBatch([
      tasks[0]!,
      { ...tasks[1]!, responseDigest: keccak_256(utf8ToBytes('x')) },
      tasks[2]!,
    ]);
    expect(other.digest).not.toBe(batch.digest);
  });

  it('refuses tasks that cannot share one signature check, duplicates and empty batches', () => {
    const code = { code: 'INVALID_BATCH' };
    expect(() => buildTaskBatch([])).toThrow(expect.objectContaining(code));
    expect(() => buildTaskBatch([task(1), task(1)])).toThrow(/twice/);
    expect(() =>
      buildTaskBatch([task(1), task(2, { quorumNumbers: [0], thresholdPercentages: [67] })]),
    ).toThrow(/quorums \[0\], the batch \[0,1\]/);
    expect(() => buildTaskBatch([task(1), task(2, { referenceBlock: 11 })])).toThrow(/reference block 11/);
    expect(() => buildTaskBatch([task(1, { thresholdPercentages: [67] })])).toThrow(
      /one threshold per quorum/,
    );
  });
});

describe('groupTaskBatches', () => {
  it('groups tasks with different quorums or reference blocks apart, in first-seen order, capped in size', () => {
    const tasks = [
      task(1),
      task(2, { quorumNumbers: [0], thresholdPercentages: [60] }),
      task(3),
      task(4, { referenceBlock: 11 }),
      task(5),
      task(6, { quorumNumbers: [0], thresholdPercentages: [90] }),
    ];
    const batches = groupTaskBatches(tasks, { maxTasks: 2 });
    expect(batches.map((b) => b.tasks.map((t) => t.taskIndex))).toEqual([[1, 3], [5], [2, 6], [4]]);
    expect(batches[2]!.thresholdPercentages).toEqual([90]);
    expect(() => groupTaskBatches(tasks, { maxTasks: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_BATCH' }),
    );
  });
});
