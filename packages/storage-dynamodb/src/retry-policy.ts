import { type RetryPolicy, withBackoff } from '@avs/retry';
import { DynamoRetriesExhaustedError } from './errors.js';

/** How requests are retried on throttling, server errors and dropped connections. */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 8. */
  attempts?: number;
  /** Backoff ceiling before the first retry, doubled per retry (ms). Default 25. */
  baseDelayMs?: number;
  /** Cap of one backoff (ms). Default 2 000. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1); default `Math.random`. */
  random?: () => number;
  /** How to wait; default a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * {@link RetryOptions} with every default filled in: @avs/retry's policy with "full" jitter
 * (writers throttled together must not retry together), plus the jitter source and the sleep.
 */
export interface DynamoRetryPolicy extends RetryPolicy {
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Fills in defaults. */
export function retryPolicy(options: RetryOptions = {}): DynamoRetryPolicy {
  return {
    attempts: options.attempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 25,
    maxDelayMs: options.maxDelayMs ?? 2_000,
    jitter: 'full',
    random: options.random ?? Math.random,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
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
export function withDynamoRetry<T>(
  policy: DynamoRetryPolicy,
  operation: string,
  request: () => Promise<T>,
): Promise<T> {
  return withBackoff(request, {
    ...policy,
    retryable: isRetryable,
    giveUp: (last, attempts) => new DynamoRetriesExhaustedError(operation, attempts, { cause: last }),
  });
}
