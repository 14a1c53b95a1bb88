import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('follower restart', () => {
  it('a follower that was down while the log was compacted catches up from a snapshot', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 60, snapshotEntries: 4 });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const follower = c.operators.find((o) => o !== leader)!;
    await c.kill(follower);
    const lastBeforeDown = follower.storage.lastIndex();
    c.net.heal();
    c.net.isolate(follower.address);
    const sent: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { taskIndexes } = await c.sendRequest(10 + i);
      sent.push(...taskIndexes);
    }
    const alive = c.running();
    await c.waitFor(
      () => sent.every((i) => alive.every((o) => o.engine.task(i)?.status === 'submitted')),
      'tasks done without the follower',
    );
    // The leader's log no longer holds what the follower is missing: only a snapshot can catch it up.
    await c.waitFor(() => leader.storage.firstIndex() > lastBeforeDown + 1, 'the leader to compact its log');

    await c.restart(follower);
    await c.waitFor(
      () => sent.every((i) => follower.engine.task(i)?.status === 'submitted'),
      'the restarted follower to know every task',
    );
    expect(follower.storage.firstIndex()).toBeGreaterThan(lastBeforeDown + 1);
    const fromLeader = sent.map((i) => leader.engine.task(i));
    expect(sent.map((i) => follower.engine.task(i))).toEqual(fromLeader);
    // And it takes part again: with it back, a task reaches all three signatures.
    const { taskIndexes } = await c.sendRequest(99);
    await c.waitFor(
      () => follower.engine.task(taskIndexes[0]!)?.status === 'submitted',
      'a new task on the restarted follower',
    );
  });

  it('a restarted node replays its own log and does not answer finished tasks again', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const { taskIndexes } = await c.sendRequest(4);
    await c.waitFor(
      () => c.operators.every((o) => o.engine.task(taskIndexes[0]!)?.status === 'submitted'),
      'first task done',
    );
    const follower = c.operators.find((o) => o !== c.leader())!;
    const callsBefore = c.net.calls.submitResponses;
    await c.kill(follower);
    await c.restart(follower);
    await c.waitFor(() => follower.engine.task(taskIndexes[0]!)?.status === 'submitted', 'replayed state');
    await c.waitFor(() => follower.engine.status().leaderId !== '', 'a known leader');
    expect(follower.engine.status().pendingResponses).toBe(0);
    expect(c.net.calls.submitResponses).toBe(callsBefore);
  });
});
