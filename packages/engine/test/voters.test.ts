import { MemoryStorage } from '@avs/raft-core';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryUrl } from '../src/index.js';
import { Cluster, type Operator } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sorted = (ids: readonly string[]) => [...ids].sort();
const addresses = (ops: readonly Operator[]) => sorted(ops.map((o) => o.address));

/** Voter counts the leader's configuration went through, sampled on every simulated step. */
function watchVoterCount(c: Cluster): { min: number } {
  const seen = { min: Number.POSITIVE_INFINITY };
  const sample = () => {
    const n = c.leader()?.engine.status().voters.length;
    if (n !== undefined) seen.min = Math.min(seen.min, n);
  };
  const original = c.clock.advance.bind(c.clock);
  c.clock.advance = async (ms: number) => {
    await original(ms);
    sample();
  };
  return seen;
}

describe('voter cap (maxVoters)', () => {
  it('7 operators with maxVoters 3: 3 voters, 4 learners, and the learners sign tasks that need their stake', async () => {
    // 67% of 700 needs 5 signers: the task only completes with at least two learners' signatures.
    cluster = new Cluster({ size: 7, thresholdPercentage: 67, config: { maxVoters: 3 } });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    await c.waitFor(() => leader.engine.status().learners.length === 4, 'four learners');
    expect(leader.engine.status().voters).toHaveLength(3);
    expect(leader.engine.status().maxVoters).toBe(3);
    // Free seats were taken in join order: the founder and the first two joiners.
    expect(sorted(leader.engine.status().voters)).toEqual(addresses(c.operators.slice(0, 3)));
    await c.waitFor(
      () => c.operators.every((o) => o.engine.status().learners.length === 4),
      'every node to see the configuration',
    );
    // Learners do not campaign: the autopilot makes no step in a settled configuration.
    expect(await c.drive(leader.engine.reviewVoters(), 'review')).toBeUndefined();

    const { taskIndexes } = await c.sendRequest(6);
    const index = taskIndexes[0]!;
    await c.waitFor(() => c.chain.response(index) !== undefined, 'the task answered on-chain');
    // The aggregate the chain accepted (it checks the signed stake against 67%) counts learners' signatures.
    const signers = new Set(leader.engine.task(index)?.aggregate?.signers.map((x) => x.toLowerCase()));
    expect(signers.size).toBeGreaterThanOrEqual(5);
    const learnerSigners = c.operators.filter(
      (o) =>
        leader.engine.status().learners.includes(o.address) && signers.has(o.bls.operatorId.toLowerCase()),
    );
    expect(learnerSigners.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses an even or out-of-range maxVoters with a clear error', () => {
    expect(() => new Cluster({ size: 1, config: { maxVoters: 4 } })).toThrow(
      /config\.maxVoters: must be odd/,
    );
    expect(() => new Cluster({ size: 1, config: { maxVoters: 0 } })).toThrow(/config\.maxVoters/);
  });
});

describe('autopilot replacement', () => {
  it('an unreachable voter is replaced by the learner with the most stake, never leaving fewer than 3 voters', async () => {
    // Learners 3..5 have stakes 150, 400, 250: operator 4 is the replacement.
    const stakes = [100n, 100n, 100n, 150n, 400n, 250n];
    cluster = new Cluster({
      size: 6,
      thresholdPercentage: 50,
      config: { maxVoters: 3, voterUnreachableMs: 2_000, autopilotIntervalMs: 100 },
      stakesOf: (i) => ({ 0: stakes[i]! }),
    });
    const c = cluster;
    await c.start();
    const founder = c.operators[0]!;
    await c.waitFor(() => founder.engine.status().learners.length === 3, 'three learners');
    const seen = watchVoterCount(c);
    const lost = c.operators.find(
      (o) => o !== c.leader() && founder.engine.status().voters.includes(o.address),
    )!;
    const demoted: string[] = [];
    let demotedAt = 0;
    c.leader()!.engine.on('member-demoted', (e) => {
      demoted.push(e.id);
      demotedAt = c.clock.now();
    });
    const lostAt = c.clock.now();
    await c.kill(lost);
    // The leader's status shows how long it has not heard from the lost voter.
    await c.waitFor(
      () => (c.leader()?.engine.status().lastContactMs[lost.address] ?? 0) >= 1_000,
      'the lost voter silent for a second',
    );
    const live = c.leader()!.engine.status();
    expect(live.lastContactMs[live.id]).toBe(0);
    const replacement = c.operators[4]!;
    await c.waitFor(() => {
      const st = c.leader()?.engine.status();
      return st?.voters.includes(replacement.address) === true && !st.voters.includes(lost.address);
    }, 'operator 4 to replace the lost voter');
    expect(demoted).toEqual([lost.address]);
    expect(c.leader()!.engine.status().learners).toContain(lost.address);
    expect(seen.min).toBeGreaterThanOrEqual(3);
    // Simulated time: not before voterUnreachableMs, and within a few autopilot rounds after it.
    expect(demotedAt - lostAt).toBeGreaterThanOrEqual(2_000);
    expect(demotedAt - lostAt).toBeLessThanOrEqual(3_000);
    const { taskIndexes } = await c.sendRequest(4);
    await c.waitFor(() => c.chain.response(taskIndexes[0]!) !== undefined, 'a task after the replacement');
  });

  it('a voter that loses its stake is replaced (promotion first, then demotion); a deregistered one is removed and its seat refilled', async () => {
    const stakes = [300n, 200n, 100n, 50n, 60n];
    cluster = new Cluster({
      size: 5,
      thresholdPercentage: 50,
      config: { maxVoters: 3, autopilotIntervalMs: 100 },
      stakesOf: (i) => ({ 0: stakes[i]! }),
    });
    const c = cluster;
    await c.start();
    const [, one, two, three, four] = c.operators as [Operator, Operator, Operator, Operator, Operator];
    const leader = c.leader()!;
    expect(leader).toBe(c.operators[0]);
    await c.waitFor(() => leader.engine.status().learners.length === 2, 'two learners');
    const seen = watchVoterCount(c);

    // Stake withdrawn: below minimumStake. The richer learner (60) takes the seat.
    c.chain.setStake(two.address, 0, 0n);
    c.chain.mine();
    await c.waitFor(
      () => sorted(leader.engine.status().voters).join() === addresses([leader, one, four]).join(),
      'operator 4 to replace operator 2',
    );
    expect(leader.engine.status().learners).toContain(two.address);
    expect(seen.min).toBeGreaterThanOrEqual(3);

    // Deregistered: removed by the membership check, and the free seat goes to the next learner.
    c.chain.deregisterOperator(one.address);
    const removed = await c.drive(leader.engine.checkMembership(), 'membership check');
    expect(removed).toContain(one.address);
    await c.waitFor(
      () => sorted(leader.engine.status().voters).join() === addresses([leader, three, four]).join(),
      'operator 3 to take the free seat',
    );
    expect(seen.min).toBeGreaterThanOrEqual(2);
  });
});

describe('the leader loses its stake', () => {
  it('its replacement is promoted, it hands leadership off, and the next leader demotes it', async () => {
    cluster = new Cluster({
      size: 4,
      thresholdPercentage: 50,
      config: { maxVoters: 3, autopilotIntervalMs: 100 },
    });
    const c = cluster;
    await c.start();
    const [founder, , , fourth] = c.operators as [Operator, Operator, Operator, Operator];
    expect(c.leader()).toBe(founder);
    await c.waitFor(() => founder.engine.status().learners.includes(fourth.address), 'a learner');
    const seen = watchVoterCount(c);
    c.chain.setStake(founder.address, 0, 0n);
    c.chain.mine();
    await c.waitFor(() => {
      const leader = c.leader();
      const st = leader?.engine.status();
      return (
        leader !== undefined &&
        leader !== founder &&
        st?.voters.length === 3 &&
        st.voters.includes(fourth.address) &&
        st.learners.includes(founder.address)
      );
    }, 'another leader, the learner promoted and the old leader demoted');
    expect(seen.min).toBeGreaterThanOrEqual(3);
    const { taskIndexes } = await c.sendRequest(9);
    await c.waitFor(() => c.chain.response(taskIndexes[0]!) !== undefined, 'a task afterwards');
  });
});

describe('periodic membership check', () => {
  it('the leader removes a deregistered member every membershipCheckIntervalMs, without being asked', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 50, config: { membershipCheckIntervalMs: 500 } });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const gone = c.operators.find((o) => o !== leader)!;
    c.chain.deregisterOperator(gone.address);
    await c.waitFor(
      () =>
        !leader.engine.status().voters.includes(gone.address) &&
        !leader.engine.status().members.includes(gone.address),
      'the deregistered member to be removed',
    );
  });
});

