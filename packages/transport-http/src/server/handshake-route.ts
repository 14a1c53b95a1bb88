import type { Clock } from '@avs/raft-core';
import type { Context } from 'hono';
import { answerOffer, handshakeMessageSchema, verifyHandshakeSignature } from '../auth/handshake.js';
import { type HandshakeScheme, ZERO_NONCE } from '../auth/handshake-scheme.js';
import { importSessionKey } from '../auth/request-signing.js';
import type { NonceCache, SessionStore } from '../auth/session-store.js';
import { AuthError, HttpError } from '../errors.js';
import type { TransportMetrics } from '../metrics.js';
import { requireMember } from './auth-middleware.js';
import { parseJson } from './parse-json.js';
import type { Membership } from './server-options.js';

/** What the handshake route needs from the server. */
export interface HandshakeContext {
  readonly scheme: HandshakeScheme;
  readonly membership: Membership;
  readonly sessions: SessionStore;
  readonly nonces: NonceCache;
  readonly clock: Clock;
  readonly metrics: TransportMetrics;
  readonly maxClockSkewMs: number;
  readonly sessionTtlMs: number;
}

/**
 * `POST /raft/v1/handshake`: checks an offer (cheap checks first, then the
 * membership, in memory, then the signature, then the nonce) and answers
 * with this node's signed half.
 */
export async function handleHandshake(c: Context, ctx: HandshakeContext): Promise<Response> {
  const offer = await parseJson(c, handshakeMessageSchema);
  const now = Math.floor(ctx.clock.now());
  if (offer.to !== ctx.scheme.nodeId) {
    throw new AuthError(
      401,
      'WRONG_RECIPIENT',
      `the offer is addressed to ${offer.to}, this node is ${ctx.scheme.nodeId}`,
    );
  }
  if (!ctx.scheme.isNodeId(offer.from)) {
    throw new HttpError(
      400,
      'INVALID_BODY',
      `from must be a ${ctx.scheme.kind === 'operator-key' ? 'lowercase 0x address' : 'printable node id'}`,
    );
  }
  if (offer.peerNonce !== ZERO_NONCE)
    throw new HttpError(400, 'INVALID_BODY', 'an offer must have a zero peerNonce');
  if (Math.abs(now - offer.timestamp) > ctx.maxClockSkewMs) {
    throw new AuthError(
      401,
      'STALE_TIMESTAMP',
      `timestamp ${offer.timestamp} is more than ${ctx.maxClockSkewMs} ms away from this node's clock (${now})`,
    );
  }
  // Membership is an in-memory check: a non-member is refused before any
  // signature work and leaves no nonce behind, so throwaway keys can neither
  // burn CPU nor fill the nonce cache that members need.
  await requireMember(ctx.membership, offer.from, true);
  if (!verifyHandshakeSignature(ctx.scheme, offer)) {
    throw new AuthError(
      401,
      'BAD_SIGNATURE',
      `the offer is not signed by ${offer.from} for this cluster and chain`,
    );
  }
  const seen = ctx.nonces.add(offer.nonce, now, offer.timestamp + ctx.maxClockSkewMs);
  if (seen === 'replayed') throw new AuthError(401, 'REPLAYED', 'this handshake offer was already used');
  if (seen === 'full')
    throw new HttpError(503, 'BUSY', 'too many handshakes in the freshness window; retry later');
  let result: ReturnType<typeof answerOffer>;
  try {
    result = answerOffer(ctx.scheme, offer, now);
  } catch {
    throw new HttpError(400, 'INVALID_BODY', 'ephemeralKey is not a point on secp256k1');
  }
  const key = await importSessionKey(result.keys.key);
  ctx.sessions.add(result.keys.sessionId, offer.from, key, now + ctx.sessionTtlMs);
  ctx.metrics.handshakes.accepted++;
  return c.json(result.answer);
}
