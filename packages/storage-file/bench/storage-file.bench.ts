/**
 * Benchmark of @avs/storage-file, run with `pnpm --filter @avs/storage-file bench`.
 *
 * 1. Single-entry appends/s (each save awaited: one write + fdatasync per entry), against a raw
 *    loop of `write + fdatasync` of the same record size on the same disk, in the same run,
 *    in 6 short alternating rounds so load from other processes hits both; the median of the
 *    per-round ratios is reported. Goal: ratio >= 0.9.
 * 2. Batched 256-byte entries/s (4096 entries per save, each awaited). Goal: >= 200,000/s. Next to
 *    it, a raw write + fdatasync loop of the same bytes per call (the disk's limit for that workload),
 *    and 4 saves of 1024 in flight, which group commit merges into one write + fdatasync.
 *
 * Prints a table and merges its section ("storage-file") into <repo>/bench-results/storage.json,
 * leaving other backends' sections in place.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  batchedAppends,
  benchEntry,
  ENTRY_BYTES,
  mergeStorageResults,
  type Rate,
  singleAppends,
} from '@avs/storage-testkit/bench';
import { FileStorage } from '../src/index.js';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 300);
const ROUNDS = 6;
const BATCH = 4096;
const GROUP_BATCH = 1024;
const quiet = { warn: () => {}, info: () => {} };

/** Raw baseline: the same number of bytes per op as a one-entry WAL record, write + fdatasync. */
async function rawLoop(dir: string, ms: number, recordBytes: number): Promise<Rate> {
  const file = await open(join(dir, `raw-${Date.now()}.bin`), 'w');
  const buf = new Uint8Array(recordBytes).fill(7);
  let pos = 0;
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await file.write(buf, 0, buf.length, pos);
    await file.datasync();
    pos += buf.length;
    ops++;
  }
  const seconds = (performance.now() - start) / 1000;
  await file.close();
  return { ops, seconds };
}

/**
 * `inFlight` saves of `size` entries outstanding at once, which group commit
 * merges into one write + fdatasync. Building the entries is not timed.
 */
async function groupedAppends(
  storage: FileStorage,
  ms: number,
  inFlight: number,
  size: number,
): Promise<Rate> {
  let next = storage.lastIndex() + 1;
  let ops = 0;
  let seconds = 0;
  while (seconds * 1000 < ms) {
    const saves = Array.from({ length: inFlight }, () => {
      const batch = Array.from({ length: size }, (_, i) => benchEntry(next + i));
      next += size;
      return batch;
    });
    const start = performance.now();
    await Promise.all(
      saves.map((batch) => storage.save({ entries: batch, hardState: { term: 1, vote: 'n1', commit: 0 } })),
    );
    seconds += (performance.now() - start) / 1000;
    ops += size * inFlight;
  }
  return { ops, seconds };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'storage-file-bench-'));
  try {
    // One-entry update record: 8 framing + 1 type + 1 flags + 18 hard state + 2 vote + 4 count + 21 entry header + data.
    const recordBytes = 8 + 1 + 1 + 8 + 8 + 2 + 2 + 4 + 21 + ENTRY_BYTES;
    const storage = await FileStorage.open({ dir: join(work, 'single'), logger: quiet });
    // Short alternating phases, so load from other processes hits both sides alike.
    const rawRates: number[] = [];
    const ourRates: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await rawLoop(work, PHASE_MS, recordBytes);
      const s = await singleAppends(storage, PHASE_MS);
      rawRates.push(r.ops / r.seconds);
      ourRates.push(s.ops / s.seconds);
      ratios.push(s.ops / s.seconds / (r.ops / r.seconds));
    }
    await storage.close();
    // Batched, in alternating rounds with the disk's own limit for that workload (the same bytes
    // per write + fdatasync, raw) and with group commit; medians are reported.
    const batchBytes = BATCH * (21 + ENTRY_BYTES) + 64;
    const sequential = await FileStorage.open({ dir: join(work, 'batched'), logger: quiet });
    const grouped = await FileStorage.open({ dir: join(work, 'grouped'), logger: quiet });
    const batchedRates: number[] = [];
    const rawBatchRates: number[] = [];
    const groupRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const b = await batchedAppends(sequential, PHASE_MS * 2, BATCH);
      const r = await rawLoop(work, PHASE_MS, batchBytes);
      const g = await groupedAppends(grouped, PHASE_MS * 2, 4, GROUP_BATCH);
      batchedRates.push(b.ops / b.seconds);
      rawBatchRates.push((r.ops * BATCH) / r.seconds);
      groupRates.push(g.ops / g.seconds);
    }
    await sequential.close();
    await grouped.close();

    const section = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      disk: tmpdir(),
      rounds: ROUNDS,
      phaseMs: PHASE_MS,
      singleEntryAppendsPerSec: Math.round(median(ourRates)),
      rawWriteFdatasyncPerSec: Math.round(median(rawRates)),
      singleVsRawRatio: Number(median(ratios).toFixed(3)),
      singleVsRawRatioPerRound: ratios.map((r) => Number(r.toFixed(3))),
      singleVsRawGoal: 0.9,
      batchedEntriesPerSec: Math.round(median(batchedRates)),
      batchedEntriesPerSecPerRound: batchedRates.map(Math.round),
      rawSameBytesEntriesPerSec: Math.round(median(rawBatchRates)),
      groupCommitEntriesPerSec: Math.round(median(groupRates)),
      groupCommitBatchSize: GROUP_BATCH,
      batchedGoal: 200_000,
      batchedEntryBytes: ENTRY_BYTES,
      batchSize: BATCH,
      groupCommitSavesInFlight: 4,
      loadAverage1m: loadavg()[0],
    };
    console.table({
      'raw write+fdatasync (ops/s, median)': { value: section.rawWriteFdatasyncPerSec, goal: '' },
      'single-entry save (appends/s, median)': { value: section.singleEntryAppendsPerSec, goal: '' },
      'single / raw (median of rounds)': { value: section.singleVsRawRatio, goal: '>= 0.9' },
      [`batched ${ENTRY_BYTES} B entries, ${BATCH}/save awaited (entries/s, median)`]: {
        value: section.batchedEntriesPerSec,
        goal: '>= 200000',
      },
      'raw write+fdatasync of the same bytes (entries/s)': {
        value: section.rawSameBytesEntriesPerSec,
        goal: '',
      },
      [`4 saves of ${GROUP_BATCH} in flight, group commit (entries/s)`]: {
        value: section.groupCommitEntriesPerSec,
        goal: '',
      },
      'load average (1 min) during run': { value: section.loadAverage1m, goal: '' },
    });
    console.log(`wrote ${await mergeStorageResults('storage-file', section)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
