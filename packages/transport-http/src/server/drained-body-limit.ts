/**
 * A body-size limit for unauthenticated routes that leaves the connection
 * usable. Hono's `bodyLimit` answers 413 as soon as it knows the body is too
 * large, while the client is still sending it; the server then discards or
 * cuts off the rest, and a client that reuses the connection (or is still
 * writing) sees a socket error instead of the 413. This one reads the whole
 * oversized body, discarding it, up to a bound, and only then answers 413.
 * Beyond the bound it stops reading (the connection is then closed by the
 * server: memory and time stay bounded, whatever the client sends).
 *
 * Beside `declaredBodyLimit` on purpose: that one is for authenticated routes, where a cut-off
 * client is the peer's problem and reading nothing it does not need is the point; this one costs a
 * buffered body and suits a public route whose callers must see the 413 (the engine's join).
 */
import type { MiddlewareHandler } from 'hono';

/**
 * Limits the request body to `maxBytes`, buffering it for the handler.
 * @param maxBytes the largest body accepted
 * @param tooLarge the error thrown for a larger body (a 413 of the caller's error type)
 * @param drainBytes the largest oversized body read (and discarded) before the 413; default 64 x `maxBytes`
 * @returns a middleware that throws `tooLarge()` when the body is larger than `maxBytes`
 */
export function drainedBodyLimit(
  maxBytes: number,
  tooLarge: () => Error,
  drainBytes = 64 * maxBytes,
): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    // Too large even to drain: answer at once (the server closes the connection).
    if (declared > drainBytes) throw tooLarge();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > drainBytes) break;
        if (size <= maxBytes) chunks.push(value);
      }
    } finally {
      if (size > drainBytes) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    if (size > maxBytes) throw tooLarge();
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  };
}
