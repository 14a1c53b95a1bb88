/**
 * fast-check generated requests against every route: whatever arrives, the
 * answer is a 4xx (or a 2xx for the few inputs that are valid), always JSON
 * `{ code, message }` on error, counted, and nothing unauthenticated or
 * malformed reaches Raft.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOffer } from '../src/auth/handshake.js';
import { encodeBatch } from '../src/codec/frame-codec.js';
import { createRaftServer, FRAME_CONTENT_TYPE } from '../src/server/raft-server.js';
import { messageArbitrary } from './support/arbitraries.js';
import { openSession } from './support/in-process.js';
import { operator, RecordingHandler } from './support/nodes.js';
import { SteppingClock } from './support/stepping-clock.js';

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

const alice = operator(1);
const bob = operator(2);
const ROUTES = [
  ['GET', '/health'],
  ['GET', '/status'],
  ['POST', '/raft/v1/handshake'],
  ['POST', '/raft/v1/messages'],
  ['PUT', '/raft/v1/snapshot'],
  ['POST', '/nowhere'],
] as const;

function setup() {
  const clock = new SteppingClock();
  const server = createRaftServer({
    scheme: bob,
    clock,
    membership: { isMember: (id) => id === alice.nodeId },
    limits: { maxBatchBytes: 2048, maxSnapshotPartBytes: 2048, maxJsonBytes: 1024 },
  });
  const handler = new RecordingHandler();
  server.attach(handler);
  return { clock, server, handler };
}

async function checkError(res: Response): Promise<void> {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const body = (await res.json()) as Record<string, unknown>;
  expect(typeof body.code).toBe('string');
  expect(typeof body.message).toBe('string');
}

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^0x[0-9a-f]{64}$/),
  fc.nat().map(String),
);
const authHeaders = fc.record(
  {
    'x-avs-session': headerValue,
    'x-avs-timestamp': headerValue,
    'x-avs-seq': headerValue,
    'x-avs-signature': headerValue,
    'content-type': fc.constantFrom(FRAME_CONTENT_TYPE, 'application/json', 'text/plain'),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.json().map((j) => new TextEncoder().encode(j)),
  fc.array(messageArbitrary, { maxLength: 3 }).map((ms) => encodeBatch(ms)),
);

describe('every route under generated input', () => {
  it('unauthenticated garbage: 4xx JSON, counted, nothing delivered', async () => {
    const { server, handler } = setup();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        authHeaders,
        body,
        async ([method, path], headers, bytes) => {
          const res = await server.app.request(`http://bob${path}`, {
            method,
            headers: headers as Record<string, string>,
            ...(method === 'GET' ? {} : { body: bytes as Uint8Array<ArrayBuffer> }),
          });
          if (path === '/health' && res.status === 200) return;
          requests++;
          await checkError(res);
        },
      ),
      { numRuns: fuzzCases(200) },
    );
    expect(handler.received).toEqual([]);
    expect(server.metrics.rejectedTotal).toBe(requests);
  });

  it('authenticated garbage on the binary routes: 4xx JSON unless it is a valid frame from the caller', async () => {
    const { clock, server, handler } = setup();
    const session = await openSession(server, alice, clock.now());
    let delivered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/raft/v1/messages', '/raft/v1/snapshot'),
        body,
        async (path, bytes) => {
          const method = path === '/raft/v1/messages' ? 'POST' : 'PUT';
          const headers = {
            ...(await session.sign(method, path, bytes, clock.now())),
            'content-type': FRAME_CONTENT_TYPE,
          };
          const res = await server.app.request(`http://bob${path}`, {
            method,
            headers,
            body: bytes as Uint8Array<ArrayBuffer>,
          });
          if (res.status < 300) {
            delivered++;
            return;
          }
          await checkError(res);
        },
      ),
      { numRuns: fuzzCases(150) },
    );
    // Generated messages are never from alice to bob, so only empty batches can pass.
    expect(handler.received).toEqual([]);
    expect(server.metrics.received.messages).toBe(0);
    expect(delivered).toBe(server.metrics.received.batches);
  });

  it('handshake offers with generated fields: 4xx JSON unless it is a genuine fresh offer from a member', async () => {
    const { clock, server, handler } = setup();
    const carol = operator(3);
    const hex = (n: number) =>
      fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
    const mutations = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
        from: fc.oneof(
          fc.constantFrom(alice.nodeId, carol.nodeId, bob.nodeId),
          fc.string({ maxLength: 200 }),
        ),
        to: fc.oneof(fc.constantFrom(bob.nodeId, alice.nodeId), fc.string({ maxLength: 50 })),
        timestamp: fc.oneof(fc.constant(clock.now()), fc.integer(), fc.double()),
        nonce: fc.oneof(hex(32), fc.string()),
        peerNonce: fc.oneof(hex(32), fc.string()),
        ephemeralKey: fc.oneof(hex(33), hex(32), fc.constant(`0x02${'ff'.repeat(32)}`)),
        signature: fc.oneof(hex(65), hex(64), fc.string()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    // The unmodified offer of a member is the one input that must pass.
    const genuine = await server.app.request('http://bob/raft/v1/handshake', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(createOffer(alice, bob.nodeId, clock.now()).offer),
    });
    expect(genuine.status).toBe(200);
    let accepted = 1;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(alice, carol), mutations, async (who, changes) => {
        const offer = { ...createOffer(who, bob.nodeId, clock.now()).offer, ...changes };
        const res = await server.app.request('http://bob/raft/v1/handshake', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(offer),
        });
        if (res.status === 200) {
          accepted++;
          return;
        }
        await checkError(res);
      }),
      { numRuns: fuzzCases(150) },
    );
    expect(server.metrics.handshakes.accepted).toBe(accepted);
    expect(handler.received).toEqual([]);
  });
});
