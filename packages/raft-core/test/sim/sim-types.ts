/** The simulator's options, result, failure, and its model of a node and of a message in flight. */
import type { MemoryStorage } from '../../src/memory-storage.js';
import type { RawNode } from '../../src/raw-node.js';
import type { Ready } from '../../src/ready.js';
import type { ConfState, Message, NodeId } from '../../src/types.js';

export interface SimOptions {
  readonly seed: number;
  /** Index into SHAPES; default: chosen by the seed. */
  readonly shape?: number;
  /** Time units of chaos (each unit: every live node ticks once). */
  readonly chaosTicks?: number;
  /** Ticks allowed after healing for a leader and all pending proposals. */
  readonly healTicks?: number;
  /**
   * Acknowledge a commit-only Ready (mustSync false) and apply it before its save completes, once every
   * earlier write is done, as RaftNode does. Off by default so the recorded seeds keep their interleavings.
   */
  readonly commitOnlyBeforeSave?: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly committed: number;
  readonly proposals: number;
  readonly crashes: number;
  readonly snapshotsInstalled: number;
  readonly leadersElected: number;
  /** Membership changes proposed (joint swaps, adds, removals, promotions, demotions). */
  readonly confChanges: number;
  /** Applied changes that no longer fit the configuration and were ignored (identically on every node). */
  readonly confErrors: number;
  /** Membership entries a snapshot already covered when they were applied. */
  readonly superseded: number;
  /** Linearizable reads answered and checked. */
  readonly reads: number;
  /** Commit-only Readies acknowledged before their save completed (`commitOnlyBeforeSave`). */
  readonly ackedBeforeSave: number;
}

/** Thrown with the seed in the message when a check fails. */
export class SimulationFailure extends Error {
  constructor(seed: number, what: string) {
    super(
      `raft simulation seed ${seed} failed: ${what}\nre-run exactly this seed with RAFT_SIM_SEED=${seed}`,
    );
  }
}

/** A message on the simulated network, due at `at`. */
export interface InFlight {
  readonly at: number;
  readonly m: Message;
}

/** One simulated node: its storage, its core (undefined while crashed) and its pipelines. */
export interface SimNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode | undefined;
  /** Readies handed out whose write has not completed. */
  writes: Ready[];
  /** Persisted Readies waiting to be applied, in order, each not before `at`. */
  applies: { rd: Ready; at: number }[];
  /** Applied normal entries' data, by index (the state machine). */
  applied: Map<number, string>;
  appliedIndex: number;
  appliedConf: ConfState;
  lastCommit: number;
  downUntil: number;
}
