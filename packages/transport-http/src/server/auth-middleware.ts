/**
 * The middleware that authenticates every request except `/health` and the
 * handshake. Cheap header checks run first, so unauthenticated traffic gets a
 * 401 before the body is read; then the body is read within its size limit and
 * the HMAC is checked; only then is the request marked in the replay window and
 * the authenticated peer id set in the context (`c.get('peer')`).
 */

import type { Clock, NodeId } from '@avs/raft-core';
import type { Context, MiddlewareHandler } from 'hono';
import { AUTH_HEADERS, verifyRequest } from '../auth/request-signing.js';
import type { ServerSession, SessionStore } from '../auth/session-store.js';
import { AuthError, HttpError } from '../errors.js';
import { declaredBodyLimit } from './declared-body-limit.js';
import type { Membership } from './server-options.js';

/** Hono environment of authenticated routes: `c.get('peer')` is the caller's NodeId, `c.get('body')` the raw body. */
export interface AuthEnv {
  Variables: {
    /** The authenticated caller. */
    peer: NodeId;
    /** The request body, already read and covered by the signature. */
    body: Uint8Array;
  };
}

/** Options of one use of the auth middleware. */
export interface AuthOptions {
  /** Also let admitted (not yet member) nodes through; default false. */
  readonly allowAdmitted?: boolean;
  /** Body-size limit in bytes for the routes behind this middleware; default the server's `maxJsonBytes`. */
  readonly maxBodyBytes?: number;
}

/** What the middleware needs from the server. */
export interface AuthContext {
  readonly sessions: SessionStore;
  readonly membership: Membership;
  readonly clock: Clock;
  readonly maxClockSkewMs: number;
  readonly defaultMaxBodyBytes: number;
}

const SEQ = /^[1-9][0-9]{0,15}$/;
const TIMESTAMP = /^[0-9]{1,16}$/;
const SESSION = /^0x[0-9a-f]{64}$/;
const SIGNATURE = /^0x[0-9a-f]{64}$/;

/** Checks membership (or admission when allowed) of an authenticated peer. @throws AuthError 403 */
export async function requireMember(
  membership: Membership,
  peer: NodeId,
  allowAdmitted: boolean,
): Promise<void> {
  if (await membership.isMember(peer)) return;
  if (allowAdmitted && membership.isAdmitted && (await membership.isAdmitted(peer))) return;
  throw new AuthError(
    403,
    'NOT_MEMBER',
    allowAdmitted
      ? `${peer} is neither a cluster member nor an admitted joiner`
      : `${peer} is not a cluster member`,
  );
}

function pathOf(c: Context): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/**
 * Reads the request body within `maxBody` bytes (see {@link declaredBodyLimit});
 * the length is checked again after reading.
 * @throws HttpError 413 when the body is larger than `maxBody`
 */
async function readBody(c: Context, maxBody: number, limit: MiddlewareHandler): Promise<Uint8Array> {
  await limit(c, async () => {});
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.length > maxBody) throw bodyTooLarge(maxBody);
  return body;
}

