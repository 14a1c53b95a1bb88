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
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Entry, EntryType } from '@avs/raft-core';
import { FileStorage } from '../src/index.js';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 300);
const ROUNDS = 6;
const ENTRY_BYTES = 256;
const BATCH = 4096;
const GROUP_BATCH = 1024;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const quiet = { warn: () => {}, info: () => {} };

/** One payload shared by all entries: the benchmark measures the storage, not the caller's allocations. */
const payload = new Uint8Array(ENTRY_BYTES).fill(0xab);

function entry(index: number): Entry {
  return { index, term: 1, type: EntryType.Normal, data: payload };
}

/** Raw baseline: the same number of bytes per op as a one-entry WAL record, write + fdatasync. */
async function rawLoop(
  dir: string,
  ms: number,
  recordBytes: number,
): Promise<{ ops: number; seconds: number }> {
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

async function singleAppends(storage: FileStorage, ms: number): Promise<{ ops: number; seconds: number }> {
  let next = storage.lastIndex() + 1;
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await storage.save({ entries: [entry(next)], hardState: { term: 1, vote: 'n1', commit: next - 1 } });
    next++;
    ops++;
  }
  return { ops, seconds: (performance.now() - start) / 1000 };
}

/**
 * Saves of BATCH entries. `inFlight` 1: each save awaited (what one Raft Ready does);
 * more: several saves outstanding, which group commit merges into one write + fdatasync.
 * Building the entries is not timed.
 */
async function batchedAppends(
  storage: FileStorage,
  ms: number,
  inFlight: number,
  size: number,
): Promise<{ entries: number; seconds: number }> {
  let next = storage.lastIndex() + 1;
  let entries = 0;
  let seconds = 0;
  while (seconds * 1000 < ms) {
    const saves = Array.from({ length: inFlight }, () => {
      const batch = Array.from({ length: size }, (_, i) => entry(next + i));
      next += size;
      return batch;
    });
    const start = performance.now();
    await Promise.all(
      saves.map((batch) => storage.save({ entries: batch, hardState: { term: 1, vote: 'n1', commit: 0 } })),
    );
    seconds += (performance.now() - start) / 1000;
    entries += size * inFlight;
  }
  return { entries, seconds };
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
      const b = await batchedAppends(sequential, PHASE_MS * 2, 1, BATCH);
      const r = await rawLoop(work, PHASE_MS, batchBytes);
      const g = await batchedAppends(grouped, PHASE_MS * 2, 4, GROUP_BATCH);
      batchedRates.push(b.entries / b.seconds);
      rawBatchRates.push((r.ops * BATCH) / r.seconds);
      groupRates.push(g.entries / g.seconds);
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
    await mergeResults(section);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Read-modify-write of bench-results/storage.json: other backends keep their sections. */
async function mergeResults(section: object): Promise<void> {
  const dir = process.env.BENCH_RESULTS_DIR ?? join(repoRoot, 'bench-results');
  const path = join(dir, 'storage.json');
  await mkdir(dir, { recursive: true });
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // No file yet (or unreadable): start a new one.
  }
  results['storage-file'] = section;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await rename(tmp, path);
  console.log(`wrote ${path}`);
}

await main();
