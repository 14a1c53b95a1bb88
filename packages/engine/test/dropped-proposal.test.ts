/**
 * The leader's proposals that Raft drops are retried while it still leads the
 * term. Reproduction: a leadership transfer to an unreachable voter is in
 * progress (Raft refuses new entries, `transfer-in-progress`) exactly when the
 * aggregation reaches its threshold; the transfer then aborts and the same
 * leader carries on. Before the fix the `task.aggregated` proposal was
 * reported and forgotten (the aggregation service reports a result once), so
 * the task stayed pending until its deadline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from './support/cluster.js';
import { waitFor } from './support/wait-for.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('a proposal dropped during an aborted leadership transfer', () => {
  it('is retried: the task is aggregated and submitted by the same leader, once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let computing = 0;
    cluster = new Cluster({
      size: 3,
      thresholdPercentage: 60,
      callbacks: {
        // Every operator waits here until the transfer has started.
        onTaskRequest: async (request, tasks) => {
          computing += 1;
          await gate;
          return tasks.map((t) => ({
            taskIndex: t.taskIndex,
            number: request.numberToBeSquared,
            numberSquared: String(BigInt(request.numberToBeSquared) ** 2n),
          }));
        },
      },
    });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const [, target] = c.operators.filter((o) => o !== leader);
    // The transfer target is cut off: the transfer cannot complete and aborts after an election timeout.
    c.net.isolate(target!.address);
    const { taskIndexes } = await c.sendRequest(7);
    const taskIndex = taskIndexes[0]!;
    await c.waitFor(() => computing >= 2, 'the leader and the reachable follower to start answering');
    const election = leader.engine.triggerElection(target!.address);
    release();
    // Only 1 ms steps (the transfer aborts after 100 ms): the threshold is met while the transfer is on.
    await waitFor(
      c.clock,
      () =>
        c.errors.some(
          (e) =>
            e.context === 'proposing task.aggregated' && String(e.error).includes('transfer-in-progress'),
        ),
      { what: 'the task.aggregated proposal to be dropped by the transfer', stepMs: 1, maxSteps: 90 },
    );
    const result = await c.drive(election, 'the transfer to end');
    expect(result.ok).toBe(false);
    expect(c.leader()).toBe(leader);
    c.net.heal();
    await c.waitFor(
      () => c.operators.every((o) => o.engine.task(taskIndex)?.status === 'submitted'),
      'the task to be submitted (well before its 60 s deadline)',
      2_000,
    );
    expect(c.chain.responses().filter((r) => r.taskIndex === taskIndex)).toHaveLength(1);
  });
});
