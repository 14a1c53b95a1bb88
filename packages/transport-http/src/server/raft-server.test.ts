import { MessageType } from '@avs/raft-core';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { heartbeat } from '../../test/support/arbitraries.js';
import { openSession } from '../../test/support/in-process.js';
import { operator, RecordingHandler } from '../../test/support/nodes.js';
import { SteppingClock } from '../../test/support/stepping-clock.js';
import { createOffer } from '../auth/handshake.js';
import { encodeBatch } from '../codec/frame-codec.js';
import type { AuthEnv } from './auth-middleware.js';
import { parseJson } from './parse-json.js';
import { createRaftServer, FRAME_CONTENT_TYPE, type RaftServer } from './raft-server.js';

const alice = operator(1);
const bob = operator(2);
const carol = operator(3);
const URL_BASE = 'http://bob';

let clock: SteppingClock;
let members: Set<string>;
let admitted: Set<string>;
let server: RaftServer;
let handler: RecordingHandler;

beforeEach(() => {
  clock = new SteppingClock();
  members = new Set([alice.nodeId, bob.nodeId]);
  admitted = new Set();
  server = createRaftServer({
    scheme: bob,
    clock,
    membership: { isMember: (id) => members.has(id), isAdmitted: (id) => admitted.has(id) },
    limits: { maxBatchBytes: 4096, sessionTtlMs: 60_000 },
  });
  handler = new RecordingHandler();
  server.attach(handler);
});

async function expectError(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(body.message.length).toBeGreaterThan(5);
  expect(server.metrics.rejected[code]).toBeGreaterThanOrEqual(1);
  expect(handler.received).toEqual([]);
}

function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return Promise.resolve(
    server.app.request(URL_BASE + path, {
      method: 'POST',
      headers: { 'content-type': FRAME_CONTENT_TYPE, ...headers },
      body: body as Uint8Array<ArrayBuffer>,
    }),
  );
}

const frame = encodeBatch([heartbeat(alice.nodeId, bob.nodeId, 3)]);

describe('raft server: the good path', () => {
  it('delivers a signed batch from a member, in order', async () => {
    const s = await openSession(server, alice, clock.now());
    const messages = [heartbeat(alice.nodeId, bob.nodeId, 3, 1), heartbeat(alice.nodeId, bob.nodeId, 3, 2)];
    const body = encodeBatch(messages);
    const res = await post(
      '/raft/v1/messages',
      body,
      await s.sign('POST', '/raft/v1/messages', body, clock.now()),
    );
    expect(res.status).toBe(204);
    expect(handler.received).toEqual(messages);
    expect(server.metrics.rejectedTotal).toBe(0);
  });

  it('answers /health without authentication and /status only with it', async () => {
    expect(await (await server.app.request(`${URL_BASE}/health`)).json()).toEqual({ status: 'ok' });
    await expectError(await server.app.request(`${URL_BASE}/status`), 401, 'UNSIGNED');
    const s = await openSession(server, alice, clock.now());
    const res = await server.app.request(`${URL_BASE}/status`, {
      headers: await s.sign('GET', '/status', new Uint8Array(0), clock.now()),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ nodeId: bob.nodeId, scheme: 'operator-key', sessions: 1 });
  });
});

