import { expect, it } from 'vitest';
import { createMemoryNetwork } from '../src/memory-network.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { RaftNode } from '../src/node/raft-node.js';
import { ListStateMachine } from './support/list-state-machine.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A commit index deferred to the next write is written at close; a failure there is logged, not thrown. */
it('closes cleanly when the storage refuses the deferred commit index at close', async () => {
  let refuse = false;
  const storage = new MemoryStorage({
    beforeWrite: () => (refuse ? Promise.reject(new Error('disk gone')) : undefined),
  });
  const node = await RaftNode.start<number>({
    id: 'a',
    storage,
    transport: createMemoryNetwork().transport('a'),
    stateMachine: new ListStateMachine(),
    bootstrap: { voters: ['a'] },
    config: { tickMs: 5 },
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
  await node.propose(enc('x'));
  expect(storage.getHardState().commit).toBeLessThan(node.status().applied);
  refuse = true;
  await expect(node.close()).resolves.toBeUndefined();
});
