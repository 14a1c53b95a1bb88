export type { BatchProof } from './batch-digest.js';
export type { BatchingOptions } from './batch-packer.js';
export {
  type EngineCallbacksOptions,
  type OperatorEndpoints,
  type ProcessedResponse,
  type ResponseSigner,
  resolveResponseProcessor,
  type SignedTaskResponse,
  type TaskConsensusCallbacks,
} from './callbacks.js';
export type {
  BatchSubmission,
  BatchSubmissionItem,
  EngineChain,
  RegistryEvent,
  RegistryEvents,
  SubmittedResponse,
  TaskSubmission,
  TaskSubmitter,
} from './chain-port.js';
export { type ClusterProbeAnswer, clusterProbeAnswerSchema } from './cluster-probe.js';
export {
  type OperatorRaftConfig,
  operatorRaftConfigSchema,
  parseEngineConfig,
  type ResolvedEngineConfig,
} from './config.js';
export { raftNodeFactory } from './consensus-factory.js';
export type {
  ConsensusCallOptions,
  ConsensusConfChange,
  ConsensusEventMap,
  ConsensusNode,
  ConsensusNodeFactory,
  ConsensusNodeOptions,
  ConsensusSettings,
} from './consensus-node.js';
export {
  createTaskConsensusEngine,
  type EngineStatus,
  TaskConsensusEngine,
  type TaskConsensusEngineOptions,
  type TaskSpec,
} from './engine.js';
export type { EngineEventMap, Unsubscribe } from './engine-events.js';
export {
  type EngineRpcClient,
  type EngineRpcHandler,
  type EngineTransport,
  fromRemoteError,
  type PeerAddress,
  type RemoteErrorBody,
  toRemoteError,
} from './engine-transport.js';
export * from './errors.js';
export {
  createHttpEngineTransport,
  type HttpEngineTransport,
  type HttpEngineTransportOptions,
  MAX_JOIN_BODY_BYTES,
  MAX_TASK_RESPONSE_BODY_BYTES,
} from './http-engine-transport.js';
export {
  type JoinAnswer,
  type JoinAuthenticator,
  type JoinRequest,
  joinRequestSchema,
  randomNonce,
  type SignedJoinRequest,
  signedJoinRequestSchema,
} from './join-request.js';
export type { AggregationOptions } from './leader-duties.js';
export type { ElectionResult, LeaderInfo } from './leadership.js';
export {
  type AcceptedResponse,
  InMemoryChain,
  type InMemoryChainHooks,
  type InMemoryChainOperator,
} from './memory-chain.js';
export { createMemoryEngineNetwork, type MemoryEngineNetwork, memoryUrl } from './memory-engine-network.js';
export * from './task-command.js';
export * from './task-state.js';
export {
  g1JsonSchema,
  type JoinAnswerProof,
  type JoinResult,
  joinResultSchema,
  MAX_RESPONSES_PER_SUBMISSION,
  type ResponseVerdict,
  type SignedBatchResponseWire,
  type SubmitResponsesResult,
  signedBatchResponseWireSchema,
  signedTaskResponseWireSchema,
  submitResponsesResultSchema,
} from './wire.js';
