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
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import {
  BATCH,
  batchedAppends,
  ENTRY_BYTES,
  mergeStorageResults,
  PHASE_MS,
  perSecond,
  plus,
  type Rate,
  singleAppends,
  timed,
} from '../../storage-kv/bench/workloads.js';
import { createLevelStorage } from '../src/index.js';

/** Raw baseline: one synced put of an entry-sized value per op. */
async function rawPuts(db: ClassicLevel<string, Uint8Array>, ms: number, start: number): Promise<Rate> {
  const value = new Uint8Array(ENTRY_BYTES + 9).fill(7);
  return timed(ms, async (n) => {
    await db.put(String(start + n).padStart(16, '0'), value, { sync: true });
    return 1;
  });
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'storage-level-bench-'));
  try {
    const raw = new ClassicLevel<string, Uint8Array>(join(work, 'raw'), { valueEncoding: 'view' });
    const storage = createLevelStorage({ location: join(work, 'single') });
    await storage.initialState();
    let rawRate: Rate = { ops: 0, seconds: 0 };
    let single: Rate = { ops: 0, seconds: 0 };
    for (let round = 0; round < 2; round++) {
      rawRate = plus(rawRate, await rawPuts(raw, PHASE_MS, rawRate.ops));
      single = plus(single, await singleAppends(storage, PHASE_MS));
    }
    await storage.close();
    await raw.close();
    const batchedStorage = createLevelStorage({ location: join(work, 'batched') });
    await batchedStorage.initialState();
    const batched = await batchedAppends(batchedStorage, PHASE_MS * 2);
    await batchedStorage.close();

    const section = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      disk: tmpdir(),
      singleEntryAppendsPerSec: Math.round(perSecond(single)),
      rawSyncedPutsPerSec: Math.round(perSecond(rawRate)),
      singleVsRawRatio: Number((perSecond(single) / perSecond(rawRate)).toFixed(3)),
      batchedEntriesPerSec: Math.round(perSecond(batched)),
      batchedEntryBytes: ENTRY_BYTES,
      batchSize: BATCH,
      // Other work on the machine skews every figure: recorded so a reader can judge.
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    };
    console.table({
      'raw classic-level put sync (ops/s)': { value: section.rawSyncedPutsPerSec },
      'single-entry save (appends/s)': { value: section.singleEntryAppendsPerSec },
      'single / raw': { value: section.singleVsRawRatio },
      [`batched ${ENTRY_BYTES} B entries (entries/s)`]: { value: section.batchedEntriesPerSec },
    });
    console.log(`wrote ${await mergeStorageResults('storage-level', section)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
