/**
 * Per-source rate limits for the routes anyone can call (`/health`, the
 * handshake): a token bucket per source address, so one noisy source is
 * answered `429` while every other source is served as before.
 */

import type { Clock } from '@avs/raft-core';
import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from '../errors.js';

/** Limits of one {@link SourceRateLimiter}. */
export interface SourceRateLimits {
  /** Requests a source may make at once (bucket size); default 64. */
  readonly burst: number;
  /** Tokens added per second and source; default 16. */
  readonly perSecond: number;
  /** Sources remembered; the least recently seen is forgotten first; default 10 000. */
  readonly maxSources: number;
}

/** Default {@link SourceRateLimits}. */
export const DEFAULT_SOURCE_RATE_LIMITS: SourceRateLimits = { burst: 64, perSecond: 16, maxSources: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per source, bounded in the number of sources it remembers. */
export class SourceRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly limits: SourceRateLimits;

  constructor(limits: Partial<SourceRateLimits> = {}) {
    this.limits = { ...DEFAULT_SOURCE_RATE_LIMITS, ...limits };
  }

  /** Takes one token from `source`'s bucket; false when it is empty. */
  take(source: string, now: number): boolean {
    const { burst, perSecond, maxSources } = this.limits;
    let bucket = this.#buckets.get(source);
    if (bucket) {
      this.#buckets.delete(source); // re-inserted below: Map order is recency order
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    } else {
      bucket = { tokens: burst, at: now };
      if (this.#buckets.size >= maxSources) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    this.#buckets.set(source, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * The source of a request: what the runtime adapter put in `c.env.remoteAddress`
 * (`serveNode`, `serveBun` and `serveDeno` all do), or undefined for in-process calls.
 */
export function remoteAddressOf(c: Context): string | undefined {
  const env = c.env as { remoteAddress?: unknown } | undefined;
  return typeof env?.remoteAddress === 'string' ? env.remoteAddress : undefined;
}

/**
 * A middleware answering `429 RATE_LIMITED` to a source whose bucket is empty.
 * Requests without a known source (in-process `app.fetch`) are not limited.
 */
export function sourceRateLimit(
  limiter: SourceRateLimiter,
  clock: Clock,
  sourceOf: (c: Context) => string | undefined = remoteAddressOf,
): MiddlewareHandler {
  return async (c, next) => {
    const source = sourceOf(c);
    if (source !== undefined && !limiter.take(source, clock.now())) {
      c.header('retry-after', '1');
      throw new HttpError(429, 'RATE_LIMITED', `too many requests from ${source}; slow down`);
    }
    await next();
  };
}
