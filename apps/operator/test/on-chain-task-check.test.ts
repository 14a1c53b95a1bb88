/**
 * The follower's real on-chain task check (`validateTaskRequest`) against a
 * real anvil chain with the AVS contracts: it accepts a request that matches
 * the task as created on-chain and refuses every kind of mismatch (payload,
 * reference block, quorums, task count, a task that does not exist).
 */
import { connectAvs, createProvider, type TaskManagerClient } from '@avs/chain';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import type { TaskMeta } from '@avs/engine';
import { onChainTaskCheck } from '@avs/engine-chain';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadHash, payloadHashesOf, type TaskPayload, type TaskRequest } from '../src/avs/example-avs.js';

let chain: LocalAvs;
let provider: ReturnType<typeof createProvider>;
let taskManager: TaskManagerClient;
const payload: TaskPayload = { kind: 'square', number: '12' };
let meta: TaskMeta;

beforeAll(async () => {
  chain = await startLocalAvs({ accounts: 2, quorumCount: 1, taskResponseWindowBlocks: 1_000 });
  provider = createProvider(chain.rpcUrl, { chainId: Number(chain.deployment.chainId) });
  ({ taskManager } = connectAvs({
    provider,
    contracts: chain.deployment,
    signer: new Wallet(chain.accounts[0]!.privateKey, provider),
  }));
  const created = await taskManager.createTask({
    payloadHash: payloadHash(payload),
    quorumNumbers: [0],
    quorumThresholdPercentage: 67,
  });
  meta = {
    taskIndex: created.taskIndex,
    referenceBlock: created.task.referenceBlockNumber,
    quorumNumbers: [0],
    thresholdPercentages: [67],
    expiresAtMs: Date.now() + 60_000,
  };
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
});

describe('onChainTaskCheck on anvil', () => {
  const check = () =>
    onChainTaskCheck<TaskRequest>(taskManager, { fromBlock: chain.deployment.deployBlock, payloadHashesOf });

  it('accepts a request that matches the on-chain task', async () => {
    expect(await check()({ payloads: [payload] }, [meta])).toBe(true);
  });

  it('refuses another payload (its hash is not the one created on-chain)', async () => {
    expect(await check()({ payloads: [{ kind: 'square', number: '13' }] }, [meta])).toBe(false);
  });

  it('refuses another reference block or other quorums than the on-chain task', async () => {
    expect(
      await check()({ payloads: [payload] }, [{ ...meta, referenceBlock: meta.referenceBlock - 1 }]),
    ).toBe(false);
    expect(await check()({ payloads: [payload] }, [{ ...meta, quorumNumbers: [1] }])).toBe(false);
  });

  it('refuses another threshold than the on-chain task', async () => {
    expect(await check()({ payloads: [payload] }, [{ ...meta, thresholdPercentages: [50] }])).toBe(false);
  });

  it('refuses a task that was never created, and a payload count that does not match the tasks', async () => {
    expect(await check()({ payloads: [payload] }, [{ ...meta, taskIndex: meta.taskIndex + 100 }])).toBe(
      false,
    );
    expect(await check()({ payloads: [payload, payload] }, [meta])).toBe(false);
  });
});
