import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSubmission } from '../src/index.js';
import { Cluster } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A gate the first matching submission waits at until released. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((r) => {
    release = r;
  });
  let hit: TaskSubmission | undefined;
  return {
    once: (s: TaskSubmission) => {
      if (hit) return Promise.resolve();
      hit = s;
      return opened;
    },
    get hit() {
      return hit;
    },
    release: () => release(),
  };
}

describe('leader failover (5 engines, 60% threshold)', () => {
  it('a leader killed after aggregating but before submitting: the new leader submits, exactly once', async () => {
    cluster = new Cluster({ size: 5, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const g = gate();
    c.chain.hooks.beforeLanding = g.once;
    const old = c.leader()!;
    const { taskIndexes } = await c.sendRequest(12);
    const taskIndex = taskIndexes[0]!;
    await c.waitFor(() => g.hit !== undefined, 'the leader to start submitting');
    await c.waitFor(
      () => c.operators.every((o) => o.engine.task(taskIndex)?.status === 'aggregated'),
      'the aggregate to be replicated',
    );
    await c.kill(old);
    await c.waitFor(() => c.leader() !== undefined && c.leader() !== old, 'a new leader');
    const alive = c.running();
    await c.waitFor(
      () => alive.every((o) => o.engine.task(taskIndex)?.status === 'submitted'),
      'the new leader to submit',
    );
    // The old leader's transaction still lands late (it was in flight): the contract refuses it.
    g.release();
    await c.waitFor(() => c.chain.duplicateSubmissions === 1, 'the late duplicate to be refused');
    expect(c.chain.responses().filter((r) => r.taskIndex === taskIndex)).toHaveLength(1);
    const tx = c.chain.response(taskIndex)!.txHash;
    for (const o of alive) expect(o.engine.task(taskIndex)?.submission?.txHash).toBe(tx);
  });

  it('a leader killed after its response landed but before recording it: the new leader finds it on-chain', async () => {
    cluster = new Cluster({ size: 5, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const g = gate();
    c.chain.hooks.afterLanding = g.once;
    const old = c.leader()!;
    const { taskIndexes } = await c.sendRequest(5);
    const taskIndex = taskIndexes[0]!;
    await c.waitFor(() => c.chain.response(taskIndex) !== undefined, 'the response to land');
    await c.kill(old);
    g.release();
    await c.waitFor(() => c.leader() !== undefined, 'a new leader');
    const alive = c.running();
    await c.waitFor(
      () => alive.every((o) => o.engine.task(taskIndex)?.status === 'submitted'),
      'the task to be recorded as submitted',
    );
    expect(c.chain.duplicateSubmissions).toBe(0);
    for (const o of alive)
      expect(o.engine.task(taskIndex)?.submission?.txHash).toBe(c.chain.response(taskIndex)!.txHash);
  });

  it('leaders killed one after another while tasks are in flight: every task gets exactly one response', async () => {
    cluster = new Cluster({ size: 5, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const sent: number[] = [];
    for (let round = 0; round < 2; round++) {
      const { taskIndexes } = await c.sendRequest(round + 2, 2);
      sent.push(...taskIndexes);
      await c.kill(c.leader()!);
      c.net.heal();
      for (const o of c.operators) if (o.engine.status().closed) c.net.isolate(o.address);
      await c.waitFor(() => c.leader() !== undefined, `leader after kill ${round}`);
    }
    const alive = c.running();
    await c.waitFor(
      () => sent.every((i) => alive.every((o) => o.engine.task(i)?.status === 'submitted')),
      'every task submitted',
    );
    for (const i of sent) expect(c.chain.responses().filter((r) => r.taskIndex === i)).toHaveLength(1);
    expect(c.chain.invalidSubmissions).toBe(0);
  });
});
