/**
 * A bounded closed-loop load generator: `inFlight` workers each run one
 * operation at a time until `maxOps` operations have been started or
 * `maxDurationMs` has passed, whichever comes first. The same generator
 * drives every target, so kv and etcd are measured the same way.
 */
import { type LatencySummary, summarize } from './latency-stats.js';

/** One operation; `i` is its sequence number (0-based). Rejecting counts as an error. */
export type Operation = (i: number) => Promise<void>;

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Operations in flight at once (closed loop). */
  readonly inFlight: number;
  /** Hard bound on operations started. */
  readonly maxOps: number;
  /** Hard bound on time, ms; no operation starts after it. */
  readonly maxDurationMs: number;
  /** Operations run (and discarded) before measuring, at the same concurrency. Default 0. */
  readonly warmupOps?: number;
}

/** What a run measured. */
export interface LoadResult extends LatencySummary {
  readonly inFlight: number;
  /** Operations that completed successfully (latencies are of these). */
  readonly ops: number;
  readonly errors: number;
  /** First error message, when any. */
  readonly firstError?: string;
  readonly durationMs: number;
  readonly opsPerSec: number;
}

async function drive(
  op: Operation,
  inFlight: number,
  maxOps: number,
  deadline: number,
  offset: number,
  latencies: number[] | undefined,
): Promise<{ ok: number; errors: number; firstError?: string }> {
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (;;) {
      if (next >= maxOps || performance.now() >= deadline) return;
      const i = offset + next++;
      const start = performance.now();
      try {
        await op(i);
        ok++;
        latencies?.push(performance.now() - start);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return firstError === undefined ? { ok, errors } : { ok, errors, firstError };
}

/**
 * Runs `op` under the given bounds and measures throughput and latency.
 * @throws RangeError for bounds that are not positive integers
 */
export async function runLoad(op: Operation, options: LoadOptions): Promise<LoadResult> {
  const { inFlight, maxOps, maxDurationMs } = options;
  for (const [name, v] of Object.entries({ inFlight, maxOps, maxDurationMs })) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const warmup = options.warmupOps ?? 0;
  if (warmup > 0) await drive(op, inFlight, warmup, performance.now() + maxDurationMs, 0, undefined);
  const latencies: number[] = [];
  const start = performance.now();
  const r = await drive(op, inFlight, maxOps, start + maxDurationMs, warmup, latencies);
  const durationMs = performance.now() - start;
  return {
    inFlight,
    ops: r.ok,
    errors: r.errors,
    ...(r.firstError === undefined ? {} : { firstError: r.firstError }),
    durationMs,
    opsPerSec: durationMs > 0 ? (r.ok * 1000) / durationMs : 0,
    ...summarize(latencies),
  };
}
