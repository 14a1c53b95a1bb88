/**
 * EigenLayer's own contracts on a local anvil: the vendored incredible-squaring
 * chain state (EigenLayer core M2, eigenlayer-middleware, IncredibleSquaringTaskManager;
 * third-party test data, see `third_party/eigenlayer-incredible-squaring/README.md`)
 * loaded with `anvil --load-state`, then ~100 blocks mined (the registries recorded
 * their quorum at a later block than the restarted chain's 0).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JsonRpcProvider } from 'ethers';
import { AnvilStartError } from './errors.js';
import {
  type LocalAccount,
  type LocalChain,
  type LocalChainOptions,
  startLocalChain,
} from './local-chain.js';

/** Where the vendored fixture lives (a directory of the package, next to `src/` and `dist/`). */
export const EIGENLAYER_FIXTURE_DIR = fileURLToPath(
  new URL('../third_party/eigenlayer-incredible-squaring/', import.meta.url),
);

/** Addresses of the EigenLayer deployment in the fixture. */
export interface EigenLayerDeployment {
  chainId: number;
  /** EigenLayer core (M2). */
  delegationManager: string;
  strategyManager: string;
  avsDirectory: string;
  /** eigenlayer-middleware and the incredible-squaring AVS. */
  registryCoordinator: string;
  operatorStateRetriever: string;
  serviceManager: string;
  taskManager: string;
  /** The mock token and its strategy (the quorum's only strategy, multiplier 1e18). */
  erc20Mock: string;
  erc20MockStrategy: string;
  /** The first block worth reading history from (after the mined blocks). */
  readyBlock: number;
}

/** The fixture's files, read from the package. */
export function eigenLayerFixture(): {
  statePath: string;
  deployment: Omit<EigenLayerDeployment, 'readyBlock'>;
  /** The IncredibleSquaringTaskManager ABI as shipped with the fixture (JSON ABI). */
  taskManagerAbi: unknown[];
} {
  const read = (name: string) => JSON.parse(readFileSync(`${EIGENLAYER_FIXTURE_DIR}${name}`, 'utf8'));
  const core = read('eigenlayer_deployment_output.json').addresses;
  const avs = read('credible_squaring_avs_deployment_output.json').addresses;
  return {
    statePath: `${EIGENLAYER_FIXTURE_DIR}avs-and-eigenlayer-state.anvil1.json`,
    deployment: {
      chainId: 31337,
      delegationManager: core.delegation,
      strategyManager: core.strategyManager,
      avsDirectory: core.avsDirectory,
      registryCoordinator: avs.registryCoordinator,
      operatorStateRetriever: avs.operatorStateRetriever,
      serviceManager: avs.credibleSquaringServiceManager,
      taskManager: avs.credibleSquaringTaskManager,
      erc20Mock: avs.erc20Mock,
      erc20MockStrategy: avs.erc20MockStrategy,
    },
    taskManagerAbi: read('IncredibleSquaringTaskManager.abi.json'),
  };
}

/** Options of {@link startEigenLayerChain}. */
export interface EigenLayerChainOptions extends Omit<LocalChainOptions, 'loadStatePath' | 'chainId'> {
  /** Blocks mined after loading; default 100. */
  mineBlocks?: number;
}

/** A running anvil with EigenLayer's contracts. */
export interface EigenLayerChain extends LocalChain {
  eigenlayer: EigenLayerDeployment;
  /** Account #9: the fixture's task generator and aggregator (`createNewTask`, `respondToTask`). */
  aggregator: LocalAccount;
}

/**
 * Starts anvil from the vendored EigenLayer state and mines `mineBlocks` blocks.
 * Needs at least 10 accounts (account #9 is the aggregator); default 10.
 * @throws The errors of startLocalChain; AnvilStartError when the state did not load.
 */
export async function startEigenLayerChain(options: EigenLayerChainOptions = {}): Promise<EigenLayerChain> {
  const fixture = eigenLayerFixture();
  const accounts = Math.max(options.accounts ?? 10, 10);
  const chain = await startLocalChain({
    ...options,
    accounts,
    chainId: fixture.deployment.chainId,
    loadStatePath: fixture.statePath,
  });
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  try {
    const code = await provider.getCode(fixture.deployment.registryCoordinator);
    if (code === '0x') throw new AnvilStartError('the EigenLayer state did not load (no code)', '');
    await provider.send('anvil_mine', [`0x${(options.mineBlocks ?? 100).toString(16)}`]);
    const readyBlock = await provider.getBlockNumber();
    return {
      ...chain,
      eigenlayer: { ...fixture.deployment, readyBlock },
      aggregator: chain.accounts[9]!,
    };
  } catch (error) {
    await chain.stop();
    throw error;
  } finally {
    provider.destroy();
  }
}
