import type { Context } from 'hono';
import { HttpError } from '../errors.js';
import type { TransportMetrics } from '../metrics.js';

/** JSON body of every error response. */
export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly [detail: string]: unknown;
}

/** Renders an error as `{ code, message }` with its status and counts it; anything not an HttpError is a 500. */
export function errorResponse(c: Context, error: unknown, metrics: TransportMetrics): Response {
  if (error instanceof HttpError) {
    metrics.reject(error.code);
    return c.json(
      { ...error.details, code: error.code, message: error.message } satisfies ErrorBody,
      error.status,
    );
  }
  metrics.reject('INTERNAL');
  return c.json({ code: 'INTERNAL', message: 'internal error' } satisfies ErrorBody, 500);
}
