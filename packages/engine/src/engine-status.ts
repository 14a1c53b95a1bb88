/** What `TaskConsensusEngine.status()` reports. */
import type { BlsBackendName } from '@avs/bls';

/** Answer of {@link TaskConsensusEngine.status}. */
export interface EngineStatus {
  readonly id: string;
  readonly operatorId: string;
  readonly httpUrl: string;
  readonly started: boolean;
  readonly closed: boolean;
  readonly role: string;
  readonly term: number;
  readonly leaderId: string;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly commit: number;
  readonly applied: number;
  readonly tasks: Readonly<Record<string, number>>;
  readonly skippedEntries: number;
  readonly pendingResponses: number;
  /** Ids with replicated metadata (URLs). */
  readonly members: readonly string[];
  /** The BLS backend signing and verifying in this process (`'mcl-wasm'` or `'noble'`). */
  readonly blsBackend: BlsBackendName;
  /** Whether requests are packed into batches (the `batching` option and a chain with `submitBatch`). */
  readonly batching: boolean;
}
