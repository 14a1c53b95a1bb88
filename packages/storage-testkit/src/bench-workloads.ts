/**
 * The storage benchmark workloads every backend's bench script runs
 * (`packages/storage-{file,level,dynamodb}/bench`): single-entry appends (each
 * save awaited, so each is one durable write) and batched 256-byte entries,
 * plus the read-modify-write of `bench-results/storage.json` they share.
 * Exported as `@avs/storage-testkit/bench`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Entry, EntryType, type Storage } from '@avs/raft-core';

/** Payload of every benchmark entry. */
export const ENTRY_BYTES = 256;
/** Entries per save in the batched workload. */
export const BATCH = 1024;
/** Length of one measured phase; `BENCH_PHASE_MS` overrides. */
export const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 1000);

/** Operations done in a timed phase. */
export interface Rate {
  readonly ops: number;
  readonly seconds: number;
}

/** Per second. */
export function perSecond(rate: Rate): number {
  return rate.ops / rate.seconds;
}

/** Adds two measurements of the same thing. */
export function plus(a: Rate, b: Rate): Rate {
  return { ops: a.ops + b.ops, seconds: a.seconds + b.seconds };
}

/** One payload shared by all entries: the benchmark measures the storage, not the caller's allocations. */
const payload = new Uint8Array(ENTRY_BYTES).fill(0xab);

/** A benchmark entry at `index`. */
export function benchEntry(index: number): Entry {
  return { index, term: 1, type: EntryType.Normal, data: payload };
}

/** Runs `op` back to back for `ms` milliseconds; `op` returns how many operations it did. */
export async function timed(ms: number, op: (n: number) => Promise<number>): Promise<Rate> {
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) ops += await op(ops);
  return { ops, seconds: (performance.now() - start) / 1000 };
}

/** Single-entry saves with the hard state, each awaited (one durable write per entry). */
export function singleAppends(storage: Storage, ms: number): Promise<Rate> {
  return timed(ms, async () => {
    const next = storage.lastIndex() + 1;
    await storage.save({ entries: [benchEntry(next)], hardState: { term: 1, vote: 'n1', commit: next - 1 } });
    return 1;
  });
}

/** Saves of `size` entries of {@link ENTRY_BYTES} bytes, each awaited; counts entries. */
export function batchedAppends(storage: Storage, ms: number, size = BATCH): Promise<Rate> {
  return timed(ms, async () => {
    const next = storage.lastIndex() + 1;
    const entries = Array.from({ length: size }, (_, i) => benchEntry(next + i));
    await storage.save({ entries, hardState: { term: 1, vote: 'n1', commit: next - 1 } });
    return size;
  });
}

/**
 * Read-modify-write of `<repo>/bench-results/storage.json` (or `$BENCH_RESULTS_DIR`):
 * other backends keep their sections. @returns the file's path
 */
export async function mergeStorageResults(key: string, section: object): Promise<string> {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = process.env.BENCH_RESULTS_DIR ?? join(repoRoot, 'bench-results');
  const path = join(dir, 'storage.json');
  await mkdir(dir, { recursive: true });
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // No file yet (or unreadable): start a new one.
  }
  results[key] = section;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}

/** A storage backend under benchmark, with the raw baseline it is compared to. */
export interface BackendBench {
  /** Section key in `storage.json`, e.g. `storage-level`. */
  readonly name: string;
  /** What the raw baseline does, e.g. `raw classic-level put sync`. */
  readonly rawLabel: string;
  /** Why single/raw is what it is, shown next to the ratio (optional). */
  readonly ratioNote?: string;
  /** Where it ran (`disk`, `server`, ...), recorded in the section. */
  readonly context: Record<string, string>;
  /** Opens a fresh, initialised storage named `name`. */
  open(name: 'single' | 'batched'): Promise<Storage & { close(): Promise<void> }>;
  /** One raw operation per call of the same value size; `n` numbers them from 0 within the run. */
  rawOp(n: number): Promise<void>;
}

/**
 * Runs the shared workloads against one backend: single-entry appends
 * interleaved with the raw baseline (two rounds, so noise hits both), then
 * batched entries. Prints a table and merges the section into `storage.json`.
 */
export async function runBackendBench(bench: BackendBench): Promise<void> {
  const storage = await bench.open('single');
  let raw: Rate = { ops: 0, seconds: 0 };
  let single: Rate = { ops: 0, seconds: 0 };
  for (let round = 0; round < 2; round++) {
    const start = raw.ops;
    raw = plus(
      raw,
      await timed(PHASE_MS, async (n) => {
        await bench.rawOp(start + n);
        return 1;
      }),
    );
    single = plus(single, await singleAppends(storage, PHASE_MS));
  }
  await storage.close();
  const batchedStorage = await bench.open('batched');
  const batched = await batchedAppends(batchedStorage, PHASE_MS * 2);
  await batchedStorage.close();

  const section = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    ...bench.context,
    singleEntryAppendsPerSec: Math.round(perSecond(single)),
    rawBaseline: bench.rawLabel,
    rawOpsPerSec: Math.round(perSecond(raw)),
    singleVsRawRatio: Number((perSecond(single) / perSecond(raw)).toFixed(3)),
    batchedEntriesPerSec: Math.round(perSecond(batched)),
    batchedEntryBytes: ENTRY_BYTES,
    batchSize: BATCH,
    // Other work on the machine skews every figure: recorded so a reader can judge.
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
  console.table({
    [`${bench.rawLabel} (ops/s)`]: { value: section.rawOpsPerSec },
    'single-entry save (appends/s)': { value: section.singleEntryAppendsPerSec },
    [bench.ratioNote ? `single / raw (${bench.ratioNote})` : 'single / raw']: {
      value: section.singleVsRawRatio,
    },
    [`batched ${ENTRY_BYTES} B entries (entries/s)`]: { value: section.batchedEntriesPerSec },
  });
  console.log(`wrote ${await mergeStorageResults(bench.name, section)}`);
}
