/**
 * The devnet's chain, behind one shape for both contract sets:
 * - `avs-raft`: anvil with this project's contracts deployed; operators are anvil accounts 1..n,
 *   registered with the OperatorRegistry, stake set by the owner (the stub);
 * - `eigenlayer`: anvil loaded with EigenLayer's own contracts (the vendored incredible-squaring
 *   state); operators get fresh keys and register through EigenLayer (DelegationManager, a
 *   deposit into the ERC20Mock strategy, RegistryCoordinator); tasks are created by the fixture's
 *   generator and answered with its aggregator key.
 */
import type { BlsKeyPair } from '@avs/bls';
import {
  connectAvs,
  createProvider,
  EigenLayerOperatorClient,
  EigenLayerRegistryReader,
  IncredibleSquaringTaskManagerAdapter,
  OperatorRegistryClient,
} from '@avs/chain';
import { type LocalAvs, startEigenLayerChain, startLocalAvs } from '@avs/contracts/local-chain';
import { type JsonRpcProvider, Wallet } from 'ethers';
import { describeResult, payloadHash, type TaskPayload } from '../avs/example-avs.js';
import { type AvsTaskModule, jsonPayloadHash } from '../avs/task-module.js';
import type { OperatorConfigInput } from '../config.js';

/** Which contracts the devnet runs on. */
export type DevnetChainKind = 'avs-raft' | 'eigenlayer';

/** The chain part of the devnet. */
export interface DevnetChain {
  readonly kind: DevnetChainKind;
  /** The running anvil and the addresses (`operatorRegistry` is the RegistryCoordinator on eigenlayer). */
  readonly chain: LocalAvs;
  readonly provider: JsonRpcProvider;
  /** Whether the task manager takes oracle (price) tasks: incredible-squaring squares only. */
  readonly oracleTasks: boolean;
  /** The operator config's chain fields. */
  readonly operatorConfig: Pick<
    OperatorConfigInput,
    'rpcUrl' | 'chainId' | 'contracts' | 'fromBlock' | 'chain'
  >;
  /** Environment the operator processes need (the aggregator key on eigenlayer). */
  readonly env: Readonly<Record<string, string>>;
  /** Registers operator `i` with its BLS key and URL; returns its ECDSA key and address. */
  registerOperator(i: number, bls: BlsKeyPair, url: string): Promise<{ privateKey: string; address: string }>;
  /** Called once every operator is registered (the owner's stake stub on avs-raft). */
  finishRegistration(addresses: readonly string[]): Promise<void>;
  /**
   * Creates one task per payload; returns their indexes in order. `module` (a team's own task
   * module, avs-raft chain only) hashes the payloads instead of the examples.
   */
  createTasks(
    payloads: readonly TaskPayload[] | readonly unknown[],
    thresholdPercentage: number,
    module?: AvsTaskModule,
  ): Promise<number[]>;
  /** Calls `listener` for every response verified on-chain. Returns a stop function. */
  watchVerified(
    listener: (taskIndex: number, txHash: string, summary: string) => void,
    module?: AvsTaskModule,
  ): () => void;
  stop(): Promise<void>;
}

const STAKE = 1_000n * 10n ** 18n;
/** The fixture's ERC20Mock strategy caps one deposit (StrategyBaseTVLLimits): one token each. */
const EIGENLAYER_DEPOSIT = 10n ** 18n;
const GAS_MONEY = '0x56BC75E2D63100000'; // 100 ETH
const AGGREGATOR_KEY_ENV = 'AVS_AGGREGATOR_KEY';

/** Starts anvil for `kind` with room for `operators` operators. */
export async function startDevnetChain(kind: DevnetChainKind, operators: number): Promise<DevnetChain> {
  return kind === 'eigenlayer' ? startEigenLayerDevnetChain() : startAvsRaftDevnetChain(operators);
}

