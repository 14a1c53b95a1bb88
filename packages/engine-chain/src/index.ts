/**
 * @avs/engine-chain: binds `@avs/engine`'s ports to `@avs/chain`. The engine
 * owns its ports and knows nothing of ethers; the chain client knows nothing
 * of the engine; this package is where the two meet. Runtime-neutral (no node: imports).
 */
export {
  type ChainAdapter,
  type ChainAdapterOptions,
  chainResponseDigest,
  createChainAdapter,
  type SubmittingTaskManager,
  taskSpecOf,
} from './chain-adapter.js';
export {
  type Eip712JoinAuthenticator,
  eip712JoinAuthenticator,
  JOIN_ANSWER_TYPES,
  JOIN_DOMAIN_NAME,
  JOIN_DOMAIN_VERSION,
  JOIN_REQUEST_TYPES,
  joinAnswerDigest,
  joinRequestDigest,
  recoverJoinAnswerSigner,
  recoverJoinSigner,
  signJoinAnswer,
  signJoinRequest,
} from './eip712-join.js';
export { type OnChainTaskCheckOptions, onChainTaskCheck, type TaskReader } from './on-chain-task-check.js';
export { engineRegistryEvent, engineRegistryEvents } from './registry-events-port.js';
