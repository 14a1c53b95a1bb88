/**
 * @avs/chain: ethers v6 access to the AVS contracts and to EigenLayer's registries.
 * Runtime-neutral (no node: imports).
 */
export { abiDigest } from './abi-digest.js';
export { AvsRegistryReader } from './avs-registry-reader.js';
export { type BatchAggregateHeader, checkBatchAggregate, taskBatchOf } from './batch-response.js';
export {
  type AvsConnection,
  type AvsContracts,
  type ConnectAvsOptions,
  connectAvs,
} from './connect-avs.js';
export {
  IncredibleSquaringTaskManagerAdapter,
  type IncredibleSquaringTaskManagerOptions,
  type SquaringResponse,
  type SquaringTask,
  squaringPayloadHash,
  squaringResponseDigest,
  squaringResponseSchema,
} from './eigenlayer/incredible-squaring-task-manager.js';
export {
  erc20MockAbi,
  incredibleSquaringTaskManagerAbi,
  m2AvsDirectoryAbi,
  m2BlsApkRegistryAbi,
  m2DelegationManagerAbi,
  m2RegistryCoordinatorAbi,
  m2StrategyManagerAbi,
  NON_SIGNER_STAKES_AND_SIGNATURE,
  PUBKEY_REGISTRATION_PARAMS,
  SIGNATURE_WITH_SALT_AND_EXPIRY,
} from './eigenlayer/m2-abis.js';
export {
  EigenLayerOperatorClient,
  type EigenLayerOperatorClientOptions,
  type EigenLayerOperatorContracts,
  type EigenLayerRegistration,
  signAvsRegistrationDigest,
} from './eigenlayer/operator-client.js';
export {
  blsApkRegistryAbi,
  eigenLayerOperatorStateRetrieverAbi,
  registryCoordinatorAbi,
  socketRegistryAbi,
} from './eigenlayer-abis.js';
export {
  EigenLayerRegistryReader,
  type EigenLayerRegistryReaderOptions,
} from './eigenlayer-registry-reader.js';
export { normalizeEndpoints, operatorEndpointsSchema } from './endpoints.js';
export {
  ChainError,
  ContractRevertError,
  InvalidArgumentError,
  InvalidChainDataError,
  InvalidOperatorMessageError,
  RpcUnavailableError,
  SubmissionInProgressError,
  TaskAlreadyRespondedError,
  TaskNotFoundError,
} from './errors.js';
export { watchLogs } from './log-watch.js';
export { buildNonSignerStakesAndSignature } from './non-signer-stakes.js';
export {
  OperatorRegistryClient,
  PUBKEY_REGISTRATION_DOMAIN,
  pubkeyRegistrationDigest,
} from './operator-registry-client.js';
export type {
  CheckSignaturesIndices,
  OperatorEndpoints,
  OperatorRecord,
  OperatorRegistryReader,
} from './operator-registry-reader.js';
export { type CreateProviderOptions, createProvider } from './provider.js';
export { checkBlockNumber, quorumNumbersFromBytes, quorumNumbersToBytes } from './quorums.js';
export {
  parseRegistryLog,
  type RegistryEventSource,
  type RegistryEventsOptions,
  type RegistryLogEvent,
  registryEvents,
} from './registry-events.js';
export { parseSocket, type RegistryReaderOptions } from './retriever-reader.js';
export { isTransientRpcError, type RetryOptions, withRetry } from './retry.js';
export { decodeRevert } from './revert.js';
export {
  type CreatedTask,
  type NonSignerStakesAndSignatureStruct,
  type RespondedTask,
  type ResponseAggregate,
  type SubmittedBatch,
  type SubmittedResponse,
  TaskManagerClient,
  type TaskManagerClientOptions,
  type WatchOptions,
} from './task-manager-client.js';
export { avsTaskManager, type TaskManagerPort, type TaskResponseEvent } from './task-manager-port.js';
export {
  type Task,
  type TaskResponse,
  taskFromStruct,
  taskHash,
  taskResponseDigest,
  taskResponseSchema,
  taskSchema,
  taskToStruct,
} from './task-types.js';
export { TransactionSender, type TransactionSenderOptions } from './transaction-sender.js';
