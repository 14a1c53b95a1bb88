import { expect, it } from 'vitest';
import { MemoryStorage } from '../src/memory-storage.js';
import type { RaftNode } from '../src/node/raft-node.js';
import { ListStateMachine } from './support/list-state-machine.js';
import { startSingleVoter } from './support/single-voter.js';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Regression: the node ran a queued snapshot write only when no Ready waited for a write. Under
 * steady load a Ready always piles up while a write runs, so no snapshot was ever written and the
 * log grew until the load stopped (storage-kv's raft-node scenario on LevelDB hit it with one
 * proposal at a time once commit-only saves stopped holding up applies).
 */
it('writes snapshots and compacts while proposals keep arriving', async () => {
  const total = 100;
  let sent = 0;
  let snapshotSeenUnderLoad = 0;
  let snapshotPastCommit = 0;
  const answered: Promise<number>[] = [];
  let node: RaftNode<number> | undefined;
  let leading = false;
  // A new request arrives during every storage write (clients do not wait for the fsync), and every
  // write yields to the event loop first, as a disk backend does.
  const storage: MemoryStorage = new MemoryStorage({
    beforeWrite: () => {
      if (leading && sent < total) {
        sent++;
        answered.push(node!.propose(enc(`cmd-${sent}`)));
        snapshotSeenUnderLoad = Math.max(snapshotSeenUnderLoad, storage.snapshot().metadata.index);
      }
      // A restart refuses a stored snapshot past the stored commit index, so a deferred commit
      // index must be written before the snapshot that needs it.
      const snapIndex = storage.snapshot().metadata.index;
      if (snapIndex > storage.getHardState().commit) snapshotPastCommit = snapIndex;
      return new Promise<void>((r) => setImmediate(r));
    },
  });
  const sm = new ListStateMachine();
  node = await startSingleVoter(storage, { tickMs: 5, snapshotEntries: 8, snapshotTrailingEntries: 2 }, sm);
  leading = true;
  await node.propose(enc('first')); // elected and writing; from here on the writes drive the load
  while (sent < total) await Promise.all(answered);
  await Promise.all(answered);
  await node.close();
  expect(sm.items).toHaveLength(total + 1);
  expect(snapshotSeenUnderLoad).toBeGreaterThan(0);
  expect(snapshotPastCommit).toBe(0);
  expect(storage.firstIndex()).toBeGreaterThan(1);
});

it('writes a deferred commit index before the snapshot that covers it (one proposal at a time)', async () => {
  let snapshotPastCommit = 0;
  let snapshots = 0;
  const storage: MemoryStorage = new MemoryStorage({
    beforeWrite: (kind) => {
      // Seen before each write, so after the one before it: a restart here must accept the state.
      const snapIndex = storage.snapshot().metadata.index;
      if (snapIndex > storage.getHardState().commit) snapshotPastCommit = snapIndex;
      if (kind === 'createSnapshot') snapshots++;
      return new Promise<void>((r) => setImmediate(r));
    },
  });
  const node = await startSingleVoter(storage, { tickMs: 5, snapshotEntries: 4, snapshotTrailingEntries: 1 });
  for (let i = 0; i < 20; i++) await node.propose(enc(`one-${i}`));
  await node.close();
  const snapIndex = storage.snapshot().metadata.index;
  if (snapIndex > storage.getHardState().commit) snapshotPastCommit = snapIndex;
  expect(snapshots).toBeGreaterThan(0);
  expect(snapshotPastCommit).toBe(0);
});
