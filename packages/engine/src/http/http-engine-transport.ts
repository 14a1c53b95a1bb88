/**
 * The engine over HTTP: Raft traffic through `@avs/transport-http`'s server
 * and `HttpTransport`, and the engine's routes mounted on the same server
 * behind the same authentication.
 *
 * | route                            | auth            | body                                  |
 * | -------------------------------- | --------------- | ------------------------------------- |
 * | `POST /engine/v1/join`           | none (EIP-712)  | signed join request, 16 KiB           |
 * | `POST /engine/v1/join/forward`   | member session  | signed join request, 16 KiB           |
 * | `POST /engine/v1/task-responses` | member session  | signed task response, 1 MiB           |
 * | `GET /engine/v1/status`          | none            | none                                  |
 * | `POST /engine/v1/cluster-probe`  | none (limited)  | `{ from }`, 1 KiB                     |
 *
 * Errors are `{ code, message, ...details }` with a 4xx status. Runtime
 * neutral: serve `fetch` with the adapter of your runtime.
 */
import { systemClock } from '@avs/raft-core';
import {
  checkEndpoint,
  createRaftServer,
  decodeJson,
  drainedBodyLimit,
  EndpointError,
  type FetchLike,
  guardFetch,
  type HandshakeScheme,
  HttpError,
  HttpTransport,
  type HttpTransportOptions,
  PeerResponseError,
  parseJson,
  type RaftServer,
  type RaftServerOptions,
  SourceRateLimiter,
  type SourceRateLimits,
  sourceRateLimit,
} from '@avs/transport-http';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  EngineError,
  EngineNotLeaderError,
  EngineStateError,
  JoinRefusedError,
  PeerCallError,
  ResponseRefusedError,
} from '../errors.js';
import {
  type ClusterProbeAnswer,
  clusterProbeAnswerSchema,
  clusterProbeRequestSchema,
} from '../membership/cluster-probe.js';
import {
  type EngineRpcHandler,
  type EngineTransport,
  fromRemoteError,
  type PeerAddress,
  toRemoteError,
} from '../ports/engine-transport.js';
import {
  type JoinResult,
  joinResultSchema,
  type SubmitResponsesResult,
  submitResponsesResultSchema,
} from '../ports/wire.js';
import type { MemberInfo } from '../tasks/task-command.js';

/** Largest join request body, bytes. */
export const MAX_JOIN_BODY_BYTES = 16 * 1024;
/** Largest cluster-probe body, bytes. */
export const MAX_PROBE_BODY_BYTES = 1024;
/** Largest task-response body, bytes. */
export const MAX_TASK_RESPONSE_BODY_BYTES = 1024 * 1024;

/** Options of {@link createHttpEngineTransport}. */
export interface HttpEngineTransportOptions {
  /** This node's identity (`operatorKeyScheme` from `@avs/transport-http`). */
  readonly scheme: HandshakeScheme;
  /** Fetch for outgoing calls (e.g. a pooled one from `@avs/transport-http/node`); default the global one. */
  readonly fetch?: FetchLike;
  /** Extra server options (limits, clock, metrics). */
  readonly server?: Omit<RaftServerOptions, 'scheme' | 'membership'>;
  /** Extra client options (retry, queue limits, timeouts). */
  readonly client?: Omit<HttpTransportOptions, 'scheme' | 'server' | 'fetch'>;
  /**
   * The URL to dial for a peer's URL (its replicated `raftUrl`, or a join URL); default the URL
   * itself. For peers reachable at another address than the one they registered (NAT, docker),
   * or through a proxy (the chaos suite routes each ordered pair of operators through a
   * fault-injecting proxy this way). Peers still authenticate by key, whatever the route.
   */
  readonly dialUrl?: (url: string) => string;
  /** Per-source rate limit of the unauthenticated `POST /engine/v1/join`; default the transport's (64 at once, 16/s). */
  readonly joinRateLimit?: Partial<SourceRateLimits>;
  /** Per-source rate limit of the unauthenticated `POST /engine/v1/cluster-probe`; default the transport's. */
  readonly probeRateLimit?: Partial<SourceRateLimits>;
}

/** {@link EngineTransport} over HTTP, plus the server to serve. */
export interface HttpEngineTransport extends EngineTransport {
  readonly server: RaftServer;
  readonly http: HttpTransport;
  /** The fetch handler to serve (Node: `serveNode(t.fetch)` from `@avs/transport-http/node`). */
  readonly fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
}

