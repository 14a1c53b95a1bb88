import { backoffDelay, type RetryPolicy } from './backoff.js';

/** What {@link withBackoff} needs besides the {@link RetryPolicy}. */
export interface WithBackoffOptions extends RetryPolicy {
  /** Whether a failure is worth another attempt; a `false` rethrows it at once. */
  readonly retryable: (error: unknown) => boolean;
  /** How to wait; default a `setTimeout` promise. Inject a clock's sleep in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /**
   * The error to throw when every attempt failed retryably; default the last failure itself.
   * @param attempts how many attempts were made
   */
  readonly giveUp?: (lastError: unknown, attempts: number) => Error;
}

const timerSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or `attempts` are used up,
 * waiting {@link backoffDelay} between attempts.
 * @param operation receives the attempt number, from 1
 * @throws the non-retryable error as is; `giveUp(last, attempts)` (default: the last error) when exhausted
 * @example await withBackoff(() => fetchHead(), { attempts: 4, baseDelayMs: 25, maxDelayMs: 2000, retryable: isThrottle })
 */
export async function withBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: WithBackoffOptions,
): Promise<T> {
  const sleep = options.sleep ?? timerSleep;
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!options.retryable(error)) throw error;
      if (attempt >= attempts) {
        if (options.giveUp) throw options.giveUp(error, attempt);
        throw error;
      }
      await sleep(backoffDelay(options, attempt, options.random));
    }
  }
}
