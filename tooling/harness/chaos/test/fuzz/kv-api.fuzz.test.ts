/**
 * Fuzzing of every route of the kv client API (apps/kv, `createKvApi`) on a
 * one-node cluster in process: generated methods, paths, keys, queries,
 * content types and bodies. Each answer must be a JSON 2xx, or a 4xx JSON
 * error with a `code` and a `message` (never a 5xx, never a throw, never a hang).
 */
import { createKvApi, KvNode } from '@avs/kv';
import { createMemoryNetwork, MemoryStorage } from '@avs/raft-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzTally, fuzzRuns } from '../../src/fuzz-budget.js';

let node: KvNode;
let storage: MemoryStorage;
let api: ReturnType<typeof createKvApi>;
const tally = new FuzzTally();

beforeAll(async () => {
  storage = new MemoryStorage();
  node = await KvNode.start({
    id: 'n1',
    storage,
    transport: createMemoryNetwork().transport('n1'),
    members: [{ id: 'n1', peerUrl: 'http://127.0.0.1:1', clientUrl: 'http://127.0.0.1:2' }],
    raft: { tickMs: 10 },
    bootstrap: ['n1'],
  });
  api = createKvApi(node);
  const end = Date.now() + 10_000;
  while (node.status().role !== 'leader') {
    if (Date.now() > end) throw new Error('the single node did not become leader');
    await new Promise((r) => setTimeout(r, 10));
  }
});

afterAll(async () => {
  tally.flush();
  await node.close();
  await storage.close();
});

const segment = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('..', '.', '%', '%zz', '%00', '\u0000', 'a/b', ' ', '😀', 'x'.repeat(1100)),
);
const keyArb = fc
  .array(segment, { minLength: 0, maxLength: 3 })
  .map((xs) => xs.map(encodeURIComponent).join('/'));
const routes = [
  { name: 'PUT /v1/kv/:key', method: 'PUT', path: (k: string) => `/v1/kv/${k}` },
  { name: 'GET /v1/kv/:key', method: 'GET', path: (k: string) => `/v1/kv/${k}` },
  { name: 'DELETE /v1/kv/:key', method: 'DELETE', path: (k: string) => `/v1/kv/${k}` },
  { name: 'POST /v1/cas/:key', method: 'POST', path: (k: string) => `/v1/cas/${k}` },
  { name: 'GET /v1/members', method: 'GET', path: () => '/v1/members' },
  { name: 'POST /v1/members', method: 'POST', path: () => '/v1/members' },
  { name: 'DELETE /v1/members/:id', method: 'DELETE', path: (k: string) => `/v1/members/${k}` },
  { name: 'POST /v1/leader/transfer', method: 'POST', path: () => '/v1/leader/transfer' },
  { name: 'GET /status', method: 'GET', path: () => '/status' },
  { name: 'GET /health', method: 'GET', path: () => '/health' },
  { name: 'any other method or path', method: 'PATCH', path: (k: string) => `/${k}` },
] as const;
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.record({ value: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }).map((x) => JSON.stringify(x)),
  fc
    .record({
      value: fc.string({ maxLength: 50 }),
      expect: fc.oneof(
        fc.record({ value: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }),
        fc.record({ modRevision: fc.oneof(fc.integer(), fc.string(), fc.double()) }),
        fc.anything(),
      ),
    })
    .map((x) => JSON.stringify(x)),
  fc
    .record({
      id: fc.string({ maxLength: 70 }),
      peerUrl: fc.oneof(fc.webUrl(), fc.string()),
      clientUrl: fc.oneof(fc.webUrl(), fc.string()),
      learner: fc.anything(),
    })
    .map((x) => JSON.stringify(x)),
  fc.record({ to: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()) }).map((x) => JSON.stringify(x)),
);
const contentTypeArb = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
  'application/json; garbage',
);
const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?consistency=serializable',
    '?consistency=linearizable',
    '?consistency=bogus',
    '?consistency=',
    '?a=1&a=2',
  ),
  fc.string({ maxLength: 20 }).map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
);

describe('kv client API under generated input', () => {
  for (const route of routes) {
    it(`${route.name}: 2xx or a 4xx JSON error with a code, never a crash`, async () => {
      await fc.assert(
        fc.asyncProperty(keyArb, queryArb, bodyArb, contentTypeArb, async (key, query, body, contentType) => {
          tally.hit(`kv ${route.name}`);
          const res = await api.request(`${route.path(key)}${query}`, {
            method: route.method,
            ...(body === undefined || route.method === 'GET'
              ? {}
              : { body, ...(contentType ? { headers: { 'content-type': contentType } } : {}) }),
          });
          const what = `${route.method} ${route.path(key)}${query} ${body}`;
          const json = (await res.json()) as Record<string, unknown>;
          // 503/504 are typed answers too (a generated membership change can leave the node without quorum); anything else 5xx is a defect.
          if (res.status >= 500) expect([503, 504], what).toContain(res.status);
          if (res.status >= 400) {
            expect(typeof json.code, what).toBe('string');
            expect(typeof json.message).toBe('string');
          }
        }),
        { numRuns: fuzzRuns(40) },
      );
    });
  }
});
