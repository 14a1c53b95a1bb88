/**
 * Stake to stay, on anvil (issue #17 item 3): the leader reacts to the registry's
 * `OperatorStakeUpdate` events. Three engines (in-memory engine network) follow the
 * real OperatorRegistry's logs with a one-hour periodic membership check, so only
 * the event can explain a removal: a member whose stake is lowered but stays at the
 * minimum is kept, one whose stake is withdrawn below it is removed.
 */

import { connectAvs, registryEvents, type TaskResponse, taskResponseSchema } from '@avs/chain';
import {
  createMemoryEngineNetwork,
  createTaskConsensusEngine,
  memoryUrl,
  type TaskConsensusEngine,
} from '@avs/engine';
import { MemoryStorage } from '@avs/raft-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AvsNetwork, startAvsNetwork } from '../../chain/test/support/avs-network.js';
import { chainResponseDigest, createChainAdapter, eip712JoinAuthenticator } from '../src/index.js';
import { poll } from './support/poll.js';

interface Node {
  readonly address: string;
  readonly engine: TaskConsensusEngine<unknown, TaskResponse>;
}

const HOUR_MS = 3_600_000;
let net: AvsNetwork;
const nodes: Node[] = [];
const network = createMemoryEngineNetwork();

beforeAll(async () => {
  net = await startAvsNetwork({ count: 3, stake: 100n });
  const chainId = Number(net.avs.deployment.chainId);
  for (const [i, op] of net.operators.entries()) {
    const { reader, taskManager } = connectAvs({
      provider: net.provider,
      contracts: net.avs.deployment,
      signer: op.wallet,
      transactions: { receiptPollMs: 10 },
    });
    const events = registryEvents({
      provider: net.provider,
      registry: net.avs.deployment.operatorRegistry,
      pollIntervalMs: 50,
    });
    const chain = createChainAdapter({ taskManager, reader, chainId, registryEvents: events });
    const address = op.wallet.address.toLowerCase();
    const engine = createTaskConsensusEngine<unknown, TaskResponse>({
      blsKey: op.key,
      joinAuth: eip712JoinAuthenticator(op.wallet.privateKey),
      callbacks: {
        requestSchema: taskResponseSchema,
        responseSchema: taskResponseSchema,
        onTaskRequest: () => [],
        onLeaderProcessTaskResponse: chainResponseDigest,
        isValidOperator: chain.isValidOperator,
        fetchOperatorUrl: chain.fetchOperatorUrl,
      },
      config: {
        ...(await chain.fetchOperatorUrl(address)),
        operatorId: op.key.operatorId,
        clusterId: 'stake-events-test',
        minimumStake: '50',
        requestTimeoutMs: 2_000,
        retryBaseMs: 20,
        retryMaxMs: 200,
        // Only the stake event can explain a removal within this test.
        membershipCheckIntervalMs: HOUR_MS,
        blockPollMs: 0,
        raft: { tickMs: 20, electionTick: 10, heartbeatTick: 1 },
      },
      storage: new MemoryStorage(),
      transport: network.endpoint(address),
      chain,
    });
    nodes.push({ address, engine });
    if (i === 0) {
      await engine.initializeRaftRpcServer(true);
      await poll(() => engine.status().role === 'leader', 'the founder to lead');
    } else {
      await engine.joinExistingOperatorCluster(memoryUrl(nodes[0]!.address));
    }
  }
  await poll(() => nodes[0]!.engine.status().voters.length === 3, 'three voters');
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.engine.close().catch(() => {});
  await net?.close();
});

describe('stake to stay follows the registry events (anvil)', () => {
  it('a member whose stake is withdrawn below the minimum is removed without the periodic check', async () => {
    const leader = nodes.find((n) => n.engine.status().role === 'leader')!;
    const [kept, poorer] = nodes.filter((n) => n !== leader) as [Node, Node];
    const operatorOf = (n: Node) => net.operators.find((o) => o.wallet.address.toLowerCase() === n.address)!;
    // Lowered to the minimum: the event is handled (in order, before the next) and the member stays.
    await net.ownerRegistry.setOperatorStakes(0, new Map([[operatorOf(kept).wallet.address, 50n]]));
    await net.ownerRegistry.setOperatorStakes(0, new Map([[operatorOf(poorer).wallet.address, 10n]]));
    await poll(
      () => nodes.every((n) => n === poorer || !n.engine.status().voters.includes(poorer.address)),
      'the under-staked member removed everywhere',
    );
    expect(leader.engine.status().voters).toContain(kept.address);
    expect(leader.engine.member(poorer.address)).toBeUndefined();
  }, 60_000);
});
