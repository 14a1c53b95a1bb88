/**
 * The Hono app that receives Raft traffic, with versioned routes:
 *
 * | route                       | auth | body                          |
 * | --------------------------- | ---- | ----------------------------- |
 * | `GET /health`               | no   | none                          |
 * | `POST /raft/v1/handshake`   | signs| JSON offer (zod)              |
 * | `POST /raft/v1/messages`    | yes  | binary batch frame            |
 * | `POST /raft/v1/stream`      | yes  | stream of MAC'd batch frames  |
 * | `PUT /raft/v1/snapshot`     | yes  | binary snapshot part frame    |
 * | `GET /status`               | yes  | none                          |
 *
 * `@avs/engine` mounts its own routes on {@link RaftServer.app} behind
 * {@link RaftServer.auth}, before the server starts serving.
 */
import type { Clock, Message, TransportHandler } from '@avs/raft-core';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { NonceCache, SessionStore } from '../auth/session-store.js';
import { DEFAULT_DECODE_LIMITS, decodeBatch, decodeSnapshotPart } from '../codec/frame-codec.js';
import { CodecError, HttpError } from '../errors.js';
import { TransportMetrics } from '../metrics.js';
import { wallClock } from '../wall-clock.js';
import { type AuthEnv, type AuthOptions, createAuthMiddleware } from './auth-middleware.js';
import { errorResponse } from './error-response.js';
import { handleHandshake } from './handshake-route.js';
import { DEFAULT_SERVER_LIMITS, type RaftServerOptions, type ServerLimits } from './server-options.js';
import { SnapshotAssembler } from './snapshot-assembler.js';
import { SourceRateLimiter, sourceRateLimit } from './source-rate-limit.js';
import { createStreamRoute } from './stream-route.js';

/** Media type of binary frames. */
export const FRAME_CONTENT_TYPE = 'application/octet-stream';

/** A Raft HTTP server: the app plus the hooks a transport and the engine need. */
export interface RaftServer {
  /** The Hono app; serve it with an adapter or `app.fetch`. Mount engine routes on it before serving. */
  readonly app: Hono<AuthEnv>;
  /** The app's fetch handler (for edge runtimes and `Deno.serve`/`Bun.serve`). */
  readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  /** This node's id. */
  readonly nodeId: string;
  readonly metrics: TransportMetrics;
  readonly limits: ServerLimits;
  /**
   * The authentication middleware of this server, for routes mounted by others.
   * After it, `c.get('peer')` is the authenticated caller.
   */
  auth(options?: AuthOptions): MiddlewareHandler<AuthEnv>;
  /**
   * Forgets `peer`'s sessions and ends its open streams now. Call it when a
   * member leaves the configuration; `membership.isMember` must already say no.
   */
  revoke(peer: string): void;
  /** Starts delivering received messages to `handler` (called by `HttpTransport.start`); `undefined` stops. */
  attach(handler: TransportHandler | undefined): void;
}

function requireFrame(contentType: string | undefined): void {
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== FRAME_CONTENT_TYPE) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `expected content-type ${FRAME_CONTENT_TYPE}, got ${contentType ?? 'none'}`,
    );
  }
}

function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof CodecError) throw new HttpError(400, e.code, e.message);
    throw e;
  }
}

/**
 * Creates the server.
 * @example
 * const server = createRaftServer({ scheme, membership: { isMember: (id) => members.has(id) } });
 * const engine = new Hono<AuthEnv>();
 * engine.post('/join', server.auth({ allowAdmitted: true }), (c) => c.json({ peer: c.get('peer') }));
 * server.app.route('/engine/v1', engine);
 */
