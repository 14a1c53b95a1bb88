/**
 * Fuzzing of the operator's HTTP routes on a real devnet (3 operator
 * processes, anvil): generated requests to `POST /avs/v1/tasks` and to the
 * engine's routes on every operator (`POST /engine/v1/join`, no
 * authentication; `/engine/v1/join/forward` and `/engine/v1/task-responses`
 * with missing, malformed or unknown-session authentication headers). Each
 * answer must be a 2xx (tasks only) or a 4xx JSON `{ code, message }` (401 on
 * the authenticated routes); the status routes with generated query strings;
 * any other method or path (a 404 JSON error). Every operator must still
 * answer its status.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Devnet, startDevnet } from '@avs/operator';
import { AUTH_HEADERS } from '@avs/transport-http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzTally, fuzzRuns } from '../../src/fuzz-budget.js';

let dir: string;
let devnet: Devnet;
const lines: string[] = [];
const tally = new FuzzTally();

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

const isJsonError = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { code?: unknown }).code === 'string' &&
  typeof (body as { message?: unknown }).message === 'string';

/** A 2xx (when allowed), or a 4xx JSON error with a code and a message. */
function checkAnswer(a: Answer, what: string, allow2xx: boolean, only401 = false): void {
  if (allow2xx && a.status >= 200 && a.status < 300) return;
  if (only401 ? a.status !== 401 : a.status < 400 || a.status >= 500)
    throw new Error(
      `${what}: expected ${only401 ? '401' : 'a 4xx'}, got ${a.status} ${JSON.stringify(a.body)}`,
    );
  if (!isJsonError(a.body))
    throw new Error(`${what}: expected a JSON { code, message }, got ${JSON.stringify(a.body)}`);
}

const hexDigit = fc.constantFrom(...'0123456789abcdef');
const hexArb = (minLength: number, maxLength: number) => fc.string({ unit: hexDigit, minLength, maxLength });
const hex = (bytes: number) => hexArb(bytes * 2, bytes * 2);
const contentTypeArb = fc.constantFrom('application/json', 'text/plain', '', 'application/json; garbage');
const payloadArb = fc.oneof(
  fc.record({ kind: fc.constant('square'), number: fc.oneof(fc.string({ maxLength: 12 }), fc.integer()) }),
  fc.record({
    kind: fc.constant('price'),
    symbol: fc.oneof(fc.constantFrom('ETH', 'BTC', 'SOL'), fc.string({ maxLength: 8 })),
    round: fc.oneof(fc.nat(50), fc.double()),
  }),
  fc.anything({ maxDepth: 2 }),
);
const taskIndexArb = fc.oneof(
  fc.nat(60),
  fc.integer(),
  fc.constantFrom(2 ** 32, 2 ** 53, -1, 1.5),
  fc.string({ maxLength: 5 }),
);
const tasksBodyArb = fc.oneof(
  fc
    .record({
      tasks: fc.array(fc.record({ taskIndex: taskIndexArb, payload: payloadArb }), { maxLength: 70 }),
    })
    .map((x) => JSON.stringify(x)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.constantFrom('', '{', 'null', '[]', '{"tasks":null}', '{"tasks":[{}]}'),
);
const joinBodyArb = fc.oneof(
  fc
    .record({
      clusterId: fc.oneof(fc.constant('devnet'), fc.string({ maxLength: 10 })),
      address: fc.oneof(
        hexArb(40, 40).map((h) => `0x${h}`),
        fc.string(),
      ),
      httpUrl: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
      raftUrl: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
      signature: hexArb(0, 140).map((h) => `0x${h}`),
      nonce: fc.oneof(fc.nat(), fc.string({ maxLength: 10 })),
    })
    .map((x) => JSON.stringify(x)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.constantFrom('', '{', 'null'),
);
/** Missing, malformed and well-formed-but-unknown authentication headers. */
const authHeadersArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.constant({}),
  fc.record({
    [AUTH_HEADERS.session]: fc.string({ maxLength: 70 }),
    [AUTH_HEADERS.timestamp]: fc.string({ maxLength: 15 }),
    [AUTH_HEADERS.seq]: fc.string({ maxLength: 10 }),
    [AUTH_HEADERS.signature]: fc.string({ maxLength: 70 }),
  }),
  fc.record({
    [AUTH_HEADERS.session]: hex(32),
    [AUTH_HEADERS.timestamp]: fc.constant(String(Date.now())),
    [AUTH_HEADERS.seq]: fc.nat().map(String),
    [AUTH_HEADERS.signature]: hex(32),
  }),
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avs-chaos-operator-fuzz-'));
  devnet = await startDevnet({
    operators: 3,
    taskRate: 0.5,
    oracleEvery: 0,
    dataDir: dir,
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
    },
  });
}, 180_000);

