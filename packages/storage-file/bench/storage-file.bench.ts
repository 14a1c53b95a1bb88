/**
 * Benchmark of @avs/storage-file, run with `pnpm --filter @avs/storage-file bench`.
 *
 * The machine is shared and its disk's fsync time swings by several times within seconds, so
 * every figure is a ratio against a raw baseline measured *interleaved at the level of single
 * operations* (storage op, raw op, storage op, ...): whatever slows the disk at a given moment
 * slows both. Each round yields one ratio; the report gives the median over `BENCH_ROUNDS`
 * rounds (default 31, of 40 op pairs each; one warm-up round is dropped), the interquartile spread of the rounds
 * (`(q3 - q1) / median`), and the medians of the first and second halves of the rounds (their
 * difference shows whether a repeated run would agree).
 *
 * 1. Single-entry appends (each save awaited: one write + fdatasync per entry) against a raw
 *    `write + fdatasync` of the same record size at increasing offsets. Goal: ratio >= 0.9.
 * 2. Batched 256-byte entries, 4096 per save, each awaited, against a raw `write + fdatasync` of
 *    the same bytes. Goal: >= 250,000 entries/s. Entries are built before the clock starts
 *    (the caller's allocations are not the storage's cost).
 * 3. 4 saves of 1024 in flight, which group commit merges into one write + fdatasync.
 *
 * Prints a table and merges its section ("storage-file") into <repo>/bench-results/storage.json,
 * leaving other backends' sections in place.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '@avs/raft-core';
import { benchEntry, ENTRY_BYTES, mergeStorageResults } from '@avs/storage-testkit/bench';
import { FileStorage } from '../src/index.js';

/** BENCH_SMOKE=1 (CI): a few rounds, so the script cannot rot; its figures mean nothing. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (SMOKE ? 2 : 31));
/** Operation pairs per round (single appends), saves per round (batched). */
const SINGLE_PAIRS = Number(process.env.BENCH_SINGLE_PAIRS ?? (SMOKE ? 4 : 40));
const BATCH_PAIRS = Number(process.env.BENCH_BATCH_PAIRS ?? (SMOKE ? 1 : 4));
const BATCH = 4096;
const GROUP_BATCH = 1024;
const GROUP_IN_FLIGHT = 4;
const quiet = { warn: () => {}, info: () => {} };
const hardState = (commit: number) => ({ term: 1, vote: 'n1', commit });

/** A raw file written at increasing offsets, one `write + fdatasync` per call. */
async function rawFile(dir: string, name: string) {
  const file = await open(join(dir, name), 'w');
  let pos = 0;
  return {
    async op(buf: Uint8Array): Promise<void> {
      await file.write(buf, 0, buf.length, pos);
      await file.datasync();
      pos += buf.length;
    },
    close: () => file.close(),
  };
}

async function time(op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

/** Median, quartile spread and split-half medians of per-round figures. */
export interface Summary {
  readonly median: number;
  /** (q3 - q1) / median. */
  readonly spread: number;
  readonly firstHalfMedian: number;
  readonly secondHalfMedian: number;
  /** |first - second| / median: how far two runs of half the length apart. */
  readonly halvesDiffer: number;
  readonly rounds: number[];
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const median = quantile(s, 0.5);
  const half = Math.floor(xs.length / 2);
  const m = (ys: number[]) =>
    quantile(
      [...ys].sort((a, b) => a - b),
      0.5,
    );
  const first = m(xs.slice(0, half));
  const second = m(xs.slice(half));
  return {
    median,
    spread: (quantile(s, 0.75) - quantile(s, 0.25)) / median,
    firstHalfMedian: first,
    secondHalfMedian: second,
    halvesDiffer: Math.abs(first - second) / median,
    rounds: xs,
  };
}

const r3 = (x: number) => Number(x.toFixed(3));
const show = (s: Summary) => ({
  median: r3(s.median),
  spread: r3(s.spread),
  firstHalfMedian: r3(s.firstHalfMedian),
  secondHalfMedian: r3(s.secondHalfMedian),
  halvesDiffer: r3(s.halvesDiffer),
  perRound: s.rounds.map(r3),
});

/** Single appends vs raw write + fdatasync, interleaved op by op. @returns per-round ratios and rates */
async function singleRounds(work: string) {
  // One-entry update record: 8 framing + 1 type + 1 flags + 18 hard state + 2 vote + 4 count + 21 entry header + data.
  const recordBytes = 8 + 1 + 1 + 8 + 8 + 2 + 2 + 4 + 21 + ENTRY_BYTES;
  const rawBuf = new Uint8Array(recordBytes).fill(7);
  const storage = await FileStorage.open({ dir: join(work, 'single'), logger: quiet });
  const raw = await rawFile(work, 'raw-single.bin');
  const ratios: number[] = [];
  const ourRates: number[] = [];
  const rawRates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < SINGLE_PAIRS; i++) {
      const next = storage.lastIndex() + 1;
      const entries = [benchEntry(next)];
      // Alternate which goes first, so neither always follows the other's fsync.
      if (i % 2 === 0) {
        ours += await time(() => storage.save({ entries, hardState: hardState(next - 1) }));
        theirs += await time(() => raw.op(rawBuf));
      } else {
        theirs += await time(() => raw.op(rawBuf));
        ours += await time(() => storage.save({ entries, hardState: hardState(next - 1) }));
      }
    }
    if (round === 0) continue; // warm-up
    ratios.push(theirs / ours); // = storage appends/s ÷ raw ops/s
    ourRates.push((SINGLE_PAIRS * 1000) / ours);
    rawRates.push((SINGLE_PAIRS * 1000) / theirs);
  }
  await storage.close();
  await raw.close();
  return { ratio: summarize(ratios), ours: summarize(ourRates), raw: summarize(rawRates) };
}

