import { expect, it } from 'vitest';
import { MemoryStorage } from '../src/memory-storage.js';
import { startSingleVoter } from './support/single-voter.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A commit index deferred to the next write is written at close; a failure there is logged, not thrown. */
it('closes cleanly when the storage refuses the deferred commit index at close', async () => {
  let refuse = false;
  const storage = new MemoryStorage({
    beforeWrite: () => (refuse ? Promise.reject(new Error('disk gone')) : undefined),
  });
  const node = await startSingleVoter(storage, { tickMs: 5 });
  await node.propose(enc('x'));
  expect(storage.getHardState().commit).toBeLessThan(node.status().applied);
  refuse = true;
  await expect(node.close()).resolves.toBeUndefined();
});
