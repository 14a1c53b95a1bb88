/** Nearest-rank percentile of the report's figures. */

/**
 * The `p`-th percentile (nearest rank) of ascending `sorted` values.
 * @returns undefined for no values
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