export function createRaftServer(options: RaftServerOptions): RaftServer {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const decodeLimits = { ...DEFAULT_DECODE_LIMITS, ...options.decodeLimits };
  const clock: Clock = options.clock ?? wallClock;
  const metrics = options.metrics ?? new TransportMetrics();
  const scheme = options.scheme;
  const sessions = new SessionStore(limits.maxSessions, limits.maxSessionsPerPeer, limits.replayWindow);
  const nonces = new NonceCache(limits.maxHandshakeNonces);
  const assembler = new SnapshotAssembler(limits.maxSnapshotChunkBytes, limits.snapshotIdleMs);
  let handler: TransportHandler | undefined;

  const authContext = {
    sessions,
    membership: options.membership,
    clock,
    maxClockSkewMs: limits.maxClockSkewMs,
    defaultMaxBodyBytes: limits.maxJsonBytes,
  };
  const auth = (o?: AuthOptions) => createAuthMiddleware(authContext, o);

  function deliverTo(): TransportHandler {
    if (!handler) throw new HttpError(503, 'NOT_READY', 'this node is not accepting Raft messages yet');
    return handler;
  }

  /** Every message must come from the authenticated peer and be addressed to this node. */
  function checkAddressing(messages: readonly Message[], peer: string): void {
    for (const m of messages) {
      if (m.from !== peer) {
        throw new HttpError(
          403,
          'SENDER_MISMATCH',
          `a message claims to be from ${m.from} but the caller is ${peer}`,
        );
      }
      if (m.to !== scheme.nodeId) {
        throw new HttpError(
          400,
          'WRONG_RECIPIENT',
          `a message is addressed to ${m.to}, this node is ${scheme.nodeId}`,
        );
      }
    }
  }

  const limiter = options.rateLimit === false ? undefined : new SourceRateLimiter(options.rateLimit);
  const perSource: MiddlewareHandler = limiter
    ? sourceRateLimit(limiter, clock, options.sourceOf)
    : async (_c, next) => {
        await next();
      };

  const app = new Hono<AuthEnv>();
  app.onError((error, c) => {
    // Refusals (HttpError) are counted; anything else is a defect worth a log line.
    if (!(error instanceof HttpError)) {
      options.logger?.error('transport: route failed', {
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return errorResponse(c, error, metrics);
  });
  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), metrics),
  );

  app.get('/health', perSource, (c) => c.json({ status: 'ok' }));

  app.post(
    '/raft/v1/handshake',
    perSource,
    bodyLimit({
      maxSize: limits.maxJsonBytes,
      onError: () => {
        throw new HttpError(
          413,
          'BODY_TOO_LARGE',
          `request body exceeds the limit of ${limits.maxJsonBytes} bytes`,
        );
      },
    }),
    (c) =>
      handleHandshake(c, {
        scheme,
        membership: options.membership,
        sessions,
        nonces,
        clock,
        metrics,
        maxClockSkewMs: limits.maxClockSkewMs,
        sessionTtlMs: limits.sessionTtlMs,
      }),
  );

  app.post('/raft/v1/messages', auth({ maxBodyBytes: limits.maxBatchBytes }), (c) => {
    requireFrame(c.req.header('content-type'));
    const body = c.get('body');
    const messages = decoded(() => decodeBatch(body, decodeLimits));
    checkAddressing(messages, c.get('peer'));
    const target = deliverTo();
    metrics.received.batches++;
    metrics.received.bytes += body.length;
    metrics.received.messages += messages.length;
    for (const m of messages) target.receive(m);
    return c.body(null, 204);
  });

  const streams = createStreamRoute({
    auth: authContext,
    limits,
    decodeLimits,
    metrics,
    deliverTo,
    checkAddressing,
  });
  app.post('/raft/v1/stream', streams.handle);

  app.put('/raft/v1/snapshot', auth({ maxBodyBytes: limits.maxSnapshotPartBytes }), (c) => {
    requireFrame(c.req.header('content-type'));
    const body = c.get('body');
    const part = decoded(() => decodeSnapshotPart(body, decodeLimits));
    checkAddressing([part.message], c.get('peer'));
    const target = deliverTo();
    const result = assembler.accept(c.get('peer'), part, clock.now());
    metrics.received.snapshotParts++;
    metrics.received.bytes += body.length;
    if (result.complete) {
      metrics.received.snapshots++;
      metrics.received.messages++;
      target.receive(result.complete);
    }
    return c.json({ received: result.received, complete: result.complete !== undefined });
  });

  app.get('/status', auth(), (c) =>
    c.json({
      nodeId: scheme.nodeId,
      scheme: scheme.kind,
      sessions: sessions.size,
      metrics: metrics.toJSON(),
      ...options.status?.(),
    }),
  );

  return {
    app,
    // env carries the adapter's remoteAddress (per-source rate limits).
    fetch: (request, env) => app.fetch(request, env),
    nodeId: scheme.nodeId,
    metrics,
    limits,
    auth,
    revoke(peer) {
      sessions.deletePeer(peer);
      streams.revoke(peer);
    },
    attach(h) {
      handler = h;
    },
  };
}
