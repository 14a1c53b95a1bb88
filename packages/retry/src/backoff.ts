/**
 * How long to wait before a retry. Every package that retries (storage-dynamodb, transport-http, chain,
 * engine) computes its waits here, so "retry number", "jitter" and the cap mean the same everywhere.
 */

/**
 * How the delay is spread:
 * - `'full'`: uniform in `[0, ceiling)`: writers throttled together (DynamoDB) spread out the most;
 * - `'equal'`: half fixed, half random, in `[ceiling/2, ceiling)`: never retries at once;
 * - `'none'`: exactly the ceiling: deterministic waits on an injected clock (the engine's loops).
 */
export type Jitter = 'full' | 'equal' | 'none';

/** Exponential backoff: the ceiling doubles per retry from `baseDelayMs` up to `maxDelayMs`. */
export interface BackoffPolicy {
  /** Ceiling of the wait before the first retry, ms. */
  readonly baseDelayMs: number;
  /** Cap of the ceiling, ms. */
  readonly maxDelayMs: number;
  /** Spread of the wait under the ceiling; default `'equal'`. */
  readonly jitter?: Jitter;
}

/** A {@link BackoffPolicy} with a bound on attempts. */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first one included (so `attempts - 1` retries). */
  readonly attempts: number;
}

/** Doublings past this would only be capped anyway; stops `2 ** retry` from reaching Infinity. */
const MAX_DOUBLINGS = 30;

/**
 * The wait before retry number `retry`, counted from 1 (the wait after the first failed attempt).
 * The ceiling is `min(maxDelayMs, baseDelayMs * 2^(retry-1))`; {@link Jitter} places the wait under it.
 * @param retry 1 for the first retry; values below 1 count as 1.
 * @param random uniform numbers in [0, 1); default `Math.random`. Inject one for deterministic tests.
 * @returns milliseconds, >= 0
 * @example backoffDelay({ baseDelayMs: 50, maxDelayMs: 2000, jitter: 'none' }, 3) // 200
 */
export function backoffDelay(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const doublings = Math.min(Math.max(0, Math.floor(retry) - 1), MAX_DOUBLINGS);
  const ceiling = Math.max(0, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings));
  switch (policy.jitter ?? 'equal') {
    case 'none':
      return ceiling;
    case 'full':
      return Math.floor(random() * ceiling);
    case 'equal':
      return ceiling / 2 + random() * (ceiling / 2);
  }
}
