import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { runRaftNodeScenario } from '../../storage-kv/test/raft-node-scenario.js';
import { createLevelStorage } from '../src/index.js';

it('runs a RaftNode on LevelDB: proposes, snapshots, compacts, restarts with the same state', async () => {
  const location = await mkdtemp(join(tmpdir(), 'avs-level-raft-'));
  try {
    await runRaftNodeScenario(() => createLevelStorage({ location }));
  } finally {
    await rm(location, { recursive: true, force: true });
  }
});
