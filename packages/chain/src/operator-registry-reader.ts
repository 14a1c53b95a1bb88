import type { G1Point, G2Point, OperatorId } from '@avs/bls';
import type { OperatorSetState, OperatorStateProvider } from '@avs/bls/aggregation';

/** Where an operator can be reached. */
export interface OperatorEndpoints {
  /** URL of its Raft transport. */
  raftUrl: string;
  /** URL of its HTTP API (task responses, join). */
  httpUrl: string;
}

/** One operator as registered at a block. */
export interface OperatorRecord {
  /** Its Ethereum (ECDSA) address. */
  address: string;
  /** keccak256 of its G1 key, lowercase 0x-hex. */
  operatorId: OperatorId;
  publicKeyG1: G1Point;
  publicKeyG2: G2Point;
  /** Stake per quorum it is registered in at the block. */
  stakes: ReadonlyMap<number, bigint>;
  /** Its endpoints at the block (EigenLayer: the current socket), or null if none/unparseable. */
  endpoints: OperatorEndpoints | null;
}

/** History indices for `checkSignatures` (EigenLayer's OperatorStateRetriever.CheckSignaturesIndices). */
export interface CheckSignaturesIndices {
  nonSignerQuorumBitmapIndices: number[];
  quorumApkIndices: number[];
  totalStakeIndices: number[];
  nonSignerStakeIndices: number[][];
}

/**
 * Read access to the operator registry at a block: what the aggregation service
 * (`OperatorStateProvider` of @avs/bls) and the engine (validate an operator, find its URLs) need.
 * Implemented for this project's contracts ({@link AvsRegistryReader}) and for EigenLayer's
 * middleware ({@link EigenLayerRegistryReader}).
 */
export interface OperatorRegistryReader extends OperatorStateProvider {
  /** Address the reader treats as the registry coordinator (ours: the OperatorRegistry). */
  readonly registryCoordinator: string;
  /** The latest block number. */
  getBlockNumber(): Promise<number>;
  /** The operator with this address if registered in at least one quorum at `blockNumber` (default: latest). */
  getOperator(address: string, blockNumber?: number): Promise<OperatorRecord | null>;
  /** The operator with this id if registered at `blockNumber` (default: latest). */
  getOperatorById(operatorId: string, blockNumber?: number): Promise<OperatorRecord | null>;
  /** Whether `address` is registered in at least one quorum at `blockNumber` (default: latest). */
  isRegisteredOperator(address: string, blockNumber?: number): Promise<boolean>;
  /** Operators, stakes and keys of `quorumNumbers` at `referenceBlock` (cached per block and quorum set). */
  getOperatorState(referenceBlock: number, quorumNumbers: readonly number[]): Promise<OperatorSetState>;
  /** The history indices `respondToTask` needs for these non-signers. */
  getCheckSignaturesIndices(
    referenceBlock: number,
    quorumNumbers: readonly number[],
    nonSignerOperatorIds: readonly string[],
  ): Promise<CheckSignaturesIndices>;
}
