/**
 * @avs/contracts/local-chain (Node only): start and stop anvil, and start-and-deploy in one call.
 */
export { anvilBinaryPath } from './anvil-binary.js';
export {
  EIGENLAYER_FIXTURE_DIR,
  type EigenLayerChain,
  type EigenLayerChainOptions,
  type EigenLayerDeployment,
  eigenLayerFixture,
  startEigenLayerChain,
} from './eigenlayer-chain.js';
export { AnvilNotFoundError, AnvilStartError } from './errors.js';
export { type LocalAvs, type LocalAvsOptions, startLocalAvs } from './local-avs.js';
export {
  LOCAL_CHAIN_MNEMONIC,
  type LocalAccount,
  type LocalChain,
  type LocalChainOptions,
  startLocalChain,
} from './local-chain.js';
