/**
 * A request body-size limit that trusts a declared Content-Length. Hono's
 * `bodyLimit` touches `c.req.raw.body`, which makes `@hono/node-server` build
 * a full WHATWG Request and stream for every request: a large part of a small
 * request's cost. With a decimal Content-Length (and no Transfer-Encoding) the
 * length is checked here and the body is left for `c.req.arrayBuffer()` /
 * `text()`, which read straight from the socket (the HTTP parser holds the
 * body to its declared length). A GET or HEAD without a length has no body.
 * Anything else (chunked, a malformed length) goes through `bodyLimit`, which
 * stops reading at the limit.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const DECIMAL = /^[0-9]{1,15}$/;

/**
 * @param maxBytes the largest body accepted
 * @param tooLarge the error thrown for a larger body (a 413 of the caller's error type)
 * @returns a middleware that throws `tooLarge()` when the body is larger than `maxBytes`
 */
export function declaredBodyLimit(maxBytes: number, tooLarge: () => Error): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const h = c.req.raw.headers;
    const length = h.get('content-length');
    if (h.get('transfer-encoding') === null) {
      if (length !== null && DECIMAL.test(length)) {
        if (Number(length) > maxBytes) throw tooLarge();
        return next();
      }
      if (length === null && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    }
    return limit(c, next);
  };
}
