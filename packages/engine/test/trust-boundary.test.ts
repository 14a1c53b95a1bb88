/**
 * Issue #17 over real HTTP on 127.0.0.1 (transport-http sessions, file storage,
 * the in-memory chain): membership is the applied Raft configuration and
 * nothing else. A member removed from the configuration is refused by a node
 * that joined while it was a member (on main that node kept it in a side list
 * of "known peers" forever and answered its authenticated requests).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpTransport, operatorKeyScheme } from '@avs/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpEngineTransport, InMemoryChain } from '../src/index.js';
import { ecdsaKeyOf } from './support/cluster.js';
import { type HttpNode, startHttpNode, stopHttpNode } from './support/http-node.js';
import { poll } from './support/poll.js';

type Node = HttpNode;

const chain = new InMemoryChain();
const clusterId = `0x${'cd'.repeat(32)}`;
const domain = { chainId: chain.chainId, verifyingContract: chain.contractAddress, clusterId };
const nodes: Node[] = [];
let dir = '';

async function startNode(i: number): Promise<Node> {
  const node = await startHttpNode({
    chain,
    ecdsaIndex: 300 + i,
    blsSecret: 7_000 + i,
    domainClusterId: clusterId,
    clusterId: 'trust-test',
    storageDir: join(dir, `node-${i}`),
  });
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-trust-'));
  const founder = await startNode(0);
  await founder.engine.initializeRaftRpcServer(true);
  await poll(() => founder.engine.status().members.includes(founder.address), 'the founder leads');
  const doomed = await startNode(1);
  expect((await doomed.engine.joinExistingOperatorCluster(founder.url)).role).toBe('voter');
  // The late joiner learns of `doomed` from its join answer, while `doomed` is a member.
  const late = await startNode(2);
  expect((await late.engine.joinExistingOperatorCluster(founder.url)).role).toBe('voter');
}, 90_000);

afterAll(async () => {
  for (const n of nodes) await stopHttpNode(n);
  await rm(dir, { recursive: true, force: true });
});

describe('removed means removed', () => {
  it('a removed member is refused by a node that joined while it was a member', async () => {
    const [founder, doomed, late] = nodes as [Node, Node, Node];
    expect(late.engine.isPeerAllowed(doomed.address)).toBe(true);
    chain.deregisterOperator(doomed.address);
    const leader = nodes.find((n) => n.engine.status().role === 'leader')!;
    expect(leader).toBe(founder);
    expect(await leader.engine.checkMembership()).toEqual([doomed.address]);
    await poll(
      () => !late.engine.status().voters.includes(doomed.address),
      'the removal to reach the late joiner',
    );

    // Every node refuses it, the late joiner included: no side list outlives the configuration change.
    for (const n of [founder, late]) expect(n.engine.isPeerAllowed(doomed.address)).toBe(false);
    // Over HTTP with the removed operator's own key: its handshake is refused, so is any request.
    const impostor = new HttpTransport({
      scheme: operatorKeyScheme({ privateKey: doomed.ecdsaKey, domain }),
    });
    impostor.addPeer(late.address, late.url);
    await expect(impostor.request(late.address, { method: 'GET', path: '/status' })).rejects.toMatchObject({
      code: 'HANDSHAKE_FAILED',
    });
    await impostor.close();
    expect(late.transport.server.metrics.rejected.NOT_MEMBER ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('engine status needs a session; /health stays open', async () => {
    const [founder] = nodes as [Node];
    expect((await fetch(`${founder.url}/engine/v1/status`)).status).toBe(401);
    expect((await fetch(`${founder.url}/health`)).status).toBe(200);
  });
});

describe('endpoints are validated before dialling', () => {
  it('a transport with an endpoint policy refuses private and loopback URLs and never dials them', () => {
    const t = createHttpEngineTransport({
      scheme: operatorKeyScheme({ privateKey: ecdsaKeyOf(399), domain }),
      client: { endpoints: {} },
    });
    // What the leader asks before admitting a join with these registered endpoints (JOIN_ENDPOINT_REFUSED).
    expect(t.endpointRefusal?.('http://10.0.0.1:7001')).toMatch(/private/);
    expect(t.endpointRefusal?.('http://169.254.169.254/latest')).toMatch(/private/);
    expect(t.endpointRefusal?.('http://127.0.0.1:7001')).toMatch(/loopback/);
    expect(t.endpointRefusal?.('http://user:pw@op.example.org')).toMatch(/credentials/);
    expect(t.endpointRefusal?.('https://op.example.org:7001')).toBeUndefined();
    // A replicated member URL the policy refuses is skipped, not dialled, and does not throw.
    const member = (id: string, url: string) => ({
      id,
      operatorId: `0x${'0'.repeat(64)}`,
      httpUrl: url,
      raftUrl: url,
    });
    t.setPeer(member(`0x${'aa'.repeat(20)}`, 'http://192.168.1.5:7001'));
    t.setPeer(member(`0x${'bb'.repeat(20)}`, 'https://op.example.org'));
    expect(t.http.peerIds()).toEqual([`0x${'bb'.repeat(20)}`]);
  });
});
