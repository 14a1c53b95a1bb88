import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('task round trip (3 engines, in memory)', () => {
  it('aggregates every operator signature, leader included, and submits once on-chain', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 67 });
    await cluster.start();
    const c = cluster;
    expect(c.leader()?.engine.status().voters).toHaveLength(3);
    // The default BLS backend: WebAssembly where it loads (Node here), loaded when the engine started.
    expect(c.leader()?.engine.status().blsBackend).toBe('mcl-wasm');
    const { taskIndexes } = await c.sendRequest(7);
    const [taskIndex] = taskIndexes;
    await c.waitFor(
      () => c.operators.every((o) => o.engine.task(taskIndex!)?.status === 'submitted'),
      'the task to be submitted on every node',
    );
    const onChain = c.chain.response(taskIndex!);
    expect(onChain?.response).toMatchObject({ taskIndex, number: 7, numberSquared: '49' });
    // 3 equal stakes and a 67% threshold: only reachable if the leader signed too.
    const task = c.operators[1]!.engine.task(taskIndex!);
    expect(task?.aggregate?.signers).toHaveLength(3);
    expect(task?.submission?.txHash).toBe(onChain?.txHash);
    expect(c.chain.duplicateSubmissions).toBe(0);
    expect(c.chain.invalidSubmissions).toBe(0);
    // The leader aggregated the task itself: it submitted without looking the task up on-chain first.
    expect(c.chain.responseLookups).toBe(0);
  });
});
