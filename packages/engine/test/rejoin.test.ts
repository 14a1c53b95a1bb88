/**
 * A member restarted from its data while no leader can be reached (the
 * failover a devnet chaos run hit: the leader was killed, the join target
 * partitioned or leaderless) must come back without a join round trip. Before
 * the fix the restarted operator asked to join again, the call failed
 * (unreachable member, or "no leader is known") and its startup failed with
 * it, so the cluster lost a voter for good.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryUrl } from '../src/index.js';
import { Cluster } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('a member restarted from its data during a failover', () => {
  it('rejoins through its log, without a join call, and the cluster elects a leader with it', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const [a, b] = c.operators.filter((o) => o !== leader);
    // b crashes, then the leader too: a alone cannot elect anyone.
    await c.kill(b!);
    await c.kill(leader);
    c.net.heal();
    c.net.isolate(leader.address);
    b!.engine = c.makeEngine(b!);
    const joinsBefore = c.net.calls.join;
    // Its join URL is the dead leader's: a join call could only fail.
    const result = await c.drive(
      b!.engine.joinExistingOperatorCluster(memoryUrl(leader.address)),
      'the restarted member to start',
    );
    expect(result.role).toBe('voter');
    expect(c.net.calls.join).toBe(joinsBefore);
    await c.waitFor(
      () => c.leader() !== undefined && [a!, b!].includes(c.leader()!),
      'a leader among the two live members',
    );
  });
});
