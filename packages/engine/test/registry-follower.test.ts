/**
 * Membership follows the registry's events (item 5 of #18), with the periodic
 * membership check off: a deregistered operator is removed, so is a member
 * whose stake falls below the minimum (a forged stake event removes nobody: the
 * leader re-reads the registry), a newly registered one is invited with
 * `autoInvite`, and a member's changed endpoints reach every node's replicated
 * metadata.
 */
import { BlsKeyPair } from '@avs/bls';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryUrl } from '../src/index.js';
import { Cluster, type Operator } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Three started voters following the registry's events, with `minimumStake` 50. */
async function threeVoters(): Promise<Cluster> {
  const c = new Cluster({
    size: 3,
    thresholdPercentage: 50,
    registryEvents: true,
    config: { minimumStake: '50' },
  });
  cluster = c;
  await c.start();
  await c.waitFor(() => c.leader()?.engine.status().voters.length === 3, 'three voters');
  return c;
}

/** Waits until no running node other than `gone` counts it as a voter. */
const removedEverywhere = (c: Cluster, gone: Operator, what: string) =>
  c.waitFor(
    () => c.running().every((o) => o === gone || !o.engine.status().voters.includes(gone.address)),
    what,
  );

describe('membership follows registry events', () => {
  it('removes a deregistered operator without the periodic check', async () => {
    const c = await threeVoters();
    const leaving = c.operators.find((o) => o !== c.leader())!;
    c.chain.deregisterOperator(leaving.address);
    await removedEverywhere(c, leaving, 'the deregistered operator removed everywhere');
  });

  it('removes a member whose stake falls below the minimum, on the stake event', async () => {
    const c = await threeVoters();
    const poorer = c.operators.find((o) => o !== c.leader())!;
    // Lowered but still enough: the event is handled and the member stays.
    c.chain.setStake(poorer.address, 0, 50n);
    // Withdrawn below the minimum: removed, with the periodic check off and the block not advanced.
    c.chain.setStake(poorer.address, 0, 49n);
    await removedEverywhere(c, poorer, 'the under-staked member removed everywhere');
  });

  it('a forged stake event removes no staked member', async () => {
    const c = await threeVoters();
    const [staked, other] = c.operators.filter((o) => o !== c.leader()) as [Operator, Operator];
    c.chain.emitRegistryEvent({ kind: 'stake-changed', operatorId: staked.bls.operatorId });
    // A later change the leader does act on proves the forged event was handled before it.
    c.chain.setStake(other.address, 0, 0n);
    await c.waitFor(() => !c.leader()?.engine.status().voters.includes(other.address), 'the other removed');
    expect(c.leader()!.engine.status().voters).toContain(staked.address);
  });

  it('invites a newly registered operator when autoInvite is set', async () => {
    cluster = new Cluster({
      size: 3,
      thresholdPercentage: 50,
      started: 2,
      registryEvents: true,
      config: { autoInvite: true },
    });
    const c = cluster;
    await c.start();
    const newcomer = c.operators[2]!;
    // It runs but never asks to join; registering again on-chain is what the leader reacts to.
    await c.drive(newcomer.engine.initializeRaftRpcServer(false), 'start the newcomer');
    c.chain.deregisterOperator(newcomer.address);
    c.chain.registerOperator({
      address: newcomer.address,
      blsKey: newcomer.bls,
      endpoints: { httpUrl: memoryUrl(newcomer.address), raftUrl: memoryUrl(newcomer.address) },
    });
    await c.waitFor(
      () => c.leader()?.engine.status().voters.includes(newcomer.address) === true,
      'the newcomer is a voter',
    );
  });

  it('does not invite without autoInvite', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 50, started: 2, registryEvents: true });
    const c = cluster;
    await c.start();
    const newcomer = c.operators[2]!;
    await c.drive(newcomer.engine.initializeRaftRpcServer(false), 'start the newcomer');
    c.chain.deregisterOperator(newcomer.address);
    c.chain.registerOperator({
      address: newcomer.address,
      blsKey: BlsKeyPair.fromSecretKey(newcomer.bls.exportSecretKey()),
      endpoints: { httpUrl: memoryUrl(newcomer.address), raftUrl: memoryUrl(newcomer.address) },
    });
    // A later change the leader does act on (a removal) proves the registration event was handled before it.
    const other = c.operators.find((o) => o !== c.leader() && o !== newcomer)!;
    c.chain.deregisterOperator(other.address);
    await c.waitFor(() => !c.leader()?.engine.status().voters.includes(other.address), 'the other removed');
    const st = c.leader()!.engine.status();
    expect([...st.voters, ...st.learners]).not.toContain(newcomer.address);
  });

  it('updates a member whose registered endpoints changed, on every node', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 50, registryEvents: true });
    const c = cluster;
    await c.start();
    await c.waitFor(() => c.leader()?.engine.status().voters.length === 3, 'three voters');
    const moved = c.operators.find((o) => o !== c.leader())!;
    const url = `${memoryUrl(moved.address)}/moved`;
    c.chain.updateEndpoints(moved.address, { httpUrl: url, raftUrl: url });
    await c.waitFor(
      () => c.running().every((o) => o.engine.member(moved.address)?.httpUrl === url),
      "the new URL in every node's metadata",
    );
  });
});
