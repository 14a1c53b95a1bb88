/**
 * Issue #17 item 8 over real HTTP on 127.0.0.1: two registered operators bootstrap at once and
 * make one cluster; the unauthenticated `POST /engine/v1/cluster-probe` route answers existence
 * and ids only, validates its body and is rate-limited per source.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterExistsError, InMemoryChain } from '../src/index.js';
import { type HttpNode, startHttpNode, stopHttpNode } from './support/http-node.js';
import { poll } from './support/poll.js';

const chain = new InMemoryChain();
const nodes: HttpNode[] = [];

async function registerNode(i: number): Promise<HttpNode> {
  const node = await startHttpNode({
    chain,
    ecdsaIndex: 200 + i,
    blsSecret: 7_000 + i,
    domainClusterId: `0x${'cd'.repeat(32)}`,
    clusterId: 'probe-test',
    transport: {
      client: { requestTimeoutMs: 2_000, endpoints: { allowLoopback: true } },
      probeRateLimit: { burst: 8, perSecond: 0 },
    },
    callbacks: { onTaskRequest: () => [] },
    config: { raft: { tickMs: 20, electionTick: 10 } },
  });
  nodes.push(node);
  return node;
}

afterAll(async () => {
  for (const n of nodes) await stopHttpNode(n);
});

const probe = (url: string, body: string) =>
  fetch(`${url}/engine/v1/cluster-probe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

describe('one cluster over HTTP', () => {
  it('two bootstrappers at once: the lower address founds, the other is refused naming it', async () => {
    const [x, y] = [await registerNode(0), await registerNode(1)];
    const [low, high] = x.address < y.address ? [x, y] : [y, x];
    const [rx, ry] = await Promise.allSettled([
      x.engine.initializeRaftRpcServer(true),
      y.engine.initializeRaftRpcServer(true),
    ]);
    const byNode = new Map([
      [x, rx],
      [y, ry],
    ]);
    expect(byNode.get(low)?.status).toBe('fulfilled');
    const refused = byNode.get(high) as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ClusterExistsError);
    expect((refused.reason as ClusterExistsError).foundNode).toBe(low.address);
    expect((refused.reason as ClusterExistsError).message).toContain("'probe-test'");
    await poll(() => low.engine.status().role === 'leader', 'the founder leads');

    // The probe route: existence and ids, nothing else.
    const stranger = `0x${'12'.repeat(20)}`;
    const res = await probe(low.url, JSON.stringify({ from: stranger }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: low.address,
      clusterId: 'probe-test',
      state: 'member',
      leaderId: low.address,
      includesAsker: false,
    });
    expect((await probe(low.url, '{"from":42}')).status).toBe(400);
    expect((await probe(low.url, JSON.stringify({ from: 'x'.repeat(4096) }))).status).toBe(413);
    // Per source, a bucket of 8 that does not refill: y's probe during bootstrap and the three above
    // took four, so the fifth request from here on is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await probe(low.url, JSON.stringify({ from: stranger }))).status);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  }, 30_000);
});
