import type { G1Point, G2Point } from '../curve.js';
import type { Digest } from '../digest.js';
import type { G1Json, G1Solidity } from '../encoding.js';
import type { OperatorId } from '../operator-id.js';

/** One registered operator at a reference block. */
export interface OperatorInfo {
  /** keccak256 of the G1 key (checked by the service). */
  operatorId: OperatorId;
  /** Registered G1 key (validated point). */
  publicKeyG1: G1Point;
  /**
   * Registered G2 key (validated point). The service trusts that it shares the
   * G1 key's secret: the registry enforced that with a proof of possession.
   */
  publicKeyG2: G2Point;
  /** Stake per quorum number, for every quorum the operator is registered in (0 is a valid stake). */
  stakes: ReadonlyMap<number, bigint>;
}

/** One quorum at a reference block. */
export interface QuorumInfo {
  quorumNumber: number;
  /** Total stake of the quorum at the block. */
  totalStake: bigint;
  /** The quorum's aggregate G1 key as the registry stores it; computed from the operators when absent. */
  aggregatePublicKeyG1?: G1Point;
}

/** The operator set of some quorums at a reference block. */
export interface OperatorSetState {
  /**
   * Every operator registered in at least one of the requested quorums. Others may be listed too:
   * their signatures are refused with OperatorNotInQuorumError (unlisted ones with UnknownOperatorError).
   */
  operators: readonly OperatorInfo[];
  /** One entry per requested quorum. */
  quorums: readonly QuorumInfo[];
}

/**
 * Where operator state comes from. `@avs/chain` implements it against the
 * registry contracts; tests use {@link InMemoryOperatorStateProvider}.
 */
export interface OperatorStateProvider {
  /**
   * The operators and quorum totals of `quorumNumbers` at `referenceBlock`.
   * May return the same object for the same arguments (the service does not mutate it).
   */
  getOperatorState(referenceBlock: number, quorumNumbers: readonly number[]): Promise<OperatorSetState>;
}

/** When a task gives up. At least one of the two must be set. */
export interface TaskExpiry {
  /** Expire this many milliseconds (of the service's clock) after `initializeTask`. */
  afterMs?: number;
  /** Expire once a block with this number or higher is reported through `observeBlock`. */
  atBlock?: number;
}

/** Parameters of {@link BlsAggregationService.initializeTask}. */
export interface TaskParams {
  /** Unique task number (uint32 on-chain). One aggregation per index. */
  taskIndex: number;
  /** Block at which stakes and keys are read. */
  referenceBlock: number;
  /** Distinct quorum numbers (0..255). */
  quorumNumbers: readonly number[];
  /** Threshold per quorum, integer percent 0..100, aligned with quorumNumbers: signed*100 >= total*pct. */
  thresholdPercentages: readonly number[];
  expiry: TaskExpiry;
  /**
   * After the thresholds are first met (and verified), keep collecting signatures for this many ms
   * before delivering the result. Default 0: deliver at once. The window closes early when every operator has signed.
   */
  windowMs?: number;
}

/** A signature sent to {@link BlsAggregationService.processSignature}. */
export interface SignatureSubmission {
  taskIndex: number;
  /** The 32-byte digest that was signed (e.g. keccak256 of the ABI-encoded response). */
  digest: Digest;
  /** G1 signature: a point (re-validated) or an encoding (decoded and validated). */
  signature: G1Point | G1Solidity | G1Json | Uint8Array;
  operatorId: OperatorId | string;
}

/**
 * The aggregate for one digest, shaped as the on-chain verifier's input
 * (`NonSignerStakesAndSignature` minus the indices, which `@avs/chain` reads).
 */
export interface AggregatedResult {
  status: 'aggregated';
  taskIndex: number;
  referenceBlock: number;
  /** The digest that reached the thresholds, 0x-prefixed lowercase hex. */
  digest: `0x${string}`;
  quorumNumbers: readonly number[];
  /** G1 keys of the quorums' operators that did not sign this digest, sorted by operatorId as uint256. */
  nonSignerPublicKeysG1: G1Point[];
  /** The non-signers' ids, same order. */
  nonSignerOperatorIds: OperatorId[];
  /** Each quorum's aggregate G1 key at the reference block, aligned with quorumNumbers. */
  quorumApksG1: G1Point[];
  /** Sum of the signers' G2 keys, each counted once per task quorum it belongs to. */
  signersApkG2: G2Point;
  /** Sum of the signers' signatures, each counted once per task quorum it belongs to. */
  signersAggSigG1: G1Point;
  /** The signers, sorted by operatorId as uint256. */
  signerOperatorIds: OperatorId[];
  /** Stake that signed, per quorum, aligned with quorumNumbers. */
  signedStakePerQuorum: bigint[];
  /** Total stake per quorum, aligned with quorumNumbers. */
  totalStakePerQuorum: bigint[];
}

/** Progress of the best digest of a task that expired. */
export interface BestProgress {
  digest: `0x${string}`;
  /** Stake of the accepted signatures (including ones not yet verified), per quorum. */
  signedStakePerQuorum: bigint[];
  totalStakePerQuorum: bigint[];
  signerCount: number;
}

/** The task ended without reaching its thresholds. */
export interface ExpiredResult {
  status: 'expired';
  taskIndex: number;
  referenceBlock: number;
  quorumNumbers: readonly number[];
  /** What ended it: the wall-clock deadline, the expiry block, or `close()`. */
  reason: 'time' | 'block' | 'closed';
  /** The digest closest to its thresholds, or null if nothing was signed. */
  best: BestProgress | null;
}

/** The one terminal result of a task. */
export type AggregationResult = AggregatedResult | ExpiredResult;

/** An operator signed two different digests for one task; both signatures verify. Evidence included. */
export interface EquivocationReport {
  taskIndex: number;
  operatorId: OperatorId;
  first: { digest: `0x${string}`; signature: G1Point };
  second: { digest: `0x${string}`; signature: G1Point };
}

/** A signature that was accepted optimistically and then failed verification (found by bisection). */
export interface InvalidSignatureReport {
  taskIndex: number;
  operatorId: OperatorId;
  digest: `0x${string}`;
}
