/** Retry policy of failed sends. */
export interface RetryPolicy {
  /** Attempts per batch or snapshot part, first one included; default 3. */
  readonly attempts: number;
  /** Delay before the first retry, ms; default 50. Doubles per retry. */
  readonly baseDelayMs: number;
  /** Cap of the delay, ms; default 2 000. */
  readonly maxDelayMs: number;
}

/** Default {@link RetryPolicy}. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 2000 };

/**
 * Delay before retry number `retry` (1 for the first retry): exponential with
 * "equal jitter" (half fixed, half random), so peers that failed together do
 * not retry together.
 * @param random a source of uniform numbers in [0, 1)
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
