/**
 * An oversized body on `POST /engine/v1/join` (unauthenticated) over real HTTP
 * on 127.0.0.1: the client must get a clean 413 JSON answer, not a socket
 * error because the server answered and closed while the body was still
 * being sent. Bodies far beyond the limit are still cut off (the server does
 * not read without bound).
 */
import { operatorKeyScheme } from '@avs/transport-http';
import { type Served, serveNode } from '@avs/transport-http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpEngineTransport, JoinRefusedError, MAX_JOIN_BODY_BYTES } from '../src/index.js';
import { ecdsaKeyOf } from './support/cluster.js';

let served: Served;

beforeAll(async () => {
  const scheme = operatorKeyScheme({
    privateKey: ecdsaKeyOf(7),
    domain: { chainId: 31337, verifyingContract: `0x${'11'.repeat(20)}`, clusterId: `0x${'cd'.repeat(32)}` },
  });
  const transport = createHttpEngineTransport({ scheme });
  // The route under test is the transport's; behind it, a node that refuses every join as malformed.
  transport.serve({
    join: () => Promise.reject(new JoinRefusedError('MALFORMED', 'expected a signed join request')),
    submitResponses: () => Promise.reject(new Error('not used')),
    status: () => ({}),
    isPeerAllowed: () => false,
  });
  served = await serveNode(transport.fetch, { hostname: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await served?.close();
});

const join = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  fetch(`${served.url}/engine/v1/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(20_000),
    duplex: 'half',
  } as RequestInit);

/** A JSON document of about `bytes` bytes. */
const bigJson = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) });

describe('POST /engine/v1/join with an oversized body', () => {
  for (const size of [MAX_JOIN_BODY_BYTES + 1, 64 * 1024, 512 * 1024]) {
    it(`answers 413 BODY_TOO_LARGE to a ${size}-byte body with a content-length`, async () => {
      const res = await join(bigJson(size));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    });
  }

  it('answers 413 to a streamed (chunked) oversized body', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(8 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 256 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await join(stream);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('keeps answering on the same connections: oversized and small joins alternate, each gets its 4xx', async () => {
    for (let i = 0; i < 8; i++) {
      const big = await join(bigJson(64 * 1024 * (1 + (i % 4))));
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
      const small = await join('{"not":"a join"}');
      expect(small.status).toBe(400);
      expect(await small.json()).toMatchObject({ code: 'JOIN_MALFORMED' });
    }
  });
});