describe('raft server: rejections are 4xx JSON, counted, and never reach Raft', () => {
  it('unsigned', async () => {
    await expectError(await post('/raft/v1/messages', frame, {}), 401, 'UNSIGNED');
  });

  it('unsigned and oversized: 401 before the body is looked at', async () => {
    await expectError(await post('/raft/v1/messages', new Uint8Array(100_000), {}), 401, 'UNSIGNED');
  });

  it('malformed authentication headers', async () => {
    const headers = {
      'x-avs-session': 'nope',
      'x-avs-timestamp': 'yesterday',
      'x-avs-seq': '-1',
      'x-avs-signature': 'zz',
    };
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'MALFORMED_AUTH');
  });

  it('unknown session', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now());
    headers['x-avs-session'] = `0x${'ab'.repeat(32)}`;
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'UNKNOWN_SESSION');
  });

  it('wrongly signed: the body differs from what was signed', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now());
    const other = encodeBatch([heartbeat(alice.nodeId, bob.nodeId, 99)]);
    await expectError(await post('/raft/v1/messages', other, headers), 401, 'BAD_SIGNATURE');
  });

  it('wrongly signed: signed for another path', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/other', frame, clock.now());
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'BAD_SIGNATURE');
  });

  it('replayed', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now());
    expect((await post('/raft/v1/messages', frame, headers)).status).toBe(204);
    handler.received.length = 0;
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'REPLAYED');
  });

  it('stale timestamp', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now() - 31_000);
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'STALE_TIMESTAMP');
  });

  it('expired session', async () => {
    const s = await openSession(server, alice, clock.now());
    await clock.advance(61_000);
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now());
    await expectError(await post('/raft/v1/messages', frame, headers), 401, 'SESSION_EXPIRED');
  });

  it('oversized (authenticated)', async () => {
    const s = await openSession(server, alice, clock.now());
    const big = new Uint8Array(5000);
    await expectError(
      await post('/raft/v1/messages', big, await s.sign('POST', '/raft/v1/messages', big, clock.now())),
      413,
      'BODY_TOO_LARGE',
    );
  });

  it('oversized with a declared length (refused before the body is read) or a length that lies', async () => {
    const s = await openSession(server, alice, clock.now());
    const big = new Uint8Array(5000);
    const signed = await s.sign('POST', '/raft/v1/messages', big, clock.now());
    await expectError(
      await post('/raft/v1/messages', big, { ...signed, 'content-length': '5000' }),
      413,
      'BODY_TOO_LARGE',
    );
    const lying = await s.sign('POST', '/raft/v1/messages', big, clock.now());
    await expectError(
      await post('/raft/v1/messages', big, { ...lying, 'content-length': '10' }),
      413,
      'BODY_TOO_LARGE',
    );
  });

  it('a frame with a declared length is delivered', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = await s.sign('POST', '/raft/v1/messages', frame, clock.now());
    const res = await post('/raft/v1/messages', frame, {
      ...headers,
      'content-length': String(frame.length),
    });
    expect(res.status).toBe(204);
  });

  it('malformed frame (authenticated)', async () => {
    const s = await openSession(server, alice, clock.now());
    const junk = new Uint8Array([0xa7, 0x52, 1, 1, 5]);
    await expectError(
      await post('/raft/v1/messages', junk, await s.sign('POST', '/raft/v1/messages', junk, clock.now())),
      400,
      'MALFORMED_FRAME',
    );
  });

  it('wrong content type', async () => {
    const s = await openSession(server, alice, clock.now());
    const headers = {
      ...(await s.sign('POST', '/raft/v1/messages', frame, clock.now())),
      'content-type': 'text/plain',
    };
    await expectError(await post('/raft/v1/messages', frame, headers), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a member speaking for another node', async () => {
    const s = await openSession(server, alice, clock.now());
    const forged = encodeBatch([heartbeat(carol.nodeId, bob.nodeId, 3)]);
    await expectError(
      await post('/raft/v1/messages', forged, await s.sign('POST', '/raft/v1/messages', forged, clock.now())),
      403,
      'SENDER_MISMATCH',
    );
  });

  it('a member removed after its handshake', async () => {
    const s = await openSession(server, alice, clock.now());
    members.delete(alice.nodeId);
    await expectError(
      await post('/raft/v1/messages', frame, await s.sign('POST', '/raft/v1/messages', frame, clock.now())),
      403,
      'NOT_MEMBER',
    );
  });

  it('a local-only message type', async () => {
    const s = await openSession(server, alice, clock.now());
    const hup = encodeBatch([{ ...heartbeat(alice.nodeId, bob.nodeId, 3), type: MessageType.Hup }]);
    await expectError(
      await post('/raft/v1/messages', hup, await s.sign('POST', '/raft/v1/messages', hup, clock.now())),
      400,
      'MALFORMED_FRAME',
    );
  });

  it('unknown routes', async () => {
    await expectError(
      await server.app.request(`${URL_BASE}/raft/v2/messages`, { method: 'POST' }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('handshake rejections', () => {
  function handshake(body: unknown): Promise<Response> {
    return Promise.resolve(
      server.app.request(`${URL_BASE}/raft/v1/handshake`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  it('non-member', async () => {
    await expectError(await handshake(createOffer(carol, bob.nodeId, clock.now()).offer), 403, 'NOT_MEMBER');
  });

  it('wrongly signed: a non-member claiming to be a member', async () => {
    const offer = createOffer(carol, bob.nodeId, clock.now()).offer;
    await expectError(await handshake({ ...offer, from: alice.nodeId }), 401, 'BAD_SIGNATURE');
  });

  it('signed for another cluster', async () => {
    const elsewhere = operator(1, {
      chainId: 31337,
      verifyingContract: `0x${'c0'.repeat(20)}`,
      clusterId: `0x${'2e'.repeat(32)}`,
    });
    await expectError(
      await handshake(createOffer(elsewhere, bob.nodeId, clock.now()).offer),
      401,
      'BAD_SIGNATURE',
    );
  });

  it('replayed offer', async () => {
    const offer = createOffer(alice, bob.nodeId, clock.now()).offer;
    expect((await handshake(offer)).status).toBe(200);
    await expectError(await handshake(offer), 401, 'REPLAYED');
  });

  it('stale offer', async () => {
    await expectError(
      await handshake(createOffer(alice, bob.nodeId, clock.now() - 60_000).offer),
      401,
      'STALE_TIMESTAMP',
    );
  });

  it('addressed to another node', async () => {
    await expectError(
      await handshake(createOffer(alice, carol.nodeId, clock.now()).offer),
      401,
      'WRONG_RECIPIENT',
    );
  });

  it('malformed JSON, invalid fields, oversized', async () => {
    await expectError(await handshake('{"version":'), 400, 'MALFORMED_JSON');
    await expectError(await handshake({ version: 1, from: 'x' }), 400, 'INVALID_BODY');
    await expectError(await handshake('x'.repeat(70_000)), 413, 'BODY_TOO_LARGE');
  });
});

describe('mounting engine routes', () => {
  it('puts them behind the same authentication and tells them the peer', async () => {
    const joiner = operator(4);
    admitted.add(joiner.nodeId);
    server = createRaftServer({
      scheme: bob,
      clock,
      membership: { isMember: (id) => members.has(id), isAdmitted: (id) => admitted.has(id) },
    });
    server.attach(handler);
    const engine = new Hono<AuthEnv>();
    const joinSchema = z.object({ url: z.string().url() }).strict();
    engine.post('/join', server.auth({ allowAdmitted: true, maxBodyBytes: 1024 }), async (c) => {
      const body = await parseJson(c, joinSchema);
      return c.json({ peer: c.get('peer'), url: body.url });
    });
    engine.post('/responses', server.auth(), (c) => c.json({ peer: c.get('peer') }));
    server.app.route('/engine/v1', engine);

    const s = await openSession(server, joiner, clock.now());
    const body = new TextEncoder().encode(JSON.stringify({ url: 'http://127.0.0.1:9' }));
    const headers = {
      ...(await s.sign('POST', '/engine/v1/join', body, clock.now())),
      'content-type': 'application/json',
    };
    const res = await server.app.request(`${URL_BASE}/engine/v1/join`, { method: 'POST', headers, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ peer: joiner.nodeId, url: 'http://127.0.0.1:9' });

    // The joiner is not a member yet: member-only routes refuse it.
    const h2 = {
      ...(await s.sign('POST', '/engine/v1/responses', body, clock.now())),
      'content-type': 'application/json',
    };
    await expectError(
      await server.app.request(`${URL_BASE}/engine/v1/responses`, { method: 'POST', headers: h2, body }),
      403,
      'NOT_MEMBER',
    );
    await expectError(
      await post('/raft/v1/messages', frame, await s.sign('POST', '/raft/v1/messages', frame, clock.now())),
      403,
      'NOT_MEMBER',
    );
    // Bad JSON on a mounted route is a 400, not an exception.
    const bad = new TextEncoder().encode('{"url": 5}');
    const h3 = {
      ...(await s.sign('POST', '/engine/v1/join', bad, clock.now())),
      'content-type': 'application/json',
    };
    await expectError(
      await server.app.request(`${URL_BASE}/engine/v1/join`, { method: 'POST', headers: h3, body: bad }),
      400,
      'INVALID_BODY',
    );
    await expectError(
      await server.app.request(`${URL_BASE}/engine/v1/join`, { method: 'POST', body }),
      401,
      'UNSIGNED',
    );
  });
});

describe('before start', () => {
  it('refuses Raft messages with 503 until a handler is attached', async () => {
    server.attach(undefined);
    const s = await openSession(server, alice, clock.now());
    const res = await post(
      '/raft/v1/messages',
      frame,
      await s.sign('POST', '/raft/v1/messages', frame, clock.now()),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'NOT_READY' });
  });
});

describe('server logger', () => {
  it('logs a route that fails unexpectedly (answered 500 INTERNAL), not a refusal', async () => {
    const logged: { message: string; fields: Record<string, unknown> | undefined }[] = [];
    const record = (message: string, fields?: Record<string, unknown>) => logged.push({ message, fields });
    const logging = createRaftServer({
      scheme: bob,
      clock,
      membership: { isMember: (id) => members.has(id) },
      logger: { debug: record, info: record, warn: record, error: record },
    });
    logging.app.get('/boom', () => {
      throw new Error('disk on fire');
    });
    const failed = await logging.fetch(new Request(`${URL_BASE}/boom`));
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { code: string }).code).toBe('INTERNAL');
    expect(logged).toEqual([
      { message: 'transport: route failed', fields: { method: 'GET', path: '/boom', error: 'disk on fire' } },
    ]);
    expect((await logging.fetch(new Request(`${URL_BASE}/nope`))).status).toBe(404);
    expect(logged).toHaveLength(1);
  });
});
