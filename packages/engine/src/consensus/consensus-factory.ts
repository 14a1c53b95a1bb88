/** The default {@link ConsensusNodeFactory}: `RaftNode` from `@avs/raft-core`. */
import { RaftNode } from '@avs/raft-core';
import type { ConsensusNode, ConsensusNodeFactory } from './consensus-node.js';

/** Starts a `RaftNode` with the engine's state machine, storage and transport. */
export const raftNodeFactory: ConsensusNodeFactory = async <R>(o: Parameters<ConsensusNodeFactory>[0]) => {
  const node = await RaftNode.start<R>({
    id: o.id,
    storage: o.storage,
    transport: o.transport,
    stateMachine: o.stateMachine as never,
    ...(o.clock ? { clock: o.clock } : {}),
    config: o.settings,
    ...(o.bootstrap ? { bootstrap: { voters: o.bootstrap.voters } } : {}),
  });
  const consensus: ConsensusNode<R> = node;
  return consensus;
};
