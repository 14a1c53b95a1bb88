// Test and bench support: a local AVS with N registered operators, through the package's own clients.
import {
  aggregatePublicKeysG1,
  aggregatePublicKeysG2,
  aggregateSignatures,
  BlsKeyPair,
  type OperatorId,
} from '@avs/bls';
import type { AggregatedResult } from '@avs/bls/aggregation';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import { type JsonRpcProvider, Wallet } from 'ethers';
import {
  type AvsRegistryReader,
  connectAvs,
  createProvider,
  OperatorRegistryClient,
  type Task,
  type TaskManagerClient,
} from '../../src/index.js';

export interface TestOperator {
  wallet: Wallet;
  key: BlsKeyPair;
  registry: OperatorRegistryClient;
}

export interface AvsNetwork {
  avs: LocalAvs;
  provider: JsonRpcProvider;
  owner: Wallet;
  ownerRegistry: OperatorRegistryClient;
  reader: AvsRegistryReader;
  tasks: TaskManagerClient;
  operators: TestOperator[];
  close(): Promise<void>;
}

/**
 * Starts anvil, deploys, and registers `count` operators (accounts 1..count) in quorum 0 with
 * `stake` each (BLS secret keys 1001, 1002, ...).
 */
export async function startAvsNetwork(options: {
  count: number;
  stake?: bigint;
  quorumCount?: number;
  taskResponseWindowBlocks?: number;
}): Promise<AvsNetwork> {
  const avs = await startLocalAvs({
    accounts: options.count + 2,
    quorumCount: options.quorumCount ?? 1,
    taskResponseWindowBlocks: options.taskResponseWindowBlocks ?? 100,
  });
  const provider = createProvider(avs.rpcUrl);
  const d = avs.deployment;
  const owner = new Wallet(avs.accounts[0]!.privateKey, provider);
  const ownerRegistry = new OperatorRegistryClient({
    registry: d.operatorRegistry,
    signer: owner,
    receiptPollMs: 10,
  });
  const { reader, taskManager: tasks } = connectAvs({
    provider,
    contracts: d,
    signer: owner,
    transactions: { receiptPollMs: 10 },
  });
  const operators: TestOperator[] = [];
  for (let i = 1; i <= options.count; i++) {
    const wallet = new Wallet(avs.accounts[i]!.privateKey, provider);
    const key = BlsKeyPair.fromSecretKey(BigInt(1000 + i));
    const registry = new OperatorRegistryClient({
      registry: d.operatorRegistry,
      signer: wallet,
      receiptPollMs: 10,
    });
    operators.push({ wallet, key, registry });
  }
  await ownerRegistry.setOperatorStakes(
    0,
    new Map(operators.map((o) => [o.wallet.address, options.stake ?? 100n])),
  );
  // Registrations come from different accounts: send them a few at a time.
  for (let i = 0; i < operators.length; i += 8) {
    await Promise.all(
      operators.slice(i, i + 8).map((op, j) =>
        op.registry.registerOperator({
          keyPair: op.key,
          quorumNumbers: [0],
          endpoints: {
            raftUrl: `http://127.0.0.1:${20001 + i + j}`,
            httpUrl: `http://127.0.0.1:${30001 + i + j}`,
          },
          chainId: d.chainId,
        }),
      ),
    );
  }
  return {
    avs,
    provider,
    owner,
    ownerRegistry,
    reader,
    tasks,
    operators,
    async close() {
      provider.destroy();
      await avs.stop();
    },
  };
}

/**
 * An AggregatedResult as @avs/bls's service produces it, built directly from the operator state
 * with the given signers (everyone else in the task's quorums is a non-signer).
 */
export async function aggregateFor(
  net: AvsNetwork,
  taskIndex: number,
  task: Task,
  digest: `0x${string}`,
  signers: BlsKeyPair[],
): Promise<AggregatedResult> {
  const state = await net.reader.getOperatorState(task.referenceBlockNumber, task.quorumNumbers);
  const signerIds = new Set<string>(signers.map((k) => k.operatorId));
  const nonSigners = state.operators
    .filter((o) => !signerIds.has(o.operatorId))
    .sort((a, b) => (BigInt(a.operatorId) < BigInt(b.operatorId) ? -1 : 1));
  const quorumApks = task.quorumNumbers.map((q) =>
    aggregatePublicKeysG1(state.operators.filter((o) => o.stakes.has(q)).map((o) => o.publicKeyG1)),
  );
  return {
    status: 'aggregated',
    taskIndex,
    referenceBlock: task.referenceBlockNumber,
    digest,
    quorumNumbers: task.quorumNumbers,
    nonSignerPublicKeysG1: nonSigners.map((o) => o.publicKeyG1),
    nonSignerOperatorIds: nonSigners.map((o) => o.operatorId),
    quorumApksG1: quorumApks,
    signersApkG2: aggregatePublicKeysG2(signers.map((k) => k.publicKeyG2)),
    signersAggSigG1: aggregateSignatures(signers.map((k) => k.sign(digest))),
    signerOperatorIds: signers.map((k) => k.operatorId as OperatorId),
    signedStakePerQuorum: [],
    totalStakePerQuorum: [],
  };
}
