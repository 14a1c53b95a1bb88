/**
 * transport-http's worker in workerd (Cloudflare's runtime, through Miniflare 4),
 * exchanging authenticated Raft traffic with a Node process over real HTTP on
 * 127.0.0.1: Node → workerd (handshake answered and verified by the worker,
 * signed batch accepted) and workerd → Node (the worker's `HttpTransport`
 * opens a session with the Node server and posts a signed batch).
 */
import { EntryType, MessageType } from '@avs/raft-core';
import { serveOnWorkerd } from '@avs/tooling-config/workerd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveNode } from '../src/adapters/node.js';
import { HttpTransport } from '../src/client/http-transport.js';
import { createRaftServer } from '../src/server/raft-server.js';
import { bundleWorker } from './edge/bundle-worker.js';
import { operator, RecordingHandler, TEST_DOMAIN, until } from './support/nodes.js';

const nodeSide = operator(1);
const edgeKey = `0x${'02'.repeat(32)}`;
const edgeSide = operator(2);
const stranger = operator(3);

interface Received {
  received: { type: number; from: string; to: string; data: string[] }[];
  metrics: { rejected: Record<string, number> };
}

describe('transport-http in workerd', () => {
  let edgeUrl: string;
  let nodeUrl: string;
  const nodeHandler = new RecordingHandler();
  const nodeServer = createRaftServer({
    scheme: nodeSide,
    membership: { isMember: (id) => id === edgeSide.nodeId },
  });
  const nodeTransport = new HttpTransport({ scheme: nodeSide, server: nodeServer, stream: 'off' });
  const cleanups: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    const { code } = await bundleWorker(new URL('./edge/edge-worker.ts', import.meta.url));
    const edge = await serveOnWorkerd(code, {
      bindings: {
        OPERATOR_KEY: edgeKey,
        CHAIN_ID: String(TEST_DOMAIN.chainId),
        VERIFYING_CONTRACT: TEST_DOMAIN.verifyingContract,
        CLUSTER_ID: TEST_DOMAIN.clusterId,
        MEMBERS: [nodeSide.nodeId, edgeSide.nodeId].join(','),
      },
    });
    edgeUrl = edge.url;
    cleanups.push(() => edge.dispose());
    await nodeTransport.start(nodeHandler);
    const served = await serveNode(nodeServer.fetch);
    nodeUrl = served.url;
    cleanups.push(
      () => nodeTransport.close(),
      () => served.close(),
    );
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function edgeState(): Promise<Received> {
    return (await (await fetch(`${edgeUrl}/test/received`)).json()) as Received;
  }

  it('answers a Node transport: handshake, then a signed batch reaches the worker', async () => {
    nodeTransport.addPeer(edgeSide.nodeId, edgeUrl);
    nodeTransport.send([
      {
        type: MessageType.App,
        from: nodeSide.nodeId,
        to: edgeSide.nodeId,
        term: 3,
        logTerm: 2,
        index: 7,
        commit: 6,
        reject: false,
        rejectHint: 0,
        context: new Uint8Array(0),
        entries: [{ term: 3, index: 8, type: EntryType.Normal, data: new TextEncoder().encode('from node') }],
      },
    ]);
    let state = await edgeState();
    for (let i = 0; i < 200 && state.received.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      state = await edgeState();
    }
    expect(state.received).toEqual([
      { type: MessageType.App, from: nodeSide.nodeId, to: edgeSide.nodeId, data: ['from node'] },
    ]);
  });

  it('refuses unauthenticated and non-member traffic in workerd', async () => {
    const unsigned = await fetch(`${edgeUrl}/raft/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0xa7, 0x52, 1, 1, 0, 0]),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'UNSIGNED' });

    const intruder = new HttpTransport({
      scheme: stranger,
      stream: 'off',
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const handler = new RecordingHandler();
    cleanups.push(() => intruder.close());
    await intruder.start(handler);
    intruder.addPeer(edgeSide.nodeId, edgeUrl);
    intruder.send([
      {
        type: MessageType.Heartbeat,
        from: stranger.nodeId,
        to: edgeSide.nodeId,
        term: 9,
        logTerm: 0,
        index: 0,
        commit: 0,
        reject: false,
        rejectHint: 0,
        context: new Uint8Array(0),
        entries: [],
      },
    ]);
    await until(() => handler.unreachable.length > 0, 10_000, 'the refused handshake to be reported');
    const state = await edgeState();
    expect(state.metrics.rejected.NOT_MEMBER ?? 0).toBeGreaterThan(0);
    expect(state.received.filter((m) => m.from === stranger.nodeId)).toEqual([]);
  });

  it('sends from workerd to a Node server on 127.0.0.1 over an authenticated session', async () => {
    const sent = await fetch(
      `${edgeUrl}/test/send?to=${nodeSide.nodeId}&url=${encodeURIComponent(nodeUrl)}`,
      { method: 'POST', body: 'from workerd' },
    );
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ sent: 1, unreachable: [] });
    await until(() => nodeHandler.received.length > 0, 10_000, 'the message from workerd');
    const [m] = nodeHandler.received;
    expect(m?.from).toBe(edgeSide.nodeId);
    expect(new TextDecoder().decode(m?.entries[0]?.data)).toBe('from workerd');
    expect(nodeServer.metrics.toJSON()).toMatchObject({ handshakes: { accepted: 1 } });
  });
});
