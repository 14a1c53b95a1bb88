/**
 * The worker the edge checks bundle and run: transport-http's fetch handler
 * (server) and its client (`HttpTransport`) as a Cloudflare Worker imports
 * them. The scheme and server are created inside the first request, never at
 * module load.
 *
 * A stateless Worker's I/O and promises belong to the request that started
 * them (workerd does not resume a promise settled from another request's
 * context), so the server, which only holds data between requests, lives for
 * the isolate, while each send uses a transport of its own request. A
 * long-lived Raft sender belongs in a Durable Object (see apps/edge-kv).
 *
 * Test routes (outside `/raft/v1`, unauthenticated, test-only):
 * - `GET /test/received`: the Raft messages delivered to the handler so far.
 * - `POST /test/send?to=<id>&url=<url>`: sends the body as one App message to
 *   a peer through `HttpTransport` (handshake and signed request from workerd)
 *   and answers once it was sent or reported unreachable.
 */
import { EntryType, type Message, MessageType, type NodeId } from '@avs/raft-core';
import {
  createRaftServer,
  type HandshakeScheme,
  HttpTransport,
  operatorKeyScheme,
  type RaftServer,
} from '../../src/index.js';

/** Bindings: the node's operator key, the cluster domain and the member ids. */
export interface EdgeWorkerEnv {
  readonly OPERATOR_KEY: string;
  readonly CHAIN_ID: string;
  readonly VERIFYING_CONTRACT: string;
  readonly CLUSTER_ID: string;
  /** Comma-separated member ids. */
  readonly MEMBERS: string;
}

interface Node {
  readonly scheme: HandshakeScheme;
  readonly server: RaftServer;
  readonly received: Message[];
}

let node: Node | undefined;

function nodeFor(env: EdgeWorkerEnv): Node {
  if (node) return node;
  const scheme = operatorKeyScheme({
    privateKey: env.OPERATOR_KEY,
    domain: {
      chainId: Number(env.CHAIN_ID),
      verifyingContract: env.VERIFYING_CONTRACT,
      clusterId: env.CLUSTER_ID,
    },
  });
  const members = new Set(env.MEMBERS.split(','));
  const server = createRaftServer({ scheme, membership: { isMember: (id) => members.has(id) } });
  const received: Message[] = [];
  server.attach({ receive: (m) => received.push(m), reportUnreachable: () => {} });
  node = { scheme, server, received };
  return node;
}

async function sendOne(scheme: HandshakeScheme, to: NodeId, url: string, text: string): Promise<Response> {
  const unreachable: NodeId[] = [];
  const transport = new HttpTransport({
    scheme,
    stream: 'off',
    retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  });
  await transport.start({ receive: () => {}, reportUnreachable: (peer) => unreachable.push(peer) });
  try {
    transport.addPeer(to, url);
    transport.send([
      {
        type: MessageType.App,
        from: scheme.nodeId,
        to,
        term: 1,
        logTerm: 0,
        index: 0,
        commit: 0,
        reject: false,
        rejectHint: 0,
        context: new Uint8Array(0),
        entries: [{ term: 1, index: 1, type: EntryType.Normal, data: new TextEncoder().encode(text) }],
      },
    ]);
    const sent = () => (transport.metrics.toJSON() as { sent: { messages: number } }).sent.messages;
    for (let i = 0; i < 500 && sent() === 0 && unreachable.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Response.json({ sent: sent(), unreachable });
  } finally {
    await transport.close();
  }
}

export default {
  async fetch(request: Request, env: EdgeWorkerEnv): Promise<Response> {
    const { scheme, server, received } = nodeFor(env);
    const url = new URL(request.url);
    if (url.pathname === '/test/received') {
      const plain = received.map((m) => ({
        type: m.type,
        from: m.from,
        to: m.to,
        data: m.entries.map((e) => new TextDecoder().decode(e.data)),
      }));
      return Response.json({ received: plain, metrics: server.metrics.toJSON() });
    }
    if (url.pathname === '/test/send' && request.method === 'POST') {
      const to = url.searchParams.get('to') ?? '';
      return sendOne(scheme, to, url.searchParams.get('url') ?? '', await request.text());
    }
    return server.fetch(request);
  },
};
