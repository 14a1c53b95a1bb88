import { DynamoRetriesExhaustedError } from './errors.js';

/** How requests are retried on throttling, server errors and dropped connections. */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 8. */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled each time (ms). Default 25. */
  baseDelayMs?: number;
  /** Cap of one backoff (ms). Default 2 000. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1); default `Math.random`. */
  random?: () => number;
  /** How to wait; default a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/** Fills in defaults. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 25,
    maxDelayMs: options.maxDelayMs ?? 2_000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

/**
 * Backoff before retry number `retry` (0 for the first retry): "full jitter",
 * a uniform pick in `[0, min(maxDelayMs, baseDelayMs * 2^retry))`, so writers
 * throttled together do not retry together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(policy.random() * ceiling);
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Whether an error from the DynamoDB client is worth retrying (throttling, 5xx, a dropped connection). */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.$retryable) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * Runs `request` until it succeeds, a non-retryable error occurs, or the
 * attempts are used up, backing off with jitter between attempts.
 * @throws DynamoRetriesExhaustedError when every attempt failed with a retryable error.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  operation: string,
  request: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new DynamoRetriesExhaustedError(operation, attempt, { cause: error });
      }
      await policy.sleep(backoffDelay(policy, attempt - 1));
    }
  }
}
