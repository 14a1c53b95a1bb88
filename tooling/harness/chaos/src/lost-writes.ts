/**
 * The "no acknowledged write lost" check: after the faults heal, one final
 * linearizable read per key. An acknowledged write W is lost when the value
 * read could only come from writes that had all completed before W was even
 * invoked (so W should have overwritten them), or from no write at all.
 * Values are unique per write, so the value read names its writer.
 */
import type { KvOperation } from './history.js';

/** One acknowledged write that the final read does not reflect. */
export interface LostWrite {
  readonly key: string;
  readonly operation: number;
  readonly finalValue: string | null;
}

/**
 * Lists the acknowledged writes lost.
 * @param history the workload's operations (final reads excluded)
 * @param finalValues the value of each key read after everything healed (null: absent)
 */
export function findLostWrites(
  history: readonly KvOperation[],
  finalValues: ReadonlyMap<string, string | null>,
): LostWrite[] {
  const lost: LostWrite[] = [];
  for (const [key, finalValue] of finalValues) {
    const ops = history.filter((o) => o.key === key && o.outcome !== 'fail' && o.input.f !== 'get');
    const writesOf = (o: KvOperation): boolean => {
      const i = o.input;
      if (finalValue === null) return i.f === 'delete';
      return (i.f === 'put' || i.f === 'cas') && i.value === finalValue;
    };
    // Writers that may have produced the final value; the initial state (absent) counts as done at -infinity.
    const candidates = ops.filter(writesOf);
    const ends = candidates.map((o) => (o.outcome === 'ok' ? o.completedAt : Number.POSITIVE_INFINITY));
    if (finalValue === null) ends.push(Number.NEGATIVE_INFINITY);
    // No possible writer at all (a value from nowhere): every acknowledged write is lost.
    const latestEnd = ends.length === 0 ? Number.NaN : Math.max(...ends);
    const acked = ops.filter((o) => o.outcome === 'ok' && (o.output?.f !== 'cas' || o.output.swapped));
    for (const w of acked) {
      // Every possible writer finished before w started: w had to be applied after it.
      const lostIt = Number.isNaN(latestEnd) || latestEnd < w.invokedAt;
      if (lostIt && !writesOf(w)) lost.push({ key, operation: w.id, finalValue });
    }
  }
  return lost;
}
