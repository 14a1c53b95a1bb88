/**
 * The context object the engine's parts (response worker, leader duties, batch duties, join
 * service, registry follower) receive from the engine: identity, configuration, clock, replicated
 * state, the Raft node, and the engine's propose/emit/report functions. Internal: not exported
 * from the package.
 */
import type { Clock } from '@avs/raft-core';
import type { ResolvedEngineConfig } from './config.js';
import type { ConsensusNode } from './consensus/consensus-node.js';
import type { EngineEventMap } from './engine-events.js';
import type { EngineChain } from './ports/chain-port.js';
import type { EngineTransport } from './ports/engine-transport.js';
import type { TaskCommand } from './tasks/task-command.js';
import type { ApplyOutcome, TaskStateMachine } from './tasks/task-state.js';

/** What {@link TaskConsensusEngine} hands to each of its parts (they hold it as `core`). */
export interface EngineContext {
  /** This node's Raft id: the lowercase operator address. */
  readonly id: string;
  /** This operator's BLS operator id. */
  readonly operatorId: string;
  readonly config: ResolvedEngineConfig;
  readonly clock: Clock;
  readonly state: TaskStateMachine;
  readonly transport: EngineTransport;
  readonly chain: EngineChain;
  /** The running node; throws EngineStateError before start / after close. */
  node(): ConsensusNode<ApplyOutcome>;
  /** Whether the engine is closing or closed (loops stop). */
  isClosed(): boolean;
  /** The leader as this node sees it, or `''`. */
  leaderId(): string;
  /** HTTP URL of a member from replicated metadata (or `''`). */
  httpUrlOf(id: string): string;
  /** Proposes a command; resolves with its apply outcome. */
  propose(command: TaskCommand): Promise<ApplyOutcome>;
  emit<E extends keyof EngineEventMap>(type: E, event: EngineEventMap[E]): void;
  /** Reports a background failure as an `error` event. */
  reportError(error: unknown, context: string): void;
}
