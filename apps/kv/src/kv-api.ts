/**
 * The client HTTP API of kv (a Hono app, runtime-neutral):
 *
 * | route                          | body                                        | answer                                  |
 * | ------------------------------ | ------------------------------------------- | --------------------------------------- |
 * | `PUT /v1/kv/:key`              | `{ value }`                                 | `{ revision, prev }`                    |
 * | `GET /v1/kv/:key[?consistency=serializable]` | none                          | `{ key, value, createRevision, modRevision, version, revision }` or 404 |
 * | `DELETE /v1/kv/:key`           | none                                        | `{ deleted, revision, prev }`           |
 * | `POST /v1/cas/:key`            | `{ value, expect: { value } \| { modRevision } }` | `{ revision, current }` or 409   |
 * | `GET /v1/members`              | none                                        | `{ voters, learners, members }`         |
 * | `POST /v1/members`             | `{ id, peerUrl, clientUrl, learner? }`      | `{ voters, learners, ... }`             |
 * | `DELETE /v1/members/:id`       | none                                        | the new configuration                   |
 * | `POST /v1/leader/transfer`     | `{ to? }`                                   | `{ leader }`                            |
 * | `GET /status`, `GET /health`   | none                                        | node status / `{ status: 'ok' }`        |
 *
 * Keys may contain `/` (URL-encode other reserved characters). Every error is
 * JSON `{ code, message, ... }`; a write sent to a follower answers 421
 * `NOT_LEADER` with `leader` and `leaderUrl`, and a `Location` header with the
 * same path on the leader.
 */

import { declaredBodyLimit } from '@avs/transport-http';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { compareSchema, MAX_KEY_LENGTH, MAX_VALUE_LENGTH, memberInfoSchema } from './commands.js';
import { KvBadRequestError, KvError, KvNotLeaderError } from './errors.js';
import type { KvNode, ReadConsistency } from './kv-node.js';

/** Largest request body the API accepts, in bytes (a maximal value JSON-escaped fits). */
export const MAX_BODY_BYTES = 8 * MAX_VALUE_LENGTH;

const putSchema = z.strictObject({ value: z.string().max(MAX_VALUE_LENGTH) });
const casSchema = z.strictObject({ value: z.string().max(MAX_VALUE_LENGTH), expect: compareSchema });
const addMemberSchema = memberInfoSchema.extend({ learner: z.boolean().optional() });
const transferSchema = z.strictObject({ to: z.string().min(1).max(64).optional() });
const consistencySchema = z.enum(['linearizable', 'serializable']).default('linearizable');

async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new KvBadRequestError(
      'UNSUPPORTED_MEDIA_TYPE',
      `expected content-type application/json, got ${type || 'none'}`,
      415,
    );
  }
  const text = await c.req.text();
  // A declared length is not proof of the real one (in-process requests, proxies): check what was read.
  if (text.length > MAX_BODY_BYTES) {
    throw new KvBadRequestError(
      'BODY_TOO_LARGE',
      `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`,
      413,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KvBadRequestError('MALFORMED_JSON', 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new KvBadRequestError('INVALID_BODY', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function keyParam(c: Context): string {
  const key = c.req.param('key') ?? '';
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new KvBadRequestError('INVALID_KEY', `expected a key of 1 to ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}

/**
 * Creates the client API of one node.
 * @param node the replica it serves
 * @returns a Hono app; serve `app.fetch` with any adapter
 */
export function createKvApi(node: KvNode): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    const e = error instanceof KvError ? error : new KvError('INTERNAL', 500, 'internal error');
    if (e instanceof KvNotLeaderError && e.leaderUrl) {
      const url = new URL(c.req.url);
      c.header('Location', `${e.leaderUrl}${url.pathname}${url.search}`);
    }
    return c.json(e.toJSON(), e.status);
  });
  app.notFound((c) => c.json({ code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  const tooLarge = () =>
    new KvBadRequestError('BODY_TOO_LARGE', `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`, 413);
  // A declared length is checked without building a WHATWG stream; `c.req.text()` then reads from the socket.
  app.use('*', declaredBodyLimit(MAX_BODY_BYTES, tooLarge));

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/status', (c) => c.json(node.status()));

  app.put('/v1/kv/:key{.+}', async (c) => {
    const key = keyParam(c);
    const { value } = await body(c, putSchema);
    const result = await node.put(key, value);
    return c.json({ revision: result.revision, prev: result.prev });
  });

  app.get('/v1/kv/:key{.+}', async (c) => {
    const key = keyParam(c);
    const consistency = consistencySchema.safeParse(c.req.query('consistency') ?? undefined);
    if (!consistency.success) {
      throw new KvBadRequestError('INVALID_QUERY', 'consistency: expected linearizable or serializable');
    }
    const read = await node.get(key, consistency.data as ReadConsistency);
    if (!read.record) {
      return c.json(
        {
          code: 'KEY_NOT_FOUND',
          message: `key ${JSON.stringify(key)} does not exist`,
          key,
          revision: read.revision,
        },
        404,
      );
    }
    return c.json({ key, ...read.record, revision: read.revision });
  });

  app.delete('/v1/kv/:key{.+}', async (c) => {
    const result = await node.delete(keyParam(c));
    return c.json({ deleted: result.prev !== null, revision: result.revision, prev: result.prev });
  });

  app.post('/v1/cas/:key{.+}', async (c) => {
    const key = keyParam(c);
    const { value, expect } = await body(c, casSchema);
    const result = await node.compareAndSet(key, value, expect);
    return c.json({ revision: result.revision, current: result.current });
  });

  app.get('/v1/members', (c) => c.json(node.membership()));

  app.post('/v1/members', async (c) => {
    const { learner, ...member } = await body(c, addMemberSchema);
    const conf = await node.addMember(member, learner ? { learner } : {});
    return c.json(conf);
  });

  app.delete('/v1/members/:id', async (c) => c.json(await node.removeMember(c.req.param('id'))));

  app.post('/v1/leader/transfer', async (c) => {
    const { to } = await body(c, transferSchema);
    await node.transferLeadership(to);
    return c.json({ leader: node.status().leader });
  });

  return app;
}
