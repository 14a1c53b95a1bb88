/** A started one-voter RaftNode over a given MemoryStorage, for driver tests. */
import { createMemoryNetwork } from '../../src/memory-network.js';
import type { MemoryStorage } from '../../src/memory-storage.js';
import type { RaftNodeConfig } from '../../src/node/node-config.js';
import { RaftNode } from '../../src/node/raft-node.js';
import { ListStateMachine } from './list-state-machine.js';

/** Starts node `a` as the only voter and resolves once it leads. */
export async function startSingleVoter(
  storage: MemoryStorage,
  config: RaftNodeConfig,
  sm = new ListStateMachine(),
): Promise<RaftNode<number>> {
  const node = await RaftNode.start<number>({
    id: 'a',
    storage,
    transport: createMemoryNetwork().transport('a'),
    stateMachine: sm,
    bootstrap: { voters: ['a'] },
    config,
  });
  await new Promise<void>((resolve) => {
    if (node.status().role === 'leader') return resolve();
    const off = node.on('role-change', ({ role }) => {
      if (role === 'leader') {
        off();
        resolve();
      }
    });
  });
  return node;
}