function bodyTooLarge(maxBody: number): HttpError {
  return new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds the limit of ${maxBody} bytes`);
}

/** The checked auth headers of a request and its session (the signature is not verified yet). */
interface SignedHeaders {
  readonly session: ServerSession;
  readonly sessionId: string;
  readonly timestamp: number;
  readonly seq: number;
  readonly signature: string;
}

/**
 * The cheap checks, before any body is read: headers present and well formed,
 * session known and live, timestamp fresh, sequence number not seen.
 * @throws AuthError 401
 */
function checkHeaders(ctx: AuthContext, c: Context): SignedHeaders {
  const h = c.req.raw.headers;
  const sessionId = h.get(AUTH_HEADERS.session);
  const timestamp = h.get(AUTH_HEADERS.timestamp);
  const seq = h.get(AUTH_HEADERS.seq);
  const signature = h.get(AUTH_HEADERS.signature);
  if (sessionId === null || timestamp === null || seq === null || signature === null) {
    throw new AuthError(
      401,
      'UNSIGNED',
      `authentication headers ${Object.values(AUTH_HEADERS).join(', ')} are required; open a session at /raft/v1/handshake`,
    );
  }
  if (
    !SESSION.test(sessionId) ||
    !TIMESTAMP.test(timestamp) ||
    !SEQ.test(seq) ||
    !SIGNATURE.test(signature)
  ) {
    throw new AuthError(
      401,
      'MALFORMED_AUTH',
      'expected a 32-byte hex session id, a decimal timestamp and sequence number, and a 32-byte hex signature',
    );
  }
  const now = ctx.clock.now();
  const session = ctx.sessions.get(sessionId);
  if (!session) throw new AuthError(401, 'UNKNOWN_SESSION', 'unknown session; handshake again');
  if (session.expiresAt <= now) {
    ctx.sessions.delete(sessionId);
    throw new AuthError(401, 'SESSION_EXPIRED', 'the session expired; handshake again');
  }
  const ts = Number(timestamp);
  if (Math.abs(now - ts) > ctx.maxClockSkewMs) {
    throw new AuthError(
      401,
      'STALE_TIMESTAMP',
      `timestamp ${ts} is more than ${ctx.maxClockSkewMs} ms away from this node's clock (${now})`,
    );
  }
  const n = Number(seq);
  const seen = session.window.check(n);
  if (seen !== 'ok')
    throw new AuthError(
      401,
      'REPLAYED',
      `sequence number ${n} was ${seen === 'replayed' ? 'already used' : 'too old'}`,
    );
  return { session, sessionId, timestamp: ts, seq: n, signature };
}

/**
 * Verifies the signature over the request and `body`, then marks its number
 * used in the session's replay window.
 * @throws AuthError 401 `BAD_SIGNATURE` or `REPLAYED`
 */
async function verifyAndMark(c: Context, h: SignedHeaders, body: Uint8Array): Promise<void> {
  const { session, seq } = h;
  const parts = {
    method: c.req.method,
    path: pathOf(c),
    sessionId: h.sessionId,
    timestamp: h.timestamp,
    seq,
    body,
  };
  if (!(await verifyRequest(session.key, parts, h.signature))) {
    throw new AuthError(
      401,
      'BAD_SIGNATURE',
      'the request signature does not match its method, path, headers and body',
    );
  }
  // Check again: a request with the same number may have been verified while this one awaited.
  if (session.window.check(seq) !== 'ok')
    throw new AuthError(401, 'REPLAYED', `sequence number ${seq} was already used`);
  session.window.mark(seq);
}

/**
 * Builds the auth middleware.
 * @returns a Hono middleware; on failure it throws {@link AuthError} (401/403) or {@link HttpError} 413
 */
export function createAuthMiddleware(
  ctx: AuthContext,
  options: AuthOptions = {},
): MiddlewareHandler<AuthEnv> {
  const maxBody = options.maxBodyBytes ?? ctx.defaultMaxBodyBytes;
  const allowAdmitted = options.allowAdmitted ?? false;
  const limit = declaredBodyLimit(maxBody, () => bodyTooLarge(maxBody));
  return async (c, next) => {
    const headers = checkHeaders(ctx, c);
    const { session } = headers;
    await requireMember(ctx.membership, session.peer, allowAdmitted);
    const body = await readBody(c, maxBody, limit);
    await verifyAndMark(c, headers, body);
    c.set('peer', session.peer);
    c.set('body', body);
    await next();
  };
}

/** An authenticated stream opening: who opened it, with which session and request number. */
export interface StreamOpening {
  readonly peer: NodeId;
  readonly session: ServerSession;
  /** The opening request's sequence number (frames are bound to it). */
  readonly openSeq: number;
}

const NO_BODY = new Uint8Array(0);

/**
 * Authenticates the opening of a stream. Its body is not known yet, so the
 * signature covers method, path, session, timestamp, number and an empty
 * body; each frame of the body carries its own MAC (see `stream-frame.ts`).
 * Members only. The number is marked used, so the opening cannot be replayed.
 * @throws AuthError 401/403
 */
export async function authenticateStreamOpening(ctx: AuthContext, c: Context): Promise<StreamOpening> {
  const headers = checkHeaders(ctx, c);
  const { session } = headers;
  await requireMember(ctx.membership, session.peer, false);
  await verifyAndMark(c, headers, NO_BODY);
  return { peer: session.peer, session, openSeq: headers.seq };
}
