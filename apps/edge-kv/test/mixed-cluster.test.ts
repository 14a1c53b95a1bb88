/**
 * A Node process and workerd-hosted Raft members in one cluster, talking
 * authenticated Raft over HTTP on 127.0.0.1: two voters are Durable Objects
 * in workerd (Miniflare 4), the third member is a `RaftNode` in this Node
 * process (a learner, so the leader stays in workerd where the Worker routes
 * writes). The leader object replicates to the Node member through the
 * Worker's outbound fetch; the Node member answers through
 * `/members/<name>/raft/v1/*`; both directions carry transport-http's
 * handshake and per-request HMAC under the cluster secret.
 */
import { MemoryStorage, MessageType, RaftNode } from '@avs/raft-core';
import { createRaftServer, HttpTransport, sharedSecretScheme } from '@avs/transport-http';
import { serveNode } from '@avs/transport-http/node';
import { afterAll, describe, expect, it } from 'vitest';
import { EDGE_KV_DOMAIN } from '../src/edge-env.js';
import { KvStateMachine } from '../src/kv-state-machine.js';
import { startEdgeKv } from './edge-kv-workerd.js';

const SECRET = 'edge-kv mixed cluster secret, thirty-two bytes or more';
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('a Node member and workerd members in one Raft cluster', () => {
  it('replicates every write to the Node member over authenticated HTTP, and refuses a wrong secret', async () => {
    const scheme = sharedSecretScheme({
      nodeId: 'node-1',
      secret: new TextEncoder().encode(SECRET),
      domain: EDGE_KV_DOMAIN,
    });
    const members = ['kv-1', 'kv-2', 'node-1'];
    const server = createRaftServer({ scheme, membership: { isMember: (id) => members.includes(id) } });
    const served = await serveNode(server.fetch);
    cleanups.push(() => served.close());

    const kv = await startEdgeKv({
      MEMBERS: 'kv-1,kv-2',
      LEARNERS: 'node-1',
      PEER_URLS: JSON.stringify({ 'node-1': served.url }),
      CLUSTER_SECRET: SECRET,
    });
    cleanups.push(() => kv.dispose());

    const transport = new HttpTransport({ scheme, server });
    for (const peer of ['kv-1', 'kv-2']) transport.addPeer(peer, `${kv.url}/members/${peer}`);
    const machine = new KvStateMachine();
    const node = await RaftNode.start({
      id: 'node-1',
      storage: new MemoryStorage(),
      transport,
      stateMachine: machine,
      bootstrap: { voters: ['kv-1', 'kv-2'], learners: ['node-1'] },
      config: { tickMs: 50, electionTick: 10, heartbeatTick: 1 },
    });
    cleanups.push(() => node.close());

    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${kv.url}/kv/mixed-${i}`, { method: 'PUT', body: `v${i}` });
      expect(res.status).toBe(200);
    }
    await until(() => machine.get('mixed-49') === 'v49', 'the Node member to apply the 50th write');
    for (let i = 0; i < 50; i++) expect(machine.get(`mixed-${i}`)).toBe(`v${i}`);
    const status = node.status();
    expect(['kv-1', 'kv-2']).toContain(status.leader);
    // Both directions went through authenticated sessions: the Node server accepted the leader's
    // handshake and its signed batches, and the Node client's handshakes were answered in workerd.
    const metrics = server.metrics.toJSON() as {
      handshakes: { accepted: number; initiated: number };
      received: { messages: number };
      rejectedTotal: number;
    };
    expect(metrics.handshakes.accepted).toBeGreaterThan(0);
    expect(metrics.handshakes.initiated).toBeGreaterThan(0);
    expect(metrics.received.messages).toBeGreaterThan(0);
    expect(metrics.rejectedTotal).toBe(0);

    // An intruder with another secret is refused by the workerd member.
    const intruder = new HttpTransport({
      scheme: sharedSecretScheme({
        nodeId: 'node-1',
        secret: new TextEncoder().encode('a different secret, also thirty-two bytes long'),
        domain: EDGE_KV_DOMAIN,
      }),
      stream: 'off',
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const unreachable: string[] = [];
    await intruder.start({ receive: () => {}, reportUnreachable: (peer) => unreachable.push(peer) });
    cleanups.push(() => intruder.close());
    intruder.addPeer('kv-1', `${kv.url}/members/kv-1`);
    intruder.send([
      {
        type: MessageType.Heartbeat,
        from: 'node-1',
        to: 'kv-1',
        term: 99,
        logTerm: 0,
        index: 0,
        commit: 0,
        reject: false,
        rejectHint: 0,
        context: new Uint8Array(0),
        entries: [],
      },
    ]);
    await until(() => unreachable.length > 0, 'the intruder to be refused');
    expect(node.status().term).toBeLessThan(99);
  });
});
