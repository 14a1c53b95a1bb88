/**
 * The storage benchmark workloads shared by the key-value backends' bench
 * scripts (`packages/storage-{level,dynamodb}/bench`), the same ones
 * `@avs/storage-file` measures: single-entry appends (each save awaited, so
 * each is one durable write) and batched 256-byte entries. Not part of the
 * package's API.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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

/** A benchmark entry at `index`. */
export function benchEntry(index: number): Entry {
  return { index, term: 1, type: EntryType.Normal, data: new Uint8Array(ENTRY_BYTES).fill(index & 0xff) };
}

/** Runs `op` back to back for `ms` milliseconds. */
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

/** Saves of {@link BATCH} entries of {@link ENTRY_BYTES} bytes; counts entries. */
export function batchedAppends(storage: Storage, ms: number): Promise<Rate> {
  return timed(ms, async () => {
    const next = storage.lastIndex() + 1;
    const entries = Array.from({ length: BATCH }, (_, i) => benchEntry(next + i));
    await storage.save({ entries, hardState: { term: 1, vote: 'n1', commit: next - 1 } });
    return BATCH;
  });
}

/** Read-modify-write of `<repo>/bench-results/storage.json` (or `$BENCH_RESULTS_DIR`): other backends keep their sections. */
export async function mergeStorageResults(key: string, section: object): Promise<string> {
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = process.env.BENCH_RESULTS_DIR ?? join(repoRoot, 'bench-results');
  const path = join(dir, 'storage.json');
  await mkdir(dir, { recursive: true });
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // No file yet: start one.
  }
  results[key] = section;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}
