/**
 * Three engines in one process over real HTTP on 127.0.0.1 (transport-http,
 * authenticated sessions), durable file storage, the in-memory chain, real
 * time. Covers the HTTP routes and their errors end to end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryChain, JoinRefusedError, randomNonce } from '../src/index.js';
import { type HttpNode, startHttpNode, stopHttpNode } from './support/http-node.js';
import { poll } from './support/poll.js';
import { addressOfKey, randomKey, testJoinAuth } from './support/test-keys.js';

const chain = new InMemoryChain();
const nodes: HttpNode[] = [];
let dir = '';

async function startNode(i: number): Promise<HttpNode> {
  const node = await startHttpNode({
    chain,
    ecdsaIndex: 100 + i,
    blsSecret: 5_000 + i,
    domainClusterId: `0x${'ab'.repeat(32)}`,
    clusterId: 'http-test',
    storageDir: join(dir, `node-${i}`),
  });
  nodes.push(node);
  return node;
}

const leaderOf = () => nodes.find((n) => !n.engine.status().closed && n.engine.status().role === 'leader');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-http-'));
  const first = await startNode(0);
  await first.engine.initializeRaftRpcServer(true);
  await poll(() => first.engine.status().members.includes(first.address), 'founder leads and is recorded');
  const second = await startNode(1);
  const third = await startNode(2);
  expect((await second.engine.joinExistingOperatorCluster(first.url)).role).toBe('voter');
  // Through a follower: it forwards over an authenticated session.
  expect((await third.engine.joinExistingOperatorCluster(second.url)).role).toBe('voter');
}, 90_000);

afterAll(async () => {
  for (const n of nodes) await stopHttpNode(n);
  await rm(dir, { recursive: true, force: true });
});

describe('engines over HTTP', () => {
  it('completes a task with every signature and survives the leader stopping', async () => {
    const leader = leaderOf()!;
    expect(leader.engine.status().voters).toHaveLength(3);
    const t1 = chain.createTask({ thresholdPercentages: [67] });
    await leader.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: 3 }, [t1]);
    await poll(() => chain.response(t1.taskIndex) !== undefined, 'task 1 on-chain');
    expect(chain.response(t1.taskIndex)?.response).toMatchObject({ numberSquared: '9' });

    await leader.engine.close();
    await poll(() => leaderOf() !== undefined, 'a new leader');
    const t2 = chain.createTask({ thresholdPercentages: [60] });
    await leaderOf()!.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: 4 }, [t2]);
    await poll(() => chain.response(t2.taskIndex) !== undefined, 'task 2 on-chain');
    expect(chain.duplicateSubmissions).toBe(0);
  }, 90_000);

  it('answers bad requests with 4xx JSON errors and typed errors to clients', async () => {
    const target = nodes.find((n) => !n.engine.status().closed)!;
    const malformed = await fetch(`${target.url}/engine/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"request":1}',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'JOIN_MALFORMED' });

    const notJson = await fetch(`${target.url}/engine/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'nope',
    });
    expect(notJson.status).toBe(400);

    const huge = await fetch(`${target.url}/engine/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }),
    });
    expect(huge.status).toBe(413);

    const unsigned = await fetch(`${target.url}/engine/v1/task-responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);

    const strangerKey = randomKey();
    const signed = await testJoinAuth(strangerKey).sign({
      chainId: chain.chainId,
      contract: chain.contractAddress,
      clusterId: 'http-test',
      operator: addressOfKey(strangerKey),
      operatorId: `0x${'11'.repeat(32)}`,
      httpUrl: 'http://127.0.0.1:1',
      raftUrl: 'http://127.0.0.1:1',
      block: await chain.latestBlock(),
      expiresAtMs: Date.now() + 30_000,
      nonce: randomNonce(),
    });
    const refused = await fetch(`${target.url}/engine/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'JOIN_UNREGISTERED', reason: 'UNREGISTERED' });

    // Status is for members (over a session): anyone else gets 401.
    expect((await fetch(`${target.url}/engine/v1/status`)).status).toBe(401);
  });

  it('a joiner gets the refusal as a typed error', async () => {
    const late = await startNode(3);
    chain.deregisterOperator(late.address);
    const target = nodes.find((n) => !n.engine.status().closed && n !== late)!;
    await expect(late.engine.joinExistingOperatorCluster(target.url)).rejects.toBeInstanceOf(
      JoinRefusedError,
    );
  });
});
