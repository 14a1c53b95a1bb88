// Test-only helpers: register operators and build respondToTask arguments with @avs/bls.
// (The production client for this lives in @avs/chain, which depends on this package.)
import {
  aggregatePublicKeysG1,
  aggregatePublicKeysG2,
  aggregateSignatures,
  type BlsKeyPair,
  g1FromSolidity,
  g1ToSolidity,
  g2ToSolidity,
  makePubkeyRegistrationParams,
} from '@avs/bls';
import {
  AbiCoder,
  Contract,
  JsonRpcProvider,
  keccak256,
  type Provider,
  type TransactionReceipt,
  Wallet,
} from 'ethers';
import { operatorRegistryAbi, operatorStateRetrieverAbi, taskManagerAbi } from '../../src/index.js';
import type { LocalAvs } from '../../src/local-chain-entry.js';

export interface Handles {
  provider: JsonRpcProvider;
  owner: Wallet;
  registry: Contract;
  retriever: Contract;
  taskManager: Contract;
}

export function connect(avs: LocalAvs): Handles {
  const provider = new JsonRpcProvider(avs.rpcUrl, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  const owner = new Wallet(avs.accounts[0]!.privateKey, provider);
  const d = avs.deployment;
  return {
    provider,
    owner,
    registry: new Contract(d.operatorRegistry, operatorRegistryAbi, owner),
    retriever: new Contract(d.operatorStateRetriever, operatorStateRetrieverAbi, provider),
    taskManager: new Contract(d.taskManager, taskManagerAbi, owner),
  };
}

/** Registration parameters as the contract takes them (proof of possession over the registry's point). */
export async function registrationParams(registry: Contract, operator: string, key: BlsKeyPair) {
  const point = g1FromSolidity(await registry.getFunction('pubkeyRegistrationMessageHash')(operator));
  const p = makePubkeyRegistrationParams(key, point);
  return {
    pubkeyRegistrationSignature: g1ToSolidity(p.pubkeyRegistrationSignature),
    pubkeyG1: g1ToSolidity(p.pubkeyG1),
    pubkeyG2: g2ToSolidity(p.pubkeyG2),
  };
}

/**
 * Waits for a sent transaction by polling its receipt. (ethers' tx.wait() subscribes to new blocks and
 * can miss the block on an automining node when the transaction is mined before its first poll.)
 */
export async function mined(
  sent: Promise<{ hash: string; provider: Provider }>,
): Promise<TransactionReceipt> {
  const tx = await sent;
  for (let i = 0; i < 2_000; i++) {
    const receipt = await tx.provider.getTransactionReceipt(tx.hash);
    if (receipt) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no receipt for ${tx.hash}`);
}

export interface TestOperator {
  wallet: Wallet;
  key: BlsKeyPair;
}

/** Owner sets `stake` in each quorum, then the operator registers with endpoints derived from `tag`. */
export async function registerOperator(
  h: Handles,
  op: TestOperator,
  quorums: number[],
  stake: bigint,
  tag: string,
): Promise<void> {
  for (const q of quorums) {
    await mined(h.registry.getFunction('setOperatorStake')(op.wallet.address, q, stake));
  }
  const params = await registrationParams(h.registry, op.wallet.address, op.key);
  const asOperator = h.registry.connect(op.wallet) as Contract;
  await mined(
    asOperator.getFunction('registerOperator')(
      Uint8Array.from(quorums),
      `raft://${tag}.example:7000`,
      `http://${tag}.example:8000`,
      params,
    ),
  );
}

export interface TaskStruct {
  payloadHash: string;
  referenceBlockNumber: bigint;
  quorumThresholdPercentage: bigint;
  quorumNumbers: string;
}

export async function createTask(
  h: Handles,
  payload: string,
  threshold: number,
  quorums: number[],
): Promise<{ index: number; task: TaskStruct }> {
  const receipt = await mined(
    h.taskManager.getFunction('createNewTask')(
      keccak256(new TextEncoder().encode(payload)),
      threshold,
      Uint8Array.from(quorums),
    ),
  );
  const log = receipt.logs
    .map((l) => h.taskManager.interface.parseLog(l))
    .find((l) => l?.name === 'NewTaskCreated');
  if (!log) throw new Error('no NewTaskCreated event');
  const t = log.args.task;
  return {
    index: Number(log.args.taskIndex),
    task: {
      payloadHash: t.payloadHash,
      referenceBlockNumber: t.referenceBlockNumber,
      quorumThresholdPercentage: t.quorumThresholdPercentage,
      quorumNumbers: t.quorumNumbers,
    },
  };
}

export function responseDigest(response: { referenceTaskIndex: number; result: string }): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['tuple(uint32,bytes)'],
      [[response.referenceTaskIndex, response.result]],
    ),
  );
}

/**
 * Builds NonSignerStakesAndSignature for `signers` (every other operator of the task's quorums at the
 * reference block is a non-signer), reading state through the retriever as an aggregator would.
 */
export async function buildAggregate(
  h: Handles,
  task: TaskStruct,
  digest: string,
  signers: BlsKeyPair[],
  allKeys: Map<string, BlsKeyPair>,
) {
  const registryAddress = await h.registry.getAddress();
  const state: { operatorId: string }[][] = await h.retriever.getFunction(
    'getOperatorState(address,bytes,uint32)',
  )(registryAddress, task.quorumNumbers, task.referenceBlockNumber);
  const signerIds = new Set(signers.map((k) => k.operatorId));
  const quorumApks = state.map((ops) =>
    g1ToSolidity(aggregatePublicKeysG1(ops.map((o) => allKeys.get(o.operatorId)!.publicKeyG1))),
  );
  const nonSignerIds = [...new Set(state.flat().map((o) => o.operatorId))]
    .filter((id) => !signerIds.has(id as `0x${string}`))
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const indices = await h.retriever.getFunction('getCheckSignaturesIndices')(
    registryAddress,
    task.referenceBlockNumber,
    task.quorumNumbers,
    nonSignerIds,
  );
  return {
    nonSignerQuorumBitmapIndices: [...indices.nonSignerQuorumBitmapIndices],
    nonSignerPubkeys: nonSignerIds.map((id) => g1ToSolidity(allKeys.get(id)!.publicKeyG1)),
    quorumApks,
    apkG2: g2ToSolidity(aggregatePublicKeysG2(signers.map((k) => k.publicKeyG2))),
    sigma: g1ToSolidity(aggregateSignatures(signers.map((k) => k.sign(digest as `0x${string}`)))),
    quorumApkIndices: [...indices.quorumApkIndices],
    totalStakeIndices: [...indices.totalStakeIndices],
    nonSignerStakeIndices: indices.nonSignerStakeIndices.map((a: bigint[]) => [...a]),
  };
}

/** The custom error name a reverted call carries (ethers decodes it with the contract ABI). */
export async function revertName(promise: Promise<unknown>, h: Handles): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: string }).data;
    const revert = (error as { revert?: { name: string } }).revert;
    if (revert?.name) return revert.name;
    if (data) {
      for (const c of [h.taskManager, h.registry]) {
        const parsed = c.interface.parseError(data);
        if (parsed) return parsed.name;
      }
    }
    throw error;
  }
  throw new Error('expected a revert, the call succeeded');
}
