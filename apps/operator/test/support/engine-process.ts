/**
 * One engine as its own process, for the multi-process test (the engine composed
 * with `@avs/chain` and `@avs/engine-chain` by hand, without the operator app; a second composition root on
 * purpose: it is the one a library user writes, and this test keeps it working): an engine over
 * real HTTP with file storage against anvil. Argument: JSON {@link OperatorArgs}.
 * Prints one JSON status line every 100 ms; reads commands from stdin:
 * `task <n>` (the leader creates the task on-chain and sends the request).
 */
import { createInterface } from 'node:readline';
import { BlsKeyPair } from '@avs/bls';
import { connectAvs, createProvider, type TaskResponse, taskResponseSchema } from '@avs/chain';
import { createHttpEngineTransport, createTaskConsensusEngine } from '@avs/engine';
import {
  chainResponseDigest,
  createChainAdapter,
  eip712JoinAuthenticator,
  onChainTaskCheck,
  taskSpecOf,
} from '@avs/engine-chain';
import { FileStorage } from '@avs/storage-file';
import { operatorKeyScheme } from '@avs/transport-http';
import { serveNode } from '@avs/transport-http/node';
import { AbiCoder, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { z } from 'zod';

export interface OperatorArgs {
  ecdsaKey: string;
  blsSecret: string;
  rpcUrl: string;
  chainId: number;
  registry: string;
  retriever: string;
  taskManager: string;
  port: number;
  dir: string;
  joinUrl?: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as OperatorArgs;
const request = z.object({ numberToBeSquared: z.number().int().nonnegative() });
type Request = z.infer<typeof request>;
const payloadHash = (r: Request) => keccak256(toUtf8Bytes(JSON.stringify(r)));
const coder = AbiCoder.defaultAbiCoder();

const provider = createProvider(args.rpcUrl);
const wallet = new Wallet(args.ecdsaKey, provider);
const { reader, taskManager: tasks } = connectAvs({
  provider,
  contracts: {
    operatorRegistry: args.registry,
    operatorStateRetriever: args.retriever,
    taskManager: args.taskManager,
  },
  signer: wallet,
  transactions: { receiptPollMs: 10 },
});
const adapter = createChainAdapter({ taskManager: tasks, reader, chainId: args.chainId });
const bls = BlsKeyPair.fromSecretKey(args.blsSecret);
const scheme = operatorKeyScheme({
  privateKey: args.ecdsaKey,
  domain: {
    chainId: args.chainId,
    verifyingContract: args.registry.toLowerCase(),
    clusterId: `0x${'ef'.repeat(32)}`,
  },
});
const transport = createHttpEngineTransport({ scheme, client: { requestTimeoutMs: 3_000 } });
const served = await serveNode(transport.fetch, { hostname: '127.0.0.1', port: args.port });
const storage = await FileStorage.open({ dir: args.dir });
const engine = createTaskConsensusEngine<Request, TaskResponse>({
  blsKey: bls,
  joinAuth: eip712JoinAuthenticator(args.ecdsaKey),
  callbacks: {
    requestSchema: request,
    responseSchema: taskResponseSchema,
    onTaskRequest: (r, metas) =>
      metas.map((m) => ({
        referenceTaskIndex: m.taskIndex,
        result: coder.encode(['uint256', 'uint256'], [r.numberToBeSquared, r.numberToBeSquared ** 2]),
      })),
    onLeaderProcessTaskResponse: chainResponseDigest,
    validateTaskRequest: onChainTaskCheck(tasks, { payloadHashesOf: (r) => [payloadHash(r)] }),
    isValidOperator: adapter.isValidOperator,
    fetchOperatorUrl: adapter.fetchOperatorUrl,
  },
  config: {
    httpUrl: served.url,
    raftUrl: served.url,
    operatorId: bls.operatorId,
    clusterId: 'multi-process',
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

const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const timer = setInterval(() => {
  const s = engine.status();
  out({
    type: 'status',
    id: engine.id,
    role: s.role,
    leaderId: s.leaderId,
    voters: s.voters,
    members: s.members,
  });
}, 100);

if (args.joinUrl) {
  // The founder may still be starting: retry (bounded).
  for (let attempt = 1; ; attempt++) {
    try {
      await engine.joinExistingOperatorCluster(args.joinUrl);
      break;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
} else {
  await engine.initializeRaftRpcServer(true);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'task' && engine.status().role === 'leader') {
    const r = { numberToBeSquared: Number(arg) };
    void (async () => {
      try {
        const created = await tasks.createTask({
          payloadHash: payloadHash(r),
          quorumNumbers: [0],
          quorumThresholdPercentage: 60,
        });
        await engine.leaderSendTaskRequestToFollowers(r, [taskSpecOf(created)]);
        out({ type: 'task', taskIndex: created.taskIndex, n: r.numberToBeSquared });
      } catch (error) {
        out({ type: 'error', message: String(error) });
      }
    })();
  }
  if (cmd === 'stop') {
    clearInterval(timer);
    void engine
      .close()
      .then(() => served.close())
      .then(() => storage.close())
      .finally(() => {
        provider.destroy();
        process.exit(0);
      });
  }
});
