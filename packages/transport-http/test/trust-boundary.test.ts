/**
 * The transport's share of issue #17 over real sockets on 127.0.0.1: refusals
 * are cheap (non-members refused before any signature work and leaving no
 * nonce behind, per-source rate limits), and removed means removed (a
 * revoked peer's open stream ends at once, a stream ends with its session).
 */
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { serveNode } from '../src/adapters/node.js';
import { createPooledFetch } from '../src/adapters/node-fetch.js';
import { createOffer } from '../src/auth/handshake.js';
import { HttpTransport } from '../src/client/http-transport.js';
import { createRaftServer } from '../src/server/raft-server.js';
import type { ServerLimits } from '../src/server/server-options.js';
import type { SourceRateLimits } from '../src/server/source-rate-limit.js';
import { heartbeat } from './support/arbitraries.js';
import { operator, RecordingHandler, until } from './support/nodes.js';

const alice = operator(1);
const bob = operator(2);
const cleanups: (() => Promise<void> | void)[] = [];
const pooled = createPooledFetch();

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await pooled.close();
});

async function bobServer(
  limits: Partial<ServerLimits> = {},
  rateLimit: Partial<SourceRateLimits> | false = {},
) {
  const members = new Set([alice.nodeId, bob.nodeId]);
  const server = createRaftServer({
    scheme: bob,
    membership: { isMember: (id) => members.has(id) },
    limits,
    rateLimit,
  });
  const handler = new RecordingHandler();
  server.attach(handler);
  const served = await serveNode(server.fetch);
  cleanups.push(() => served.close());
  return { server, handler, served, members };
}

/** POSTs an offer from `localAddress` (another loopback address stands for another machine); resolves with the status. */
function postOffer(url: string, offer: object, localAddress = '127.0.0.1'): Promise<number> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify(offer);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        localAddress,
        method: 'POST',
        path: '/raft/v1/handshake',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('handshake: refusals are cheap', () => {
  it("1,000 non-member handshakes leave a member's handshake answered 200", async () => {
    // A small nonce cache that recording non-members' nonces (as main did) would fill; no rate
    // limit here, so every offer reaches the membership check.
    const { server, served } = await bobServer({ maxHandshakeNonces: 500 }, false);
    const strangers = Array.from({ length: 20 }, (_, i) => operator(100 + i));
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const offer = createOffer(strangers[i % strangers.length]!, bob.nodeId, Date.now()).offer;
      const status = await postOffer(served.url, offer);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 403: 1000 });
    expect(server.metrics.rejected.NOT_MEMBER).toBe(1000);
    expect(await postOffer(served.url, createOffer(alice, bob.nodeId, Date.now()).offer)).toBe(200);
    expect(server.metrics.handshakes.accepted).toBe(1);
  });

  it('limits handshakes per source address: one noisy source gets 429, another is served', async () => {
    // No refill, so the count does not depend on how fast this machine is.
    const { server, served } = await bobServer({}, { burst: 8, perSecond: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      // The attacker speaks from another loopback address: per-source limits key on it.
      const offer = createOffer(operator(100 + i), bob.nodeId, Date.now()).offer;
      statuses.push(await postOffer(served.url, offer, '127.0.0.2'));
    }
    expect(statuses).toEqual([...Array(8).fill(403), ...Array(12).fill(429)]);
    expect(server.metrics.rejected.RATE_LIMITED).toBe(12);
    expect(await postOffer(served.url, createOffer(alice, bob.nodeId, Date.now()).offer)).toBe(200);
  });

  it('a member forged by a non-member is refused without recording its nonce', async () => {
    const { server, served } = await bobServer({ maxHandshakeNonces: 1 });
    const carol = operator(3);
    const forged = { ...createOffer(carol, bob.nodeId, Date.now()).offer, from: alice.nodeId };
    expect(await postOffer(served.url, forged)).toBe(401);
    expect(await postOffer(served.url, forged)).toBe(401); // not REPLAYED: nothing was recorded
    expect(server.metrics.rejected.BAD_SIGNATURE).toBe(2);
    expect(await postOffer(served.url, createOffer(alice, bob.nodeId, Date.now()).offer)).toBe(200);
  });
});

describe('open streams end with membership and session', () => {
  const quiet = { streamKeepaliveMs: 600_000, streamMaxAgeMs: 600_000, retry: { baseDelayMs: 5_000 } };

  it('revoke(peer) ends a removed member’s silent stream at once and forgets its sessions', async () => {
    const { server, handler, served, members } = await bobServer({ streamIdleMs: 600_000 });
    const transport = new HttpTransport({ scheme: alice, fetch: pooled.fetch, ...quiet });
    cleanups.push(() => transport.close());
    await transport.start(new RecordingHandler());
    transport.addPeer(bob.nodeId, served.url);
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 3, 1)]);
    await until(() => handler.received.length === 1);
    expect(server.metrics.streams.opened).toBe(1);
    members.delete(alice.nodeId);
    server.revoke(alice.nodeId);
    await until(() => server.metrics.streams.closed === 1, 5_000, 'the stream to end');
    expect(server.metrics.rejected.NOT_MEMBER).toBe(1);
  });

  it('a stream ends when its session expires, even while frames keep it busy', async () => {
    const { server, served } = await bobServer({ streamIdleMs: 600_000, sessionTtlMs: 1_000 });
    const transport = new HttpTransport({ scheme: alice, fetch: pooled.fetch, ...quiet });
    cleanups.push(() => transport.close());
    await transport.start(new RecordingHandler());
    transport.addPeer(bob.nodeId, served.url);
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 3, 1)]);
    await until(() => server.metrics.streams.opened === 1);
    await until(() => server.metrics.streams.closed >= 1, 30_000, 'the stream to end');
    expect(server.metrics.rejected.SESSION_EXPIRED).toBeGreaterThanOrEqual(1);
  });
});
