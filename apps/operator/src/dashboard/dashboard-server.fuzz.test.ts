/**
 * Generated requests to the dashboard over real HTTP on 127.0.0.1: every
 * route, and any other method or path. Property: no crash, no 5xx; known
 * routes answer as documented, everything else a 404 JSON `{ code, message }`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevnetState } from '../devnet/devnet-state.js';
import { type Dashboard, serveDashboard } from './dashboard-server.js';

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

const state = new DevnetState('http://127.0.0.1:8545');
let kills = 0;
let dashboard: Dashboard;

beforeAll(async () => {
  state.addTask({ taskIndex: 0, kind: 'square', label: '3²', status: 'created', createdAtMs: Date.now() });
  dashboard = await serveDashboard({
    snapshot: () => state.snapshot(),
    // Every other call finds a leader to kill.
    killLeader: () => (kills++ % 2 === 0 ? 'op-0' : undefined),
  });
});

afterAll(async () => {
  await dashboard?.close();
});

const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
const segmentArb = fc.oneof(
  fc.constantFrom('', 'api', 'state', 'chaos', 'kill-leader', 'index.html', '..', '%00'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const pathArb = fc.oneof(
  fc.constantFrom('/', '/api/state', '/api/chaos/kill-leader', '/api/chaos', '/api/'),
  fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
);
const bodyArb = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 200 }), fc.json({ maxDepth: 2 }));

const isJsonError = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { code?: unknown }).code === 'string' &&
  typeof (body as { message?: unknown }).message === 'string';

describe('dashboard routes under generated input (real HTTP)', () => {
  it('answer as documented, and any other method or path with a 404 JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(methodArb, pathArb, bodyArb, async (method, path, body) => {
        // The event stream never ends; its own test reads the first event.
        fc.pre(!path.startsWith('/api/events'));
        const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        const res = await fetch(`${dashboard.origin}${path}`, {
          method,
          ...(withBody ? { body, headers: { 'content-type': 'application/json' } } : {}),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        const what = `${method} ${path} -> ${res.status} ${text.slice(0, 200)}`;
        expect(res.status, what).toBeLessThan(500);
        const route = new URL(`${dashboard.origin}${path}`).pathname;
        if (method === 'GET' && route === '/') expect(res.status, what).toBe(200);
        else if (method === 'GET' && route === '/api/state')
          expect(JSON.parse(text).rpcUrl, what).toBeDefined();
        else if (route.startsWith('/api/chaos/')) {
          // No token, no Origin: refused whatever the method.
          expect([401, 403], what).toContain(res.status);
        } else if (method !== 'HEAD' && res.status === 404)
          expect(isJsonError(JSON.parse(text)), what).toBe(true);
      }),
      { numRuns: fuzzCases(300) },
    );
  });

  it('streams state events and still serves afterwards', async () => {
    const abort = new AbortController();
    const res = await fetch(`${dashboard.origin}/api/events`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    abort.abort();
    expect(new TextDecoder().decode(value)).toContain('event: state');
    expect((await fetch(`${dashboard.origin}/api/state`)).status).toBe(200);
  });
});
