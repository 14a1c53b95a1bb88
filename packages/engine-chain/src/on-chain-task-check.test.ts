import { type CreatedTask, RpcUnavailableError, TaskNotFoundError } from '@avs/chain';
import type { TaskMeta } from '@avs/engine';
import { describe, expect, it } from 'vitest';
import { onChainTaskCheck, type TaskReader } from './on-chain-task-check.js';

const HASH = `0x${'ab'.repeat(32)}`;
const created: CreatedTask = {
  taskIndex: 3,
  task: { payloadHash: HASH, referenceBlockNumber: 10, quorumThresholdPercentage: 67, quorumNumbers: [0, 1] },
  blockNumber: 11,
  transactionHash: `0x${'00'.repeat(32)}`,
};
const meta: TaskMeta = {
  taskIndex: 3,
  referenceBlock: 10,
  quorumNumbers: [0, 1],
  thresholdPercentages: [67, 67],
  expiresAtMs: 1_000,
};

/** A reader that fails `failures` times with `error`, then answers. */
function flaky(failures: number, error: unknown): TaskReader & { calls: number } {
  const reader = {
    calls: 0,
    async getTask(taskIndex: number) {
      reader.calls++;
      if (reader.calls <= failures) throw error;
      if (taskIndex !== created.taskIndex) throw new TaskNotFoundError(`no task ${taskIndex}`);
      return created;
    },
  };
  return reader;
}

const fast = { retryDelayMs: 1 };

describe('onChainTaskCheck', () => {
  it('accepts a request matching the on-chain task, payload hashes included', async () => {
    const check = onChainTaskCheck<string[]>(flaky(0, null), { ...fast, payloadHashesOf: (r) => r });
    expect(await check([HASH], [meta])).toBe(true);
  });

  it('refuses another threshold, block, quorum set, payload, payload count, or a missing task', async () => {
    const check = onChainTaskCheck<string[]>(flaky(0, null), { ...fast, payloadHashesOf: (r) => r });
    expect(await check([HASH], [{ ...meta, thresholdPercentages: [67, 50] }])).toBe(false);
    expect(await check([HASH], [{ ...meta, thresholdPercentages: [67] }])).toBe(false);
    expect(await check([HASH], [{ ...meta, referenceBlock: 9 }])).toBe(false);
    expect(await check([HASH], [{ ...meta, quorumNumbers: [0] }])).toBe(false);
    expect(await check([`0x${'cd'.repeat(32)}`], [meta])).toBe(false);
    expect(await check([HASH, HASH], [meta])).toBe(false);
    expect(await check([HASH], [{ ...meta, taskIndex: 4 }])).toBe(false);
  });

  it('retries a failed read and then answers', async () => {
    const reader = flaky(2, new RpcUnavailableError('down'));
    expect(await onChainTaskCheck(reader, fast)(undefined, [meta])).toBe(true);
    expect(reader.calls).toBe(3);
  });

  it('never swallows an RPC failure: it rejects once the retries are spent', async () => {
    const reader = flaky(100, new RpcUnavailableError('down'));
    await expect(onChainTaskCheck(reader, { ...fast, retries: 2 })(undefined, [meta])).rejects.toBeInstanceOf(
      RpcUnavailableError,
    );
    expect(reader.calls).toBe(3);
  });
});
