/** What `TaskConsensusEngine.status()` reports, and how it is assembled from the engine's parts. */
import { type BlsBackendName, blsBackendName } from '@avs/bls';
import type { ConsensusNode } from './consensus/consensus-node.js';
import type { ApplyOutcome, TaskStateMachine } from './tasks/task-state.js';

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
  /** Learners receive the log, answer and sign, but do not vote. */
  readonly learners: readonly string[];
  /** At most this many voters (`config.maxVoters`); the leader's autopilot fills free seats by stake. */
  readonly maxVoters: number;
  /**
   * On the leader: milliseconds since it last heard from each voter and learner (what the autopilot
   * compares with `voterUnreachableMs`); empty on other nodes.
   */
  readonly lastContactMs: Readonly<Record<string, number>>;
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

/** The engine's parts {@link engineStatusOf} reads, as they are at the call. */
export interface EngineStatusSources {
  readonly id: string;
  readonly operatorId: string;
  readonly httpUrl: string;
  /** The Raft node's status; undefined before the node started. */
  readonly node: ReturnType<ConsensusNode<ApplyOutcome>['status']> | undefined;
  readonly closed: boolean;
  readonly state: TaskStateMachine;
  readonly pendingResponses: number;
  readonly batching: boolean;
  readonly maxVoters: number;
  readonly lastContactMs: Readonly<Record<string, number>>;
}

/** Assembles {@link EngineStatus} (what `TaskConsensusEngine.status()` returns). */
export function engineStatusOf(sources: EngineStatusSources): EngineStatus {
  const st = sources.node;
  const tasks: Record<string, number> = {};
  for (const t of sources.state.tasks()) tasks[t.status] = (tasks[t.status] ?? 0) + 1;
  return {
    id: sources.id,
    operatorId: sources.operatorId,
    httpUrl: sources.httpUrl,
    started: st !== undefined,
    closed: sources.closed,
    role: st?.role ?? 'stopped',
    term: st?.term ?? 0,
    leaderId: st?.leader ?? '',
    voters: st?.config.voters ?? [],
    learners: st?.config.learners ?? [],
    maxVoters: sources.maxVoters,
    lastContactMs: sources.lastContactMs,
    commit: st?.commit ?? 0,
    applied: st?.applied ?? 0,
    tasks,
    skippedEntries: sources.state.skipped().total,
    pendingResponses: sources.pendingResponses,
    members: sources.state.members().map((m) => m.id),
    blsBackend: blsBackendName(),
    batching: sources.batching,
  };
}
