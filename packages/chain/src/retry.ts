import { withBackoff } from '@avs/retry';
import { RpcUnavailableError } from './errors.js';

/** How RPC calls are retried. */
export interface RetryOptions {
  /** Total attempts including the first; default 4. */
  attempts?: number;
  /** Delay before the second attempt in ms, doubled each time (with jitter); default 100. */
  baseDelayMs?: number;
  /** Upper bound of one delay in ms; default 2000. */
  maxDelayMs?: number;
}

const TRANSIENT_CODES = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'SERVER_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

/**
 * Whether an error from ethers or the transport is worth retrying: network failures, timeouts,
 * 5xx/429 answers and node-side "header not found"/rate limits. Reverts and bad arguments are not.
 */
export function isTransientRpcError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    shortMessage?: unknown;
    error?: { code?: unknown; message?: unknown };
  };
  // A revert is an answer, never a transport problem (its data may contain any digits).
  if (e.code === 'CALL_EXCEPTION' || e.code === 'INVALID_ARGUMENT' || e.code === 'NONCE_EXPIRED')
    return false;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  const inner = e.error;
  if (inner?.code === -32005) return true; // "limit exceeded" in several providers
  const own =
    typeof e.shortMessage === 'string' ? e.shortMessage : typeof e.message === 'string' ? e.message : '';
  const text = `${own.slice(0, 200)} ${typeof inner?.message === 'string' ? inner.message.slice(0, 200) : ''}`;
  return /rate limit|too many requests|\b429\b|header not found|\btimeout\b|timed out|ECONNRESET|ECONNREFUSED|socket hang up/i.test(
    text,
  );
}

/**
 * Runs `fn`, retrying transient RPC errors with @avs/retry's exponential backoff ("equal" jitter).
 * @throws RpcUnavailableError when every attempt failed transiently; any non-transient error as is.
 */
export function withRetry<T>(what: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  return withBackoff(fn, {
    attempts,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2000,
    jitter: 'equal',
    retryable: isTransientRpcError,
    giveUp: (last) =>
      new RpcUnavailableError(`${what} failed after ${attempts} attempts: ${describe(last)}`, {
        cause: last,
      }),
  });
}

function describe(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).slice(0, 300);
}