describe('quorum loss (force-new-cluster)', () => {
  it('3 voters, 2 lost for good: the survivor is recovered, fresh operators join, tasks flow again', async () => {
    const { forceNewCluster } = await import('../src/index.js');
    cluster = new Cluster({ size: 3, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const first = await c.sendRequest(2);
    await c.waitFor(() => c.chain.response(first.taskIndexes[0]!) !== undefined, 'a task before the loss');
    const [survivor, lostA, lostB] = c.operators as [Operator, Operator, Operator];
    await c.kill(lostA);
    await c.kill(lostB);
    // Without a quorum the survivor cannot lead.
    await c.waitFor(() => survivor.engine.status().role !== 'leader', 'the survivor to lose leadership');
    await c.drive(survivor.engine.close(), 'stop the survivor');

    const result = await c.drive(
      forceNewCluster({ storage: survivor.storage, id: survivor.address }),
      'force-new-cluster',
    );
    expect(result.confState.voters).toEqual([survivor.address]);
    expect(sorted(result.removedMembers)).toEqual(addresses([lostA, lostB]));

    await c.restart(survivor);
    await c.waitFor(() => survivor.engine.status().role === 'leader', 'the survivor to lead alone');
    expect(survivor.engine.status().voters).toEqual([survivor.address]);
    // The task answered before the loss is still known: committed state was kept.
    expect(survivor.engine.task(first.taskIndexes[0]!)?.status).toBe('submitted');

    // The lost operators come back with fresh storage and join again.
    for (const op of [lostA, lostB]) {
      op.storage = new MemoryStorage();
      op.engine = c.makeEngine(op);
      const joined = await c.drive(
        op.engine.joinExistingOperatorCluster(memoryUrl(survivor.address)),
        `rejoin of ${op.index}`,
      );
      expect(joined.role).toBe('voter');
    }
    await c.waitFor(() => survivor.engine.status().voters.length === 3, 'three voters again');
    const after = await c.sendRequest(5);
    await c.waitFor(() => c.chain.response(after.taskIndexes[0]!) !== undefined, 'a task after recovery');
  });

  it('keepLearners: live learners keep their storage, get the new configuration, and fill the voter seats', async () => {
    const { forceNewCluster } = await import('../src/index.js');
    cluster = new Cluster({ size: 5, thresholdPercentage: 60, config: { maxVoters: 3 } });
    const c = cluster;
    await c.start();
    const first = c.operators[0]!;
    await c.waitFor(() => first.engine.status().learners.length === 2, 'two learners');
    const voters = c.operators.filter((o) => first.engine.status().voters.includes(o.address));
    const learners = c.operators.filter((o) => !voters.includes(o));
    const [survivor, ...lost] = voters as [Operator, Operator, Operator];
    for (const op of lost) await c.kill(op);
    await c.drive(survivor.engine.close(), 'stop the survivor');
    await c.drive(
      forceNewCluster({
        storage: survivor.storage,
        id: survivor.address,
        keepLearners: learners.map((l) => l.address),
      }),
      'force-new-cluster',
    );
    await c.restart(survivor);
    for (const op of lost) c.net.isolate(op.address);
    await c.waitFor(
      () =>
        survivor.engine.status().voters.length === 3 &&
        learners.every((l) => survivor.engine.status().voters.includes(l.address)),
      'the kept learners to become voters',
    );
    // The learners took the new configuration from the snapshot (not their old log's).
    await c.waitFor(
      () =>
        learners.every(
          (l) => sorted(l.engine.status().voters).join() === sorted(survivor.engine.status().voters).join(),
        ),
      'every node to agree on the voters',
    );
    const after = await c.sendRequest(8);
    await c.waitFor(() => c.chain.response(after.taskIndexes[0]!) !== undefined, 'a task after recovery');
  });

  it('refuses storage that was never part of a cluster', async () => {
    const { forceNewCluster } = await import('../src/index.js');
    await expect(
      forceNewCluster({ storage: new MemoryStorage(), id: '0x00000000000000000000000000000000000000aa' }),
    ).rejects.toMatchObject({ code: 'RECOVERY_REFUSED' });
  });
});