afterAll(async () => {
  // Stop the operators first: a failing flush must not leave their processes running.
  await devnet?.stop();
  tally.flush();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const runs = fuzzRuns(100);
const urls = () => devnet.operators.map((p) => p.url);
/** The devnet's API token, as the task generator sends it. */
const tokenOf = (i: number) => devnet.operators[i]!.authHeaders();
const pick = fc.nat(2);

describe('operator HTTP routes under generated input (3 operators on a devnet)', () => {
  it('POST /avs/v1/tasks: a 2xx or a 4xx JSON { code, message }', async () => {
    await fc.assert(
      fc.asyncProperty(pick, tasksBodyArb, contentTypeArb, async (i, body, type) => {
        tally.hit('operator POST /avs/v1/tasks');
        const a = await send(`${urls()[i]}/avs/v1/tasks`, {
          method: 'POST',
          body,
          headers: { ...tokenOf(i), ...(type ? { 'content-type': type } : {}) },
        });
        checkAnswer(a, `POST /avs/v1/tasks ${body.slice(0, 200)}`, true);
      }),
      { numRuns: runs },
    );
  });

  it('POST /engine/v1/join (unauthenticated): a 4xx JSON { code, message }', async () => {
    await fc.assert(
      fc.asyncProperty(pick, joinBodyArb, contentTypeArb, async (i, body, type) => {
        tally.hit('operator POST /engine/v1/join');
        const a = await send(`${urls()[i]}/engine/v1/join`, {
          method: 'POST',
          body,
          ...(type ? { headers: { 'content-type': type } } : {}),
        });
        checkAnswer(a, `POST /engine/v1/join ${body.slice(0, 200)}`, false);
      }),
      { numRuns: runs },
    );
  });

  for (const path of ['/engine/v1/join/forward', '/engine/v1/task-responses']) {
    it(`POST ${path} without a valid session: 401 JSON { code, message }`, async () => {
      await fc.assert(
        fc.asyncProperty(
          pick,
          fc.oneof(joinBodyArb, tasksBodyArb),
          authHeadersArb,
          async (i, body, headers) => {
            tally.hit(`operator POST ${path}`);
            const a = await send(`${urls()[i]}${path}`, {
              method: 'POST',
              body,
              headers: { 'content-type': 'application/json', ...headers },
            });
            checkAnswer(a, `POST ${path} ${JSON.stringify(headers)} ${body.slice(0, 200)}`, false, true);
          },
        ),
        { numRuns: runs },
      );
    });
  }

  it('GET /avs/v1/status (with the API token) with generated query strings: 200 JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        pick,
        fc.constantFrom('/avs/v1/status'),
        fc.string({ maxLength: 40 }),
        async (i, path, query) => {
          tally.hit(`operator GET ${path}`);
          const a = await send(`${urls()[i]}${path}?${encodeURIComponent(query)}`, {
            headers: tokenOf(i),
          });
          expect(a.status, `GET ${path}?${query}`).toBe(200);
          expect(typeof a.body, `GET ${path}?${query}`).toBe('object');
        },
      ),
      { numRuns: runs },
    );
  });

  it('any other method or path: a 4xx JSON { code, message }', async () => {
    const segment = fc.oneof(
      fc.constantFrom('avs', 'engine', 'raft', 'v1', 'tasks', 'status', 'join', 'messages', '..', '%00'),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        pick,
        fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        async (i, method, path, body) => {
          const route = new URL(`${urls()[i]}${path}`).pathname;
          // The two status routes answer GET; everything else here is a route that does not exist.
          fc.pre(!(method === 'GET' && /^\/(avs|engine)\/v1\/status$/.test(route)));
          tally.hit('operator any other method or path');
          const a = await send(`${urls()[i]}${path}`, {
            method,
            ...(body === undefined || method === 'GET' ? {} : { body }),
          });
          checkAnswer(a, `${method} ${path}`, false);
        },
      ),
      { numRuns: runs },
    );
  });

  it('leaves every operator serving', async () => {
    const statuses = [];
    for (const [i, url] of urls().entries()) {
      statuses.push((await send(`${url}/avs/v1/status`, { headers: tokenOf(i) })).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
  });
});
