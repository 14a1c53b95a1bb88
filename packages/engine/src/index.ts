export {
  type OperatorRaftConfig,
  operatorRaftConfigSchema,
  parseEngineConfig,
  type ResolvedEngineConfig,
} from './config.js';
export {
  createRaftNodeFactory,
  type RaftNodeFactoryOptions,
  raftNodeFactory,
} from './consensus/consensus-factory.js';
export type {
  ConsensusCallOptions,
  ConsensusConfChange,
  ConsensusEventMap,
  ConsensusNode,
  ConsensusNodeFactory,
  ConsensusNodeOptions,
  ConsensusSettings,
} from './consensus/consensus-node.js';
export {
  createTaskConsensusEngine,
  type EngineStatus,
  TaskConsensusEngine,
  type TaskConsensusEngineOptions,
  type TaskSpec,
} from './engine.js';
export type { EngineEventMap, Unsubscribe } from './engine-events.js';
export * from './errors.js';
export {
  createHttpEngineTransport,
  type HttpEngineTransport,
  type HttpEngineTransportOptions,
  MAX_JOIN_BODY_BYTES,
  MAX_TASK_RESPONSE_BODY_BYTES,
} from './http/http-engine-transport.js';
export type { AggregationOptions } from './leader/leader-duties.js';
export type { ElectionResult, LeaderInfo } from './leader/leadership.js';
export { type ClusterProbeAnswer, clusterProbeAnswerSchema } from './membership/cluster-probe.js';
export {
  type ForceNewClusterOptions,
  type ForceNewClusterResult,
  forceNewCluster,
} from './membership/force-new-cluster.js';
export {
  type JoinAnswer,
  type JoinAuthenticator,
  type JoinRequest,
  joinRequestSchema,
  randomNonce,
  type SignedJoinRequest,
  signedJoinRequestSchema,
} from './membership/join-request.js';
export type { VoterCandidate, VoterStep } from './membership/voter-plan.js';
export {
  type AcceptedResponse,
  InMemoryChain,
  type InMemoryChainHooks,
  type InMemoryChainOperator,
} from './memory/memory-chain.js';
export {
  createMemoryEngineNetwork,
  type MemoryEngineNetwork,
  memoryUrl,
} from './memory/memory-engine-network.js';
export {
  type EngineCallbacksOptions,
  type OperatorEndpoints,
  type ProcessedResponse,
  type ResponseSigner,
  resolveResponseProcessor,
  type SignedTaskResponse,
  type TaskConsensusCallbacks,
} from './ports/callbacks.js';
export type {
  BatchSubmission,
  BatchSubmissionItem,
  EngineChain,
  RegistryEvent,
  RegistryEvents,
  SubmittedResponse,
  TaskSubmission,
  TaskSubmitter,
} from './ports/chain-port.js';
export {
  type EngineRpcClient,
  type EngineRpcHandler,
  type EngineTransport,
  fromRemoteError,
  type PeerAddress,
  type RemoteErrorBody,
  toRemoteError,
} from './ports/engine-transport.js';
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
} from './ports/wire.js';
export type { BatchProof } from './tasks/batch-digest.js';
export type { BatchingOptions } from './tasks/batch-packer.js';
export * from './tasks/task-command.js';
export * from './tasks/task-state.js';
