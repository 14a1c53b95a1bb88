/**
 * The engine's batches on anvil: 3 engines (in-memory engine network, one process) with their own
 * wallets and the real TaskManager behind `createChainAdapter`. A window of requests is one batch:
 * every operator signs it once, the leader submits it in one `respondToBatch`, every task is
 * answered once and each answer is provable against the stored root (`verifyBatchResponse`).
 * The leader is then stopped with a batch aggregated but not yet submitted: the next leader
 * submits it, and every task still has exactly one on-chain answer.
 */
import type { BlsKeyPair } from '@avs/bls';
import {
  type CreatedTask,
  connectAvs,
  type TaskManagerClient,
  type TaskResponse,
  taskResponseSchema,
} from '@avs/chain';
import { taskManagerAbi } from '@avs/contracts';
import {
  createMemoryEngineNetwork,
  createTaskConsensusEngine,
  memoryUrl,
  type TaskConsensusEngine,
} from '@avs/engine';
import { MemoryStorage } from '@avs/raft-core';
import { AbiCoder, Interface, type InterfaceAbi, keccak256, toUtf8Bytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
// @avs/chain's own test network (anvil, deployment, registered operators), shared rather than rebuilt.
import { type AvsNetwork, startAvsNetwork } from '../../chain/test/support/avs-network.js';
import {
  type ChainAdapter,
  chainResponseDigest,
  createChainAdapter,
  eip712JoinAuthenticator,
  taskSpecOf,
} from '../src/index.js';
import { poll } from './support/poll.js';

const request = z.object({ n: z.number().int().nonnegative() });
type Request = z.infer<typeof request>;
const coder = AbiCoder.defaultAbiCoder();

interface Node {
  readonly address: string;
  readonly tasks: TaskManagerClient;
  readonly chain: ChainAdapter;
  readonly engine: TaskConsensusEngine<Request, TaskResponse>;
  signatures: number;
}

let net: AvsNetwork;
const nodes: Node[] = [];
const network = createMemoryEngineNetwork();

beforeAll(async () => {
  net = await startAvsNetwork({ count: 3, stake: 100n });
  const chainId = Number(net.avs.deployment.chainId);
  for (const [i, op] of net.operators.entries()) {
    const { reader, taskManager: tasks } = connectAvs({
      provider: net.provider,
      contracts: net.avs.deployment,
      signer: op.wallet,
      transactions: { receiptPollMs: 10 },
    });
    const chain = createChainAdapter({ taskManager: tasks, reader, chainId });
    const address = op.wallet.address.toLowerCase();
    const endpoints = await chain.fetchOperatorUrl(address);
    const node = { address, tasks, chain, signatures: 0 } as Node;
    const key = op.key;
    const counting = {
      operatorId: key.operatorId,
      publicKeyG1: key.publicKeyG1,
      publicKeyG2: key.publicKeyG2,
      sign: (digest: Parameters<BlsKeyPair['sign']>[0]) => {
        node.signatures++;
        return key.sign(digest);
      },
    } as unknown as BlsKeyPair;
    (node as { engine: Node['engine'] }).engine = createTaskConsensusEngine<Request, TaskResponse>({
      blsKey: counting,
      joinAuth: eip712JoinAuthenticator(op.wallet.privateKey),
      callbacks: {
        requestSchema: request,
        responseSchema: taskResponseSchema,
        onTaskRequest: (r, metas) =>
          metas.map((m) => ({
            referenceTaskIndex: m.taskIndex,
            result: coder.encode(['uint256', 'uint256'], [r.n, BigInt(r.n) ** 2n]),
          })),
        onLeaderProcessTaskResponse: chainResponseDigest,
        isValidOperator: chain.isValidOperator,
        fetchOperatorUrl: chain.fetchOperatorUrl,
      },
      config: {
        ...endpoints,
        operatorId: key.operatorId,
        clusterId: 'batch-test',
        requestTimeoutMs: 2_000,
        retryBaseMs: 20,
        retryMaxMs: 200,
        membershipCheckIntervalMs: 0,
        blockPollMs: 0,
        raft: { tickMs: 20, electionTick: 10, heartbeatTick: 1 },
      },
      batching: { maxTasks: 16, delayMs: 50 },
      storage: new MemoryStorage(),
      transport: network.endpoint(address),
      chain,
    });
    nodes.push(node);
    if (i === 0) {
      await node.engine.initializeRaftRpcServer(true);
      await poll(() => node.engine.status().role === 'leader', 'the founder to lead');
    } else {
      await node.engine.joinExistingOperatorCluster(memoryUrl(nodes[0]!.address));
    }
  }
  await poll(() => nodes[0]!.engine.status().voters.length === 3, 'three voters');
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.engine.close().catch(() => {});
  await net?.close();
});

const leaderOf = () => nodes.find((n) => !n.engine.status().closed && n.engine.status().role === 'leader');

async function createTasks(tag: string, count: number): Promise<CreatedTask[]> {
  return net.tasks.createTasks({
    payloadHashes: Array.from({ length: count }, (_, i) => keccak256(toUtf8Bytes(`${tag} ${i}`))),
    quorumNumbers: [0],
    quorumThresholdPercentage: 67,
  });
}

/** TaskResponded events of a task on-chain: exactly one means one answer. */
async function answersOf(taskIndex: number): Promise<number> {
  const iface = new Interface(taskManagerAbi as InterfaceAbi);
  const topics = iface.encodeFilterTopics('TaskResponded', [taskIndex]);
  const logs = await net.provider.getLogs({ address: net.tasks.address, topics, fromBlock: 0 });
  return logs.length;
}

const answered = (live: readonly Node[], created: readonly CreatedTask[]) => () =>
  created.every((c) => live.every((n) => n.engine.task(c.taskIndex)?.status === 'submitted'));

describe('engine batches on anvil (3 operators)', () => {
  it('a window of requests is one batch: signed once per operator, one respondToBatch, each answer provable', async () => {
    expect(nodes.every((n) => n.engine.status().batching)).toBe(true);
    const leader = leaderOf()!;
    const created = await createTasks('engine batch', 6);
    const before = nodes.map((n) => n.signatures);
    await Promise.all(
      created.map((c, i) => leader.engine.leaderSendTaskRequestToFollowers({ n: 10 + i }, [taskSpecOf(c)])),
    );
    await poll(answered(nodes, created), 'every task answered');
    expect(nodes.map((n, i) => n.signatures - before[i]!)).toEqual([1, 1, 1]);
    const txs = new Set(created.map((c) => leader.engine.task(c.taskIndex)!.submission!.txHash));
    expect(txs.size).toBe(1);
    // The first batch of this chain is batch 0 on-chain: its stored root proves every answer.
    for (const c of created) {
      expect(await answersOf(c.taskIndex)).toBe(1);
      expect((await net.tasks.getResponse(c.taskIndex))!.transactionHash).toBe([...txs][0]);
      const proof = leader.engine.batchProof(c.taskIndex)!;
      const response = leader.engine.task(c.taskIndex)!.aggregate!.response as TaskResponse;
      expect(proof.count).toBe(6);
      expect(await net.tasks.verifyBatchResponse(0, response, proof.position, proof.proof)).toBe(true);
      const elsewhere = (proof.position + 1) % proof.count;
      expect(await net.tasks.verifyBatchResponse(0, response, elsewhere, proof.proof)).toBe(false);
    }
  }, 120_000);

  it('the leader stops with a batch aggregated but not submitted: the next leader submits it, once per task', async () => {
    const old = leaderOf()!;
    // Hold the leader's submission: its chain call waits until the leader is gone.
    const submitter = old.chain.submitter;
    const original = submitter.submitBatch!.bind(submitter);
    let held = false;
    submitter.submitBatch = async (b) => {
      held = true;
      await poll(() => old.engine.status().closed, 'the old leader to stop');
      return original(b);
    };
    const created = await createTasks('failover batch', 4);
    await Promise.all(
      created.map((c, i) => old.engine.leaderSendTaskRequestToFollowers({ n: 50 + i }, [taskSpecOf(c)])),
    );
    await poll(() => held, 'the leader to start submitting');
    const live = nodes.filter((n) => n !== old);
    await poll(
      () => created.every((c) => live.every((n) => n.engine.task(c.taskIndex)?.status === 'aggregated')),
      'the aggregate replicated',
    );
    network.isolate(old.address);
    await old.engine.close();
    await poll(() => leaderOf() !== undefined, 'a new leader');
    await poll(answered(live, created), 'the new leader to submit');
    // The old leader's held call ran after it stopped: the contract refused it, one answer each.
    for (const c of created) expect(await net.tasks.isResponded(c.taskIndex)).toBe(true);
    const txs = new Set(created.map((c) => live[0]!.engine.task(c.taskIndex)!.submission!.txHash));
    expect(txs.size).toBe(1);
    for (const c of created) {
      const r = await net.tasks.getResponse(c.taskIndex);
      expect(r!.transactionHash).toBe([...txs][0]);
      expect(await answersOf(c.taskIndex)).toBe(1);
    }
  }, 120_000);
});
