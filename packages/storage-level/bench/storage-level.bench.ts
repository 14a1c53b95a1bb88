/**
 * Benchmark of @avs/storage-level: `pnpm --filter @avs/storage-level bench`.
 *
 * 1. Single-entry appends/s (each save awaited: one synced LevelDB batch per
 *    entry), against a raw loop of classic-level `put(..., { sync: true })` of
 *    the same value size on the same disk, interleaved so noise hits both.
 * 2. Batched 256-byte entries/s (1024 entries per save).
 *
 * Prints a table; merges its section ("storage-level") into <repo>/bench-results/storage.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY_BYTES, runBackendBench } from '@avs/storage-testkit/bench';
import { ClassicLevel } from 'classic-level';
import { createLevelStorage } from '../src/index.js';

const work = await mkdtemp(join(tmpdir(), 'storage-level-bench-'));
const raw = new ClassicLevel<string, Uint8Array>(join(work, 'raw'), { valueEncoding: 'view' });
const value = new Uint8Array(ENTRY_BYTES + 9).fill(7);
try {
  await runBackendBench({
    name: 'storage-level',
    rawLabel: 'raw classic-level put sync',
    context: { disk: tmpdir() },
    async open(name) {
      const storage = createLevelStorage({ location: join(work, name) });
      await storage.initialState();
      return storage;
    },
    rawOp: (n) => raw.put(String(n).padStart(16, '0'), value, { sync: true }),
  });
} finally {
  await raw.close();
  await rm(work, { recursive: true, force: true });
}
