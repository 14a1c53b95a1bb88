/** The default {@link ConsensusNodeFactory}: `RaftNode` from `@avs/raft-core`, and its hooks. */
import { type Logger, RaftNode } from '@avs/raft-core';
import type { ConsensusNode, ConsensusNodeFactory } from './consensus-node.js';

/** Hooks of {@link createRaftNodeFactory}, for embedders that observe the node (metrics, logs). */
export interface RaftNodeFactoryOptions {
  /** Raft's own logger (elections, snapshots, dropped messages); default silent. */
  readonly logger?: Logger;
  /**
   * Called once with each started node; the engine uses what it returns. Observers wrap methods
   * here (e.g. count `propose` outcomes) instead of re-implementing the factory.
   */
  readonly wrap?: <R>(node: ConsensusNode<R>) => ConsensusNode<R>;
}

/** A factory that starts a `RaftNode` with the engine's state machine, storage and transport. */
export function createRaftNodeFactory(hooks: RaftNodeFactoryOptions = {}): ConsensusNodeFactory {
  return async <R>(o: Parameters<ConsensusNodeFactory>[0]) => {
    const node: ConsensusNode<R> = await RaftNode.start<R>({
      id: o.id,
      storage: o.storage,
      transport: o.transport,
      stateMachine: o.stateMachine as never,
      ...(o.clock ? { clock: o.clock } : {}),
      config: o.settings,
      ...(o.bootstrap ? { bootstrap: { voters: o.bootstrap.voters } } : {}),
      ...(hooks.logger ? { logger: hooks.logger } : {}),
    });
    return hooks.wrap ? hooks.wrap(node) : node;
  };
}

/** The engine's default: {@link createRaftNodeFactory} without hooks. */
export const raftNodeFactory: ConsensusNodeFactory = createRaftNodeFactory();
