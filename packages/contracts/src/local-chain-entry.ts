/**
 * @avs/contracts/local-chain (Node only): start and stop anvil, and start-and-deploy in one call.
 */
export { anvilBinaryPath } from './anvil-binary.js';
export { AnvilNotFoundError, AnvilStartError } from './errors.js';
export { type LocalAvs, type LocalAvsOptions, startLocalAvs } from './local-avs.js';
export {
  LOCAL_CHAIN_MNEMONIC,
  type LocalAccount,
  type LocalChain,
  type LocalChainOptions,
  startLocalChain,
} from './local-chain.js';