/** HTTP status of an engine error answered to a peer. */
function statusOf(error: EngineError): 400 | 403 | 409 | 503 | 500 {
  if (error instanceof JoinRefusedError) {
    if (error.reason === 'MALFORMED') return 400;
    if (error.reason === 'UNAVAILABLE') return 503;
    if (
      error.reason === 'REPLAYED' ||
      error.reason === 'ALREADY_MEMBER' ||
      error.reason === 'ENDPOINT_IN_USE'
    )
      return 409;
    return 403;
  }
  if (error instanceof ResponseRefusedError) return error.reason === 'NOT_MEMBER' ? 403 : 400;
  if (error instanceof EngineNotLeaderError) return 409;
  if (error instanceof EngineStateError) return 503;
  return 500;
}

function asHttpError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof EngineError) {
    const body = toRemoteError(error);
    return new HttpError(statusOf(error), body.code, body.message, body.details);
  }
  return error;
}

const anyJson = z.unknown();
const joinTooLarge = () =>
  new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds ${MAX_JOIN_BODY_BYTES} bytes`, {
    maxBytes: MAX_JOIN_BODY_BYTES,
  });
const probeTooLarge = () =>
  new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds ${MAX_PROBE_BODY_BYTES} bytes`, {
    maxBytes: MAX_PROBE_BODY_BYTES,
  });
const encoder = new TextEncoder();

/**
 * Creates the HTTP transport of one engine: the Raft server with the engine's
 * routes, and the client. Pass it as `transport` to `createTaskConsensusEngine`
 * and serve `fetch`.
 */