function batchOf(first: number, size: number): Entry[] {
  return Array.from({ length: size }, (_, i) => benchEntry(first + i));
}

/** Batched saves vs raw write + fdatasync of the same bytes, interleaved save by save. */
async function batchedRounds(work: string) {
  const storage = await FileStorage.open({ dir: join(work, 'batched'), logger: quiet });
  const raw = await rawFile(work, 'raw-batched.bin');
  const rawBuf = new Uint8Array(BATCH * (21 + ENTRY_BYTES) + 64).fill(7);
  const ourRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < BATCH_PAIRS; i++) {
      const next = storage.lastIndex() + 1;
      const entries = batchOf(next, BATCH);
      const save = () => storage.save({ entries, hardState: hardState(next - 1) });
      if (i % 2 === 0) {
        ours += await time(save);
        theirs += await time(() => raw.op(rawBuf));
      } else {
        theirs += await time(() => raw.op(rawBuf));
        ours += await time(save);
      }
    }
    if (round === 0) continue;
    ourRates.push((BATCH_PAIRS * BATCH * 1000) / ours);
    rawRates.push((BATCH_PAIRS * BATCH * 1000) / theirs);
    ratios.push(theirs / ours);
  }
  await storage.close();
  await raw.close();
  return { ours: summarize(ourRates), raw: summarize(rawRates), ratio: summarize(ratios) };
}

/** `GROUP_IN_FLIGHT` saves of `GROUP_BATCH` outstanding at once (group commit merges them). */
async function groupRounds(work: string): Promise<Summary> {
  const storage = await FileStorage.open({ dir: join(work, 'grouped'), logger: quiet });
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let ms = 0;
    for (let i = 0; i < BATCH_PAIRS; i++) {
      let next = storage.lastIndex() + 1;
      const saves = Array.from({ length: GROUP_IN_FLIGHT }, () => {
        const batch = batchOf(next, GROUP_BATCH);
        next += GROUP_BATCH;
        return batch;
      });
      ms += await time(() =>
        Promise.all(saves.map((entries) => storage.save({ entries, hardState: hardState(0) }))),
      );
    }
    if (round > 0) rates.push((BATCH_PAIRS * GROUP_IN_FLIGHT * GROUP_BATCH * 1000) / ms);
  }
  await storage.close();
  return summarize(rates);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'storage-file-bench-'));
  const loadBefore = loadavg()[0]!;
  try {
    const single = await singleRounds(work);
    const batched = await batchedRounds(work);
    const group = await groupRounds(work);
    const section = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      disk: tmpdir(),
      method:
        'storage and raw ops interleaved one by one; per-round ratio = raw time / storage time; median over rounds (first round dropped); spread = (q3 - q1) / median of the rounds; halvesDiffer = |median of first half - median of second half| / median',
      rounds: ROUNDS,
      singlePairsPerRound: SINGLE_PAIRS,
      batchedSavesPerRound: BATCH_PAIRS,
      singleEntryAppendsPerSec: Math.round(single.ours.median),
      rawWriteFdatasyncPerSec: Math.round(single.raw.median),
      singleVsRawRatio: r3(single.ratio.median),
      singleVsRaw: show(single.ratio),
      batchedEntriesPerSec: Math.round(batched.ours.median),
      batchedEntries: show(batched.ours),
      rawSameBytesEntriesPerSec: Math.round(batched.raw.median),
      batchedVsRawRatio: r3(batched.ratio.median),
      batchedVsRaw: show(batched.ratio),
      groupCommitEntriesPerSec: Math.round(group.median),
      groupCommitSpread: r3(group.spread),
      groupCommitBatchSize: GROUP_BATCH,
      groupCommitSavesInFlight: GROUP_IN_FLIGHT,
      batchedEntryBytes: ENTRY_BYTES,
      batchSize: BATCH,
      goals: {
        'single append ÷ raw write+fdatasync': {
          target: '>= 0.9, halves of the run within 0.1 of each other',
          measured: `${r3(single.ratio.median)} (halves differ by ${r3(single.ratio.halvesDiffer)}; rounds' spread ${r3(single.ratio.spread)})`,
          met: single.ratio.median >= 0.9 && single.ratio.halvesDiffer <= 0.1,
        },
        'batched entries/s': {
          target: '>= 250,000',
          measured: Math.round(batched.ours.median),
          met: batched.ours.median >= 250_000,
        },
      },
      loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    };
    const row = (s: Summary, unit = '') => ({
      median: `${s.median >= 100 ? Math.round(s.median) : r3(s.median)}${unit}`,
      spread: `${(s.spread * 100).toFixed(1)}%`,
      halves: `${r3(s.firstHalfMedian)} / ${r3(s.secondHalfMedian)}`,
    });
    console.table({
      'raw write+fdatasync (ops/s)': row(single.raw),
      'single-entry save (appends/s)': row(single.ours),
      'single / raw (goal >= 0.9, spread <= 10%)': row(single.ratio),
      [`batched ${ENTRY_BYTES} B, ${BATCH}/save (entries/s, goal >= 250k)`]: row(batched.ours),
      'raw write+fdatasync of the same bytes (entries/s)': row(batched.raw),
      'batched / raw same bytes': row(batched.ratio),
      [`${GROUP_IN_FLIGHT} saves of ${GROUP_BATCH} in flight (entries/s)`]: row(group),
    });
    console.log(`load average (1 min): ${loadBefore} before, ${loadavg()[0]} after`);
    console.log(`wrote ${await mergeStorageResults('storage-file', section)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
