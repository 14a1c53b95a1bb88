/**
 * The vendored EigenLayer fixture loads into the npm anvil: EigenLayer's
 * RegistryCoordinator answers, the aggregator is account #9, and the blocks
 * were mined so history reads at the ready block do not revert.
 */
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EigenLayerChain, startEigenLayerChain } from '../src/local-chain-entry.js';

let chain: EigenLayerChain;
let provider: JsonRpcProvider;

beforeAll(async () => {
  chain = await startEigenLayerChain();
  provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
});

it('loads EigenLayer and the incredible-squaring AVS, mined past the quorum creation', async () => {
  const d = chain.eigenlayer;
  expect(d.readyBlock).toBeGreaterThanOrEqual(100);
  const coordinator = new Contract(
    d.registryCoordinator,
    ['function quorumCount() view returns (uint8)'],
    provider,
  );
  expect(await coordinator.getFunction('quorumCount')()).toBe(1n);
  const tasks = new Contract(
    d.taskManager,
    ['function aggregator() view returns (address)', 'function generator() view returns (address)'],
    provider,
  );
  expect(await tasks.getFunction('aggregator')()).toBe(chain.aggregator.address);
  expect(await tasks.getFunction('generator')()).toBe(chain.aggregator.address);
  const index = new Contract(
    await new Contract(
      d.registryCoordinator,
      ['function indexRegistry() view returns (address)'],
      provider,
    ).getFunction('indexRegistry')(),
    ['function getOperatorListAtBlockNumber(uint8, uint32) view returns (address[])'],
    provider,
  );
  expect(await index.getFunction('getOperatorListAtBlockNumber')(0, d.readyBlock)).toEqual([]);
});
