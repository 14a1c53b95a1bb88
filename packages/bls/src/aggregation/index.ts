export type { Clock } from './clock.js';
export {
  DuplicateSignatureError,
  EquivocationError,
  InvalidSignatureError,
  InvalidTaskError,
  OperatorNotInQuorumError,
  OperatorStateError,
  ServiceClosedError,
  TaskExistsError,
  TaskFinishedError,
  TooManyInvalidSignaturesError,
  UnknownOperatorError,
  UnknownTaskError,
} from './errors.js';
export { type InMemoryOperator, InMemoryOperatorStateProvider } from './memory-operator-state.js';
export { type AggregationServiceOptions, BlsAggregationService } from './service.js';
export type {
  AggregatedResult,
  AggregationResult,
  BestProgress,
  EquivocationReport,
  ExpiredResult,
  InvalidSignatureReport,
  OperatorInfo,
  OperatorSetState,
  OperatorStateProvider,
  QuorumInfo,
  SignatureSubmission,
  TaskExpiry,
  TaskParams,
} from './types.js';
export {
  type AggregateClaim,
  checkClaim,
  checkClaimsBatch,
  findInvalidSignatures,
  type SignedEntry,
} from './verifier.js';
