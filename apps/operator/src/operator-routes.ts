/**
 * The operator's own HTTP routes, mounted on the transport's server:
 * `POST /avs/v1/tasks` (task intake) and `GET /avs/v1/status`. Both reveal or
 * change cluster state, so both need a caller: an operator with a transport
 * session (signed request headers, like every engine route), or the task
 * generator holding the configured API token (`Authorization: Bearer`). The
 * body limit is checked on the declared length before anything is read, so an
 * oversized body gets its 413 at once and costs no memory. `/health` (the
 * transport's) stays open.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type AuthEnv,
  AuthError,
  declaredBodyLimit,
  decodeJson,
  HttpError,
  type RaftServer,
} from '@avs/transport-http';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { payloadSchema, type TaskPayload } from './avs/example-avs.js';

/** Largest `POST /avs/v1/tasks` body by default: 64 payloads fit in a few KiB. */
export const DEFAULT_MAX_TASK_BODY_BYTES = 256 * 1024;

/** Body of `POST /avs/v1/tasks` for tasks whose payloads `payload` validates (a task module's request schema). */
export function submitTasksSchemaFor(payload: z.ZodType<unknown>) {
  return z
    .object({
      tasks: z
        .array(z.object({ taskIndex: z.number().int().nonnegative(), payload }))
        .min(1)
        .max(64),
    })
    .strict();
}

/** Body of `POST /avs/v1/tasks` with the built-in examples' payloads. */
export const submitTasksSchema = submitTasksSchemaFor(payloadSchema);

/** A validated task submission (payloads: {@link TaskPayload} with the built-in examples). */
export type SubmitTasks = { readonly tasks: readonly { taskIndex: number; payload: unknown }[] };

/** A route's answer: HTTP status and JSON body. */
export interface RouteAnswer {
  readonly status: 200 | 400 | 404 | 409;
  readonly body: Record<string, unknown>;
}

/** What the routes need from the operator. */
export interface OperatorRoutes {
  /** The API token of the task generator and local tools; undefined: sessions only. */
  readonly apiToken: string | undefined;
  /** Validates one task's payload; default the built-in examples' `payloadSchema`. */
  readonly payloadSchema?: z.ZodType<unknown>;
  /** Largest task-intake body in bytes; default {@link DEFAULT_MAX_TASK_BODY_BYTES}. */
  readonly maxTaskBodyBytes?: number;
  status(): object;
  submitTasks(request: SubmitTasks): Promise<RouteAnswer>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * An operator session or the API token, then the body within `maxBodyBytes`.
 * After it, `c.get('body')` is the body and `c.get('peer')` the caller (an
 * operator address, or `api-token`).
 * @throws AuthError 401 (`UNSIGNED`, `BAD_TOKEN`, ...), 403 `NOT_MEMBER`; HttpError 413 `BODY_TOO_LARGE`
 */
export function operatorOrToken(
  server: RaftServer,
  apiToken: string | undefined,
  maxBodyBytes: number,
): MiddlewareHandler<AuthEnv> {
  const session = server.auth({ maxBodyBytes });
  const tooLarge = () =>
    new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds the limit of ${maxBodyBytes} bytes`);
  const limit = declaredBodyLimit(maxBodyBytes, tooLarge);
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    if (authorization === undefined) return session(c, next);
    const bearer = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization)?.[1];
    if (apiToken === undefined || bearer === undefined || !sameSecret(bearer, apiToken)) {
      throw new AuthError(401, 'BAD_TOKEN', 'the bearer token is not this operator’s API token');
    }
    await limit(c, async () => {});
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > maxBodyBytes) throw tooLarge();
    c.set('peer', 'api-token');
    c.set('body', body);
    await next();
  };
}

/** Mounts `GET /avs/v1/status` and `POST /avs/v1/tasks` on the server's app (before it serves). */
export function mountOperatorRoutes(server: RaftServer, routes: OperatorRoutes): void {
  const maxBody = routes.maxTaskBodyBytes ?? DEFAULT_MAX_TASK_BODY_BYTES;
  const schema = routes.payloadSchema ? submitTasksSchemaFor(routes.payloadSchema) : submitTasksSchema;
  const app = server.app;
  app.get('/avs/v1/status', operatorOrToken(server, routes.apiToken, 0), (c) => c.json(routes.status()));
  app.post('/avs/v1/tasks', operatorOrToken(server, routes.apiToken, maxBody), async (c) => {
    const request = decodeJson(c.get('body'), schema);
    const answer = await routes.submitTasks(request);
    return c.json(answer.body, answer.status);
  });
}
