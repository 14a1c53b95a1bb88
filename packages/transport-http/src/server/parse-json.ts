import type { Context } from 'hono';
import * as z from 'zod/mini';
import { HttpError } from '../errors.js';

/**
 * Reads and validates a JSON body with a zod schema (classic `zod` or `zod/mini`). Use it in mounted routes
 * too: it turns bad input into 400 `{ code, message }` instead of an exception.
 * @throws HttpError 415 `UNSUPPORTED_MEDIA_TYPE`, 400 `MALFORMED_JSON` or 400 `INVALID_BODY`
 */
export async function parseJson<S extends z.core.$ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `expected content-type application/json, got ${type || 'none'}`,
    );
  }
  return decodeJson(await c.req.text(), schema);
}

/**
 * Parses a JSON body already read (bytes as strict UTF-8, or text) and validates it with a zod schema:
 * for bodies an authentication middleware has read and checked (`c.get('body')`).
 * @throws HttpError 400 `MALFORMED_JSON` or 400 `INVALID_BODY`
 */
export function decodeJson<S extends z.core.$ZodType>(body: Uint8Array | string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(
      typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body),
    );
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'the body is not valid JSON');
  }
  // The function form accepts classic and mini schemas alike (callers mount routes with either).
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new HttpError(400, 'INVALID_BODY', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as z.output<S>;
}