async function startAvsRaftDevnetChain(n: number): Promise<DevnetChain> {
  const chain = await startLocalAvs({ accounts: n + 2, quorumCount: 1, taskResponseWindowBlocks: 100_000 });
  const chainId = Number(chain.deployment.chainId);
  const provider = createProvider(chain.rpcUrl, { chainId });
  const owner = new Wallet(chain.accounts[0]!.privateKey, provider);
  const { taskManager } = connectAvs({ provider, contracts: chain.deployment, signer: owner });
  return {
    kind: 'avs-raft',
    chain,
    provider,
    oracleTasks: true,
    operatorConfig: {
      rpcUrl: chain.rpcUrl,
      chainId,
      contracts: {
        operatorRegistry: chain.deployment.operatorRegistry,
        operatorStateRetriever: chain.deployment.operatorStateRetriever,
        taskManager: chain.deployment.taskManager,
      },
      fromBlock: chain.deployment.deployBlock,
    },
    env: {},
    async registerOperator(i, bls, url) {
      const account = chain.accounts[i + 1]!;
      await new OperatorRegistryClient({
        registry: chain.deployment.operatorRegistry,
        signer: new Wallet(account.privateKey, provider),
      }).registerOperator({
        keyPair: bls,
        quorumNumbers: [0],
        endpoints: { httpUrl: url, raftUrl: url },
        chainId,
      });
      return { privateKey: account.privateKey, address: account.address.toLowerCase() };
    },
    async finishRegistration(addresses) {
      await new OperatorRegistryClient({
        registry: chain.deployment.operatorRegistry,
        signer: owner,
      }).setOperatorStakes(0, new Map(addresses.map((a) => [a, STAKE])));
    },
    async createTasks(payloads, thresholdPercentage, module) {
      const hashOf = module
        ? (p: unknown) => (module.payloadHash ?? jsonPayloadHash)(p)
        : (p: unknown) => payloadHash(p as TaskPayload);
      const created = await taskManager.createTasks({
        payloadHashes: payloads.map(hashOf),
        quorumNumbers: [0],
        quorumThresholdPercentage: thresholdPercentage,
      });
      return created.map((t) => t.taskIndex);
    },
    watchVerified: (listener, module) =>
      taskManager.watchResponses(
        (r) =>
          listener(
            r.taskIndex,
            r.transactionHash,
            (module ? (module.describeResult ?? ((x: string) => x.slice(0, 18))) : describeResult)(
              r.response.result,
            ),
          ),
        { fromBlock: chain.deployment.deployBlock, pollIntervalMs: 200 },
      ),
    async stop() {
      provider.destroy();
      await chain.stop();
    },
  };
}

/**
 * incredible-squaring's TaskManager takes a response within a fixed number of blocks of the task.
 * An automining anvil makes a block per transaction, so at a few tasks a second (a creation and a
 * response each) that window passed in about a second and answers failed as "too late": blocks
 * come every second instead, as on a chain, and transactions wait for the next one (pipelined).
 */
const EIGENLAYER_BLOCK_SECONDS = 1;

async function startEigenLayerDevnetChain(): Promise<DevnetChain> {
  const el = await startEigenLayerChain({ blockTime: EIGENLAYER_BLOCK_SECONDS });
  const d = el.eigenlayer;
  const provider = createProvider(el.rpcUrl, { chainId: d.chainId });
  const chain: LocalAvs = {
    ...el,
    deployment: {
      chainId: BigInt(d.chainId),
      operatorRegistry: d.registryCoordinator,
      operatorStateRetriever: d.operatorStateRetriever,
      taskManager: d.taskManager,
      deployBlock: d.readyBlock,
    },
  };
  const reader = new EigenLayerRegistryReader({
    provider,
    registryCoordinator: d.registryCoordinator,
    operatorStateRetriever: d.operatorStateRetriever,
    middleware: 'm2',
  });
  // The fixture's generator (account #9) creates tasks; the operators answer with the same key as aggregator.
  const tasks = new IncredibleSquaringTaskManagerAdapter({
    provider,
    taskManager: d.taskManager,
    reader,
    signer: new Wallet(el.aggregator.privateKey, provider),
  });
  return {
    kind: 'eigenlayer',
    chain,
    provider,
    oracleTasks: false,
    operatorConfig: {
      rpcUrl: el.rpcUrl,
      chainId: d.chainId,
      contracts: {
        operatorRegistry: d.registryCoordinator,
        operatorStateRetriever: d.operatorStateRetriever,
        taskManager: d.taskManager,
      },
      fromBlock: d.readyBlock,
      chain: { kind: 'eigenlayer', aggregatorKeyEnv: AGGREGATOR_KEY_ENV },
    },
    env: { [AGGREGATOR_KEY_ENV]: el.aggregator.privateKey },
    async registerOperator(_i, bls, url) {
      // Fresh keys, funded for gas, registered the way EigenLayer's operator tooling does it.
      const wallet = Wallet.createRandom(provider);
      await provider.send('anvil_setBalance', [wallet.address, GAS_MONEY]);
      await new EigenLayerOperatorClient({ signer: wallet, contracts: d }).registerOperator({
        blsKey: bls,
        quorumNumbers: [0],
        socket: url,
        deposit: {
          strategy: d.erc20MockStrategy,
          token: d.erc20Mock,
          amount: EIGENLAYER_DEPOSIT,
          mint: true,
        },
      });
      return { privateKey: wallet.privateKey, address: wallet.address.toLowerCase() };
    },
    async finishRegistration() {},
    async createTasks(payloads, thresholdPercentage) {
      const created = await Promise.all(
        (payloads as readonly TaskPayload[]).map((p) => {
          if (p.kind !== 'square') throw new TypeError('incredible-squaring takes square tasks only');
          return tasks.createTask({
            payload: BigInt(p.number),
            quorumNumbers: [0],
            quorumThresholdPercentage: thresholdPercentage,
          });
        }),
      );
      return created.map((t) => t.taskIndex);
    },
    watchVerified: (listener) =>
      tasks.watchResponses(
        (r) => {
          const squared = (r.response as { numberSquared?: string } | undefined)?.numberSquared;
          listener(r.taskIndex, r.transactionHash, squared === undefined ? 'verified' : `→ ${squared}`);
        },
        { fromBlock: d.readyBlock, pollIntervalMs: 200 },
      ),
    async stop() {
      provider.destroy();
      await el.stop();
    },
  };
}
