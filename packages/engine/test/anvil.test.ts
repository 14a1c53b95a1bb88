/**
 * The real on-chain path: anvil with the AVS contracts from @avs/contracts,
 * @avs/chain clients behind the engine's chain adapter, 3 engines over real
 * HTTP with file storage. Every response is verified by the TaskManager
 * contract (BLS aggregate and stake threshold); the leader is stopped and
 * tasks keep completing, each with exactly one on-chain response.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import {
  AvsRegistryReader,
  createProvider,
  OperatorRegistryClient,
  TaskManagerClient,
  type TaskResponse,
  taskResponseSchema,
} from '@avs/chain';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import { FileStorage } from '@avs/storage-file';
import { operatorKeyScheme } from '@avs/transport-http';
import { type Served, serveNode } from '@avs/transport-http/node';
import { AbiCoder, type JsonRpcProvider, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ChainAdapter,
  chainResponseDigest,
  createChainAdapter,
  createHttpEngineTransport,
  createTaskConsensusEngine,
  onChainTaskCheck,
  type TaskConsensusEngine,
  taskSpecOf,
} from '../src/index.js';
import { poll } from './support/poll.js';

const request = z.object({ numberToBeSquared: z.number().int().nonnegative() });
type Request = z.infer<typeof request>;
const payloadHash = (r: Request) => keccak256(toUtf8Bytes(JSON.stringify(r)));
const coder = AbiCoder.defaultAbiCoder();

interface Node {
  address: string;
  served: Served;
  storage: FileStorage;
  engine: TaskConsensusEngine<Request, TaskResponse>;
}

let avs: LocalAvs;
let provider: JsonRpcProvider;
let tasks: TaskManagerClient;
let adapter: ChainAdapter;
let dir = '';
const nodes: Node[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-anvil-'));
  avs = await startLocalAvs({ accounts: 5, quorumCount: 1, taskResponseWindowBlocks: 1_000 });
  provider = createProvider(avs.rpcUrl);
  const d = avs.deployment;
  const owner = new Wallet(avs.accounts[0]!.privateKey, provider);
  const reader = new AvsRegistryReader({
    provider,
    registryCoordinator: d.operatorRegistry,
    operatorStateRetriever: d.operatorStateRetriever,
  });
  tasks = new TaskManagerClient({
    provider,
    taskManager: d.taskManager,
    reader,
    signer: owner,
    transactions: { receiptPollMs: 10 },
  });
  adapter = createChainAdapter({ taskManager: tasks, reader, chainId: Number(d.chainId) });
  const ownerRegistry = new OperatorRegistryClient({
    registry: d.operatorRegistry,
    signer: owner,
    receiptPollMs: 10,
  });
  await ownerRegistry.setOperatorStakes(0, new Map([1, 2, 3].map((i) => [avs.accounts[i]!.address, 100n])));
  for (const i of [1, 2, 3]) {
    const key = avs.accounts[i]!.privateKey;
    const wallet = new Wallet(key, provider);
    const address = wallet.address.toLowerCase();
    const bls = BlsKeyPair.fromSecretKey(BigInt(7_000 + i));
    const scheme = operatorKeyScheme({
      privateKey: key,
      domain: {
        chainId: d.chainId,
        verifyingContract: d.operatorRegistry.toLowerCase(),
        clusterId: `0x${'cd'.repeat(32)}`,
      },
    });
    const transport = createHttpEngineTransport({ scheme, client: { requestTimeoutMs: 3_000 } });
    const served = await serveNode(transport.fetch, { hostname: '127.0.0.1', port: 0 });
    const registry = new OperatorRegistryClient({
      registry: d.operatorRegistry,
      signer: wallet,
      receiptPollMs: 10,
    });
    await registry.registerOperator({
      keyPair: bls,
      quorumNumbers: [0],
      endpoints: { raftUrl: served.url, httpUrl: served.url },
      chainId: d.chainId,
    });
    const storage = await FileStorage.open({ dir: join(dir, `node-${i}`) });
    const engine = createTaskConsensusEngine<Request, TaskResponse>({
      blsKey: bls,
      ecdsaKey: key,
      callbacks: {
        requestSchema: request,
        responseSchema: taskResponseSchema,
        onTaskRequest: (r, metas) =>
          metas.map((m) => ({
            referenceTaskIndex: m.taskIndex,
            result: coder.encode(['uint256', 'uint256'], [r.numberToBeSquared, r.numberToBeSquared ** 2]),
          })),
        onLeaderProcessTaskResponse: chainResponseDigest,
        validateTaskRequest: onChainTaskCheck(tasks, payloadHash),
        isValidOperator: adapter.isValidOperator,
        fetchOperatorUrl: adapter.fetchOperatorUrl,
      },
      config: {
        httpUrl: served.url,
        raftUrl: served.url,
        operatorId: bls.operatorId,
        clusterId: 'anvil-test',
        requestTimeoutMs: 3_000,
        retryBaseMs: 50,
        retryMaxMs: 500,
        membershipCheckIntervalMs: 0,
        raft: { tickMs: 20, electionTick: 10, proposalTimeoutMs: 5_000, readIndexTimeoutMs: 3_000 },
      },
      storage,
      transport,
      chain: adapter,
    });
    nodes.push({ address, served, storage, engine });
  }
  const [first, second, third] = nodes as [Node, Node, Node];
  await first.engine.initializeRaftRpcServer(true);
  await poll(() => first.engine.status().members.includes(first.address), 'founder leads and is recorded');
  expect((await second.engine.joinExistingOperatorCluster(first.served.url)).role).toBe('voter');
  expect((await third.engine.joinExistingOperatorCluster(second.served.url)).role).toBe('voter');
}, 120_000);

afterAll(async () => {
  for (const n of nodes) {
    await n.engine.close().catch(() => {});
    await n.served.close();
    await n.storage.close();
  }
  provider?.destroy();
  await avs?.stop();
  await rm(dir, { recursive: true, force: true });
});

const leader = () => nodes.find((n) => !n.engine.status().closed && n.engine.status().role === 'leader');

async function sendTask(n: number, threshold: number): Promise<number> {
  const r = { numberToBeSquared: n };
  const created = await tasks.createTask({
    payloadHash: payloadHash(r),
    quorumNumbers: [0],
    quorumThresholdPercentage: threshold,
  });
  await leader()!.engine.leaderSendTaskRequestToFollowers(r, [taskSpecOf(created)]);
  return created.taskIndex;
}

describe('engines on anvil', () => {
  it('tasks are verified on-chain, once each, before and after the leader stops', async () => {
    const first = await sendTask(7, 67);
    await poll(async () => (await tasks.getResponse(first)) !== undefined, 'task verified on-chain', {
      maxPolls: 1_200,
    });
    const onChain = await tasks.getResponse(first);
    expect(coder.decode(['uint256', 'uint256'], onChain!.response.result).map(Number)).toEqual([7, 49]);
    await poll(() => nodes.every((n) => n.engine.task(first)?.status === 'submitted'), 'recorded everywhere');
    expect(nodes[0]!.engine.task(first)?.submission?.txHash).toBe(onChain!.transactionHash);

    const old = leader()!;
    await old.engine.close();
    await poll(() => leader() !== undefined, 'a new leader');
    const second = await sendTask(8, 60);
    await poll(async () => (await tasks.getResponse(second)) !== undefined, 'second task on-chain', {
      maxPolls: 1_200,
    });
    expect(await tasks.isResponded(first)).toBe(true);
  });
});