export function createHttpEngineTransport(options: HttpEngineTransportOptions): HttpEngineTransport {
  let handler: EngineRpcHandler | undefined;
  const server = createRaftServer({
    ...options.server,
    scheme: options.scheme,
    membership: { isMember: (peer) => handler?.isPeerAllowed(peer) ?? false },
  });
  // Join, forward and probe calls dial registered URLs too: the policy's resolver checks them as well.
  const fetchFn: FetchLike = guardFetch(
    options.fetch ?? ((input, init) => fetch(input, init)),
    options.client?.endpoints,
  );
  const http = new HttpTransport({ ...options.client, scheme: options.scheme, server, fetch: fetchFn });
  const peerUrls = new Map<string, string>();
  const dial = options.dialUrl ?? ((url: string) => url);
  const ready = (): EngineRpcHandler => {
    if (!handler) throw new HttpError(503, 'NOT_READY', 'the engine is not serving yet');
    return handler;
  };
  const run = async <V>(work: () => Promise<V>): Promise<V> => {
    try {
      return await work();
    } catch (error) {
      throw asHttpError(error);
    }
  };

  const routes = new Hono<import('@avs/transport-http').AuthEnv>();
  // Unauthenticated: limited per source address, and the limit drains an oversized body so the
  // client gets its 413 (not a socket error).
  const joinsPerSource = sourceRateLimit(new SourceRateLimiter(options.joinRateLimit), systemClock);
  routes.post('/join', joinsPerSource, drainedBodyLimit(MAX_JOIN_BODY_BYTES, joinTooLarge), async (c) => {
    const body = await parseJson(c, anyJson);
    return c.json(await run(() => ready().join(body)));
  });
  // Unauthenticated like /join, with its own per-source limit: answers existence and ids only.
  const probesPerSource = sourceRateLimit(new SourceRateLimiter(options.probeRateLimit), systemClock);
  routes.post(
    '/cluster-probe',
    probesPerSource,
    drainedBodyLimit(MAX_PROBE_BODY_BYTES, probeTooLarge),
    async (c) => {
      const { from } = await parseJson(c, clusterProbeRequestSchema);
      const h = ready();
      if (!h.probeCluster) throw new HttpError(404, 'NOT_FOUND', 'no cluster probe');
      return c.json(h.probeCluster(from));
    },
  );
  routes.post('/join/forward', server.auth({ maxBodyBytes: MAX_JOIN_BODY_BYTES }), async (c) => {
    const body = decodeJson(c.get('body'), anyJson);
    return c.json(await run(() => ready().join(body, c.get('peer'))));
  });
  routes.post('/task-responses', server.auth({ maxBodyBytes: MAX_TASK_RESPONSE_BODY_BYTES }), async (c) => {
    const body = decodeJson(c.get('body'), anyJson);
    return c.json(await run(() => ready().submitResponses(c.get('peer'), body)));
  });
  // Term, commit and members are for members only (issue #17); `/health` stays open.
  routes.get('/status', server.auth(), (c) => c.json(ready().status()));
  server.app.route('/engine/v1', routes);

  async function signedCall<V>(
    to: PeerAddress,
    path: string,
    body: unknown,
    schema: z.ZodType<V>,
  ): Promise<V> {
    let res: Response;
    try {
      res = await http.request(to.id, { method: 'POST', path, body: encoder.encode(JSON.stringify(body)) });
    } catch (error) {
      if (error instanceof PeerResponseError) {
        throw fromRemoteError(to.id, {
          code: error.peerCode,
          message: error.message,
          details: { ...error.details },
        });
      }
      throw new PeerCallError(
        to.id,
        'UNREACHABLE',
        error instanceof Error ? error.message : 'request failed',
        {
          cause: error,
        },
      );
    }
    return decodeAnswer(to.id, res, schema);
  }

  /** A POST without a session (join, cluster probe): to an operator that may not know us yet. */
  async function unsignedPost<V>(
    httpUrl: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    schema: z.ZodType<V>,
  ): Promise<V> {
    let res: Response;
    try {
      res = await fetchFn(`${dial(httpUrl).replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PeerCallError(
        httpUrl,
        'UNREACHABLE',
        error instanceof Error ? error.message : 'request failed',
        {
          cause: error,
        },
      );
    }
    if (!res.ok) throw fromRemoteError(httpUrl, await errorBody(res));
    return decodeAnswer(httpUrl, res, schema);
  }

  return {
    server,
    http,
    fetch: server.fetch,
    raft: http,
    client: {
      submitResponses: (to, body): Promise<SubmitResponsesResult> =>
        signedCall(
          to,
          '/engine/v1/task-responses',
          body,
          submitResponsesResultSchema,
        ) as Promise<SubmitResponsesResult>,
      probeCluster: (httpUrl, from, timeoutMs): Promise<ClusterProbeAnswer> =>
        unsignedPost(httpUrl, '/engine/v1/cluster-probe', { from }, timeoutMs, clusterProbeAnswerSchema),
      forwardJoin: (to, body): Promise<JoinResult> =>
        signedCall(to, '/engine/v1/join/forward', body, joinResultSchema),
      join: (httpUrl, body, timeoutMs): Promise<JoinResult> =>
        unsignedPost(httpUrl, '/engine/v1/join', body, timeoutMs, joinResultSchema),
    },
    serve(h) {
      handler = h;
    },
    setPeer(member: MemberInfo) {
      if (member.id === options.scheme.nodeId || peerUrls.get(member.id) === member.raftUrl) return;
      try {
        http.addPeer(member.id, dial(member.raftUrl));
      } catch (error) {
        // A replicated URL this node's endpoint policy refuses is not dialled (never crash on it).
        if (error instanceof EndpointError) return;
        throw error;
      }
      peerUrls.set(member.id, member.raftUrl);
    },
    endpointRefusal(url) {
      if (!options.client?.endpoints) return undefined;
      try {
        checkEndpoint(dial(url), options.client.endpoints);
        return undefined;
      } catch (error) {
        if (error instanceof EndpointError) return error.message;
        throw error;
      }
    },
    removePeer(id) {
      peerUrls.delete(id);
      http.removePeer(id);
      // A removed member's sessions and open streams end now, not at its next request or frame.
      server.revoke(id);
    },
    async close() {
      handler = undefined;
    },
  };
}

async function errorBody(
  res: Response,
): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    const body = (await res.json()) as Record<string, unknown>;
    const { code, message, ...details } = body;
    return {
      code: typeof code === 'string' ? code : `HTTP_${res.status}`,
      message: typeof message === 'string' ? message : res.statusText,
      details,
    };
  } catch {
    return { code: `HTTP_${res.status}`, message: res.statusText };
  }
}

async function decodeAnswer<V>(peer: string, res: Response, schema: z.ZodType<V>): Promise<V> {
  let json: unknown;
  try {
    json = await res.json();
  } catch (cause) {
    throw new PeerCallError(peer, 'BAD_ANSWER', 'the answer is not JSON', { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PeerCallError(peer, 'BAD_ANSWER', z.prettifyError(parsed.error));
  return parsed.data;
}
