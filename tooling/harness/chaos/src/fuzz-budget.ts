/**
 * How many cases each fuzz suite runs, and the tally the chaos command puts
 * in the report. `AVS_CHAOS_FUZZ_SCALE` multiplies every suite's case count
 * (the full run uses 10) and `AVS_FUZZ_CASES` sets a floor (the full run: 10 000); `AVS_CHAOS_FUZZ_OUT` names a JSON file the suites
 * add their counts to (`{ target: cases }`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Cases to run for a suite whose CI count is `base`: scaled by `AVS_CHAOS_FUZZ_SCALE`, and at least
 * `AVS_FUZZ_CASES` when set (the full run sets 10 000: every route and decoder gets that many).
 */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.AVS_CHAOS_FUZZ_SCALE ?? '1');
  const scaled = Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const floor = Number(process.env.AVS_FUZZ_CASES ?? '0');
  return Number.isFinite(floor) && floor > scaled ? Math.round(floor) : scaled;
}

/** Counts generated cases per target within one test file. */
export class FuzzTally {
  private readonly counts = new Map<string, number>();

  /** One more case for `target`. */
  hit(target: string): void {
    this.counts.set(target, (this.counts.get(target) ?? 0) + 1);
  }

  /** Adds the counts to the `AVS_CHAOS_FUZZ_OUT` file, when set. */
  flush(): void {
    const out = process.env.AVS_CHAOS_FUZZ_OUT;
    if (!out) return;
    // A file that exists but is still empty (e.g. made with mktemp) holds no counts yet.
    const text = existsSync(out) ? readFileSync(out, 'utf8').trim() : '';
    const prev: Record<string, number> = text === '' ? {} : JSON.parse(text);
    for (const [k, n] of this.counts) prev[k] = (prev[k] ?? 0) + n;
    writeFileSync(out, JSON.stringify(prev, null, 2));
  }
}
