/**
 * Issue #17, items 2-4, on the in-memory network and chain: identity bound to
 * the chain (a join's operatorId must be its signer's), stake to join and to
 * stay, and cheap refusals (junk joins refused where they arrive, never
 * forwarded, for a bounded number of chain reads).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JoinRefusedError, type JoinRequest, memoryUrl, randomNonce } from '../src/index.js';
import { Cluster } from './support/cluster.js';
import { addressOfKey, randomKey, testJoinAuth } from './support/test-keys.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

type Op = Cluster['operators'][number];

async function requestOf(c: Cluster, joiner: Op, over: Partial<JoinRequest> = {}): Promise<JoinRequest> {
  return {
    chainId: c.chain.chainId,
    contract: c.chain.contractAddress,
    clusterId: 'test-cluster',
    operator: joiner.address,
    operatorId: joiner.bls.operatorId,
    httpUrl: memoryUrl(joiner.address),
    raftUrl: memoryUrl(joiner.address),
    block: over.block ?? (await c.chain.latestBlock()),
    expiresAtMs: c.clock.now() + 30_000,
    nonce: randomNonce(),
    ...over,
  };
}

async function refusal(c: Cluster, promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await c.drive(promise, 'join attempt');
  } catch (error) {
    if (error instanceof JoinRefusedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('identity is bound to the chain', () => {
  it("a registered operator cannot join under another operator's id; the victim's signature still counts", async () => {
    cluster = new Cluster({ size: 3, started: 2, thresholdPercentage: 50 });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const victim = c.operators.find((o) => o !== leader && o.engine.status().started)!;
    const spoofer = c.operators[2]!;
    await c.drive(spoofer.engine.initializeRaftRpcServer(false), 'start the spoofer');
    const client = c.net.endpoint(spoofer.address).client;
    const spoofed = await testJoinAuth(spoofer.ecdsaKey).sign(
      await requestOf(c, spoofer, { operatorId: victim.bls.operatorId }),
    );
    // Through a follower (refused there, never forwarded) and at the leader.
    const forwardsBefore = c.net.calls.forwardJoin;
    expect(await refusal(c, client.join(memoryUrl(victim.address), spoofed, 5_000))).toBe(
      'OPERATOR_ID_MISMATCH',
    );
    expect(c.net.calls.forwardJoin).toBe(forwardsBefore);
    expect(
      await refusal(
        c,
        client.join(
          memoryUrl(leader.address),
          await testJoinAuth(spoofer.ecdsaKey).sign(
            await requestOf(c, spoofer, { operatorId: victim.bls.operatorId }),
          ),
          5_000,
        ),
      ),
    ).toBe('OPERATOR_ID_MISMATCH');
    // The leader's direct join checks the same binding.
    expect(await refusal(c, leader.engine.join(victim.bls.operatorId, spoofer.address))).toBe(
      'OPERATOR_ID_MISMATCH',
    );
    expect(leader.engine.status().voters).not.toContain(spoofer.address);
    // The victim signs as before: a task completes with its signature.
    const { taskIndexes } = await c.sendRequest(1);
    await c.waitFor(() => c.chain.response(taskIndexes[0]!) !== undefined, 'the task to complete');
    expect(leader.engine.task(taskIndexes[0]!)?.aggregate?.signers).toContain(
      victim.bls.operatorId.toLowerCase(),
    );
  });
});

describe('stake to join and to stay', () => {
  it('refuses zero stake and stake below the minimum, and removes a member whose stake is withdrawn', async () => {
    cluster = new Cluster({ size: 4, started: 1, config: { minimumStake: '50' } });
    const c = cluster;
    const [founder, zero, low, rich] = c.operators as [Op, Op, Op, Op];
    c.chain.setStake(zero.address, 0, 0n);
    c.chain.setStake(low.address, 0, 49n);
    await c.start();
    for (const o of [zero, low, rich]) await c.drive(o.engine.initializeRaftRpcServer(false), 'start');
    expect(await refusal(c, zero.engine.joinExistingOperatorCluster(memoryUrl(founder.address)))).toBe(
      'INSUFFICIENT_STAKE',
    );
    expect(await refusal(c, low.engine.joinExistingOperatorCluster(memoryUrl(founder.address)))).toBe(
      'INSUFFICIENT_STAKE',
    );
    expect(await refusal(c, founder.engine.join(low.bls.operatorId, low.address))).toBe('INSUFFICIENT_STAKE');
    expect(await refusal(c, rich.engine.joinExistingOperatorCluster(memoryUrl(founder.address)))).toBe(
      undefined,
    );
    await c.waitFor(() => founder.engine.status().voters.includes(rich.address), 'rich is a voter');

    // Stake withdrawn while a member: the membership check removes it.
    c.chain.setStake(rich.address, 0, 0n);
    // The change lands in a block; the leader's cached latest block (which the voter autopilot keeps
    // reading) expires after chainCacheMs.
    c.chain.mine();
    await c.clock.advance(5_000);
    const removed = await c.drive(founder.engine.checkMembership(), 'membership check');
    expect(removed).toEqual([rich.address]);
    expect(founder.engine.status().voters).not.toContain(rich.address);
  });
});

describe('refusals are cheap', () => {
  it('200 junk joins to a follower are refused there, never forwarded, for a handful of chain reads', async () => {
    cluster = new Cluster({ size: 3, started: 2 });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const follower = c.operators.find((o) => o !== leader && o.engine.status().started)!;
    const stranger = c.operators[2]!;
    const client = c.net.endpoint(stranger.address).client;
    const counted = { latestBlock: 0, operatorState: 0, addressOf: 0 };
    const chain = c.chain;
    const realLatest = chain.latestBlock.bind(chain);
    chain.latestBlock = () => {
      counted.latestBlock++;
      return realLatest();
    };
    const realState = chain.operatorState.getOperatorState.bind(chain.operatorState);
    (chain.operatorState as { getOperatorState: typeof realState }).getOperatorState = (b, q) => {
      counted.operatorState++;
      return realState(b, q);
    };
    const realAddressOf = chain.operatorAddressOf.bind(chain);
    chain.operatorAddressOf = (id) => {
      counted.addressOf++;
      return realAddressOf(id);
    };
    const forwardsBefore = c.net.calls.forwardJoin;
    const reasons = new Map<string, number>();
    const block = await realLatest();
    for (let i = 0; i < 200; i++) {
      // Fresh keys; half claim random ids, half a registered operator's id.
      const key = randomKey();
      const operator = addressOfKey(key);
      const operatorId = i % 2 === 0 ? `0x${randomNonce().slice(2)}` : c.operators[i % 3]!.bls.operatorId;
      const signed = await testJoinAuth(key).sign({
        ...(await requestOf(c, stranger, { operator, operatorId, block })),
        httpUrl: `mem://junk-${i}`,
        raftUrl: `mem://junk-${i}`,
      });
      const reason = await refusal(c, client.join(memoryUrl(follower.address), signed, 5_000));
      reasons.set(String(reason), (reasons.get(String(reason)) ?? 0) + 1);
    }
    expect(Object.fromEntries(reasons)).toEqual({ UNREGISTERED: 100, OPERATOR_ID_MISMATCH: 100 });
    expect(c.net.calls.forwardJoin).toBe(forwardsBefore);
    // Per cache period (1 s; the 200 joins take about 2 simulated seconds): one latest block, one
    // operator set per block, one address per registered operatorId. Main made two reads per join.
    const reads = counted.latestBlock + counted.operatorState + counted.addressOf;
    expect(reads, JSON.stringify(counted)).toBeLessThanOrEqual(16);
  });
});
