/**
 * The peer stream (`POST /raft/v1/stream`) over real sockets on 127.0.0.1:
 * order across many frames, forged, replayed and moved frames refused, a
 * replayed opening refused, a removed member cut off, a silent stream closed,
 * the stream reopened after the server restarts, and per-batch requests when
 * streaming is off or the peer has no stream route.
 */
import type { Message } from '@avs/raft-core';
import { afterAll, describe, expect, it } from 'vitest';
import { serveNode } from '../src/adapters/node.js';
import { createPooledFetch } from '../src/adapters/node-fetch.js';
import { HttpTransport, type HttpTransportOptions } from '../src/client/http-transport.js';
import { PeerConnection } from '../src/client/peer-connection.js';
import { encodeBatch } from '../src/codec/frame-codec.js';
import { StreamFrameSealer, type StreamIdentity } from '../src/codec/stream-frame.js';
import { TransportMetrics } from '../src/metrics.js';
import { createRaftServer, type RaftServer } from '../src/server/raft-server.js';
import type { ServerLimits } from '../src/server/server-options.js';
import { wallClock } from '../src/wall-clock.js';
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

/** Bob's server on a real socket, with a membership the test can change. */
async function bobServer(limits: Partial<ServerLimits> = {}, port = 0) {
  const members = new Set([alice.nodeId, bob.nodeId]);
  const server = createRaftServer({ scheme: bob, membership: { isMember: (id) => members.has(id) }, limits });
  const handler = new RecordingHandler();
  server.attach(handler);
  const served = await serveNode(server.fetch, { port });
  cleanups.push(() => served.close());
  return { server, handler, served, members };
}

async function aliceTransport(url: string, extra: Partial<HttpTransportOptions> = {}) {
  const transport = new HttpTransport({ scheme: alice, fetch: pooled.fetch, ...extra });
  cleanups.push(() => transport.close());
  const handler = new RecordingHandler();
  await transport.start(handler);
  transport.addPeer(bob.nodeId, url);
  return { transport, handler };
}

function beats(n: number, from = 0): Message[] {
  return Array.from({ length: n }, (_, i) => heartbeat(alice.nodeId, bob.nodeId, 3, from + i));
}

/** A signed connection to bob, for writing raw stream bodies. */
function connection(url: string, fetch = pooled.fetch): PeerConnection {
  return new PeerConnection(bob.nodeId, url, {
    scheme: alice,
    fetch,
    clock: wallClock,
    metrics: new TransportMetrics(),
    requestTimeoutMs: 10_000,
    sessionRenewMs: 60_000,
    closed: new AbortController().signal,
  });
}

/**
 * Opens a stream whose body is the chunks `frames(identity)` returns, then
 * stays open until the server answers (or drops the connection).
 * @returns the status, or 'dropped' when the connection was closed without an answer
 */
async function rawStream(
  conn: PeerConnection,
  frames: (identity: StreamIdentity) => Uint8Array[],
  endAfter = false,
): Promise<number | 'dropped'> {
  const stop = new AbortController();
  try {
    const res = await conn.openStream(
      '/raft/v1/stream',
      (identity) => {
        const chunks = frames(identity);
        return new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else if (endAfter) controller.close();
            else await new Promise((r) => stop.signal.addEventListener('abort', r, { once: true }));
          },
        });
      },
      stop.signal,
    );
    await res.body?.cancel();
    return res.status;
  } catch {
    return 'dropped';
  } finally {
    stop.abort();
  }
}

describe('peer stream over real HTTP', () => {
  it('keeps order across many frames on one stream', async () => {
    const { server, handler, served } = await bobServer();
    const { transport } = await aliceTransport(served.url);
    const messages = beats(3000);
    for (let i = 0; i < messages.length; i += 7) {
      transport.send(messages.slice(i, i + 7));
      if (i % 70 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => handler.received.length === messages.length);
    expect(handler.received).toEqual(messages);
    expect(server.metrics.received.batches).toBeGreaterThan(1);
    expect(server.metrics.streams.opened).toBe(1);
    expect(server.metrics.rejectedTotal).toBe(0);
    expect(transport.metrics.outgoingStreams).toMatchObject({ opened: 1, failed: 0, fallbacks: 0 });
  });

  it('refuses a forged frame and closes the stream; frames before it were delivered', async () => {
    const { server, handler, served } = await bobServer();
    const forger = new StreamFrameSealer({
      key: { raw: new Uint8Array(32).fill(9) },
      sessionId: `0x${'ab'.repeat(32)}`,
      openSeq: 1,
    });
    const outcome = await rawStream(connection(served.url), (identity) => {
      const sealer = new StreamFrameSealer(identity);
      const good = sealer.seal(encodeBatch(beats(2)));
      // Frame 2 sealed with a key that is not the session's.
      forger.seal(new Uint8Array(0));
      const forged = forger.seal(encodeBatch(beats(1, 100)));
      const tampered = sealer.seal(encodeBatch(beats(1, 200)));
      return [good, forged, tampered];
    });
    expect(outcome === 'dropped' || outcome === 401).toBe(true);
    expect(server.metrics.rejected.BAD_FRAME_MAC).toBe(1);
    expect(handler.received).toEqual(beats(2));
    expect(server.metrics.streams.closed).toBe(1);
  });

  it('refuses a replayed frame, a frame moved from another stream, and a replayed opening', async () => {
    const { server, handler, served } = await bobServer();
    const conn = connection(served.url);
    let first: Uint8Array | undefined;
    const replayed = await rawStream(conn, (identity) => {
      const sealer = new StreamFrameSealer(identity);
      first = sealer.seal(encodeBatch(beats(1)));
      const second = sealer.seal(encodeBatch(beats(1, 1)));
      return [first, second, first];
    });
    expect(replayed === 'dropped' || replayed === 401).toBe(true);
    expect(server.metrics.rejected.FRAME_OUT_OF_ORDER).toBe(1);
    expect(handler.received).toEqual(beats(2));

    // Frame 1 of the first stream, sent as frame 1 of a new stream: its MAC names the old opening.
    const moved = await rawStream(conn, () => [first!]);
    expect(moved === 'dropped' || moved === 401).toBe(true);
    expect(server.metrics.rejected.BAD_FRAME_MAC).toBe(1);
    expect(handler.received).toHaveLength(2);

    // An opening request captured and sent again is refused before any frame is read.
    let captured: { input: string; init: RequestInit } | undefined;
    const capturing = Object.assign(
      async (input: string, init: RequestInit) => {
        if (input.endsWith('/raft/v1/stream')) captured ??= { input, init: { ...init } };
        return pooled.fetch(input, init);
      },
      { streamsRequestBodies: true },
    );
    const opened = await rawStream(
      connection(served.url, capturing),
      (identity) => [new StreamFrameSealer(identity).seal(encodeBatch(beats(1, 2)))],
      true,
    );
    expect(opened).toBe(204);
    expect(handler.received).toHaveLength(3);
    // Same headers (session, number, signature); the first stream's abort signal is left out.
    const { signal: _used, ...init } = captured!.init;
    const again = await pooled.fetch(captured!.input, {
      ...init,
      body: new ReadableStream<Uint8Array>({
        start: (controller) => {
          controller.enqueue(new Uint8Array(8));
          controller.close();
        },
      }),
    });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: 'REPLAYED' });
    expect(handler.received).toHaveLength(3);
  });

  it('cuts off a member removed while its stream is open, and reports the peer unreachable', async () => {
    const { server, handler, served, members } = await bobServer();
    const { transport, handler: aliceHandler } = await aliceTransport(served.url, {
      streamKeepaliveMs: 20,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    transport.send(beats(5));
    await until(() => handler.received.length === 5);
    members.delete(alice.nodeId);
    transport.send(beats(5, 5));
    await until(() => (server.metrics.rejected.NOT_MEMBER ?? 0) >= 1);
    await until(() => aliceHandler.unreachable.length >= 1);
    expect(handler.received).toEqual(beats(5));
    expect(transport.metrics.outgoingStreams.failed).toBeGreaterThanOrEqual(1);
  });

  it('closes a stream that stays silent longer than streamIdleMs', async () => {
    const { server, handler, served } = await bobServer({ streamIdleMs: 100 });
    const outcome = await rawStream(connection(served.url), (identity) => [
      new StreamFrameSealer(identity).seal(encodeBatch(beats(1))),
    ]);
    expect(outcome === 'dropped' || outcome === 408).toBe(true);
    expect(server.metrics.rejected.STREAM_IDLE).toBe(1);
    expect(handler.received).toEqual(beats(1));
  });

  it('refuses frames larger than the limit before buffering them', async () => {
    const { server, handler, served } = await bobServer({ maxBatchBytes: 64 });
    const outcome = await rawStream(connection(served.url), (identity) => [
      new StreamFrameSealer(identity).seal(encodeBatch(beats(20))),
    ]);
    expect(outcome === 'dropped' || outcome === 413).toBe(true);
    expect(server.metrics.rejected.FRAME_TOO_LARGE).toBe(1);
    expect(handler.received).toHaveLength(0);
  });

  it('reopens the stream (with a new session) after the server restarts', async () => {
    const first = await bobServer();
    const { transport } = await aliceTransport(first.served.url, {
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    transport.send(beats(3));
    await until(() => first.handler.received.length === 3);
    const port = first.served.port;
    await first.served.close();
    const second = await bobServer({}, port);
    // Messages sent while the old stream breaks may be lost (Raft resends); keep sending until some arrive.
    let n = 3;
    await until(
      () => {
        transport.send(beats(1, n++));
        return second.handler.received.length > 0;
      },
      10_000,
      'a message through a new stream',
    );
    const got = second.handler.received.map((m) => m.commit);
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    expect(second.server.metrics.streams.opened).toBeGreaterThanOrEqual(1);
    expect(second.server.metrics.handshakes.accepted).toBeGreaterThanOrEqual(1);
    expect(transport.metrics.outgoingStreams.opened).toBeGreaterThanOrEqual(2);
  });

  it('sends per-batch requests when streaming is off', async () => {
    const { server, handler, served } = await bobServer();
    const { transport } = await aliceTransport(served.url, { stream: 'off' });
    transport.send(beats(50));
    await until(() => handler.received.length === 50);
    expect(handler.received).toEqual(beats(50));
    expect(server.metrics.streams.opened).toBe(0);
    expect(transport.metrics.outgoingStreams.opened).toBe(0);
  });

  it('falls back to per-batch requests when the peer has no stream route', async () => {
    const server: RaftServer = createRaftServer({
      scheme: bob,
      membership: { isMember: (id) => id === alice.nodeId },
    });
    const handler = new RecordingHandler();
    server.attach(handler);
    const older = (request: Request) =>
      new URL(request.url).pathname === '/raft/v1/stream'
        ? Response.json({ code: 'NOT_FOUND', message: 'no route' }, { status: 404 })
        : server.fetch(request);
    const served = await serveNode(older);
    cleanups.push(() => served.close());
    const { transport, handler: aliceHandler } = await aliceTransport(served.url, { stream: 'on' });
    transport.send(beats(4));
    // The messages written to the refused stream are lost (as on any broken stream); later ones arrive.
    await until(() => transport.metrics.outgoingStreams.fallbacks === 1);
    transport.send(beats(4, 4));
    await until(() => handler.received.at(-1)?.commit === 7);
    expect(handler.received.slice(-4)).toEqual(beats(4, 4));
    expect(server.metrics.received.batches).toBeGreaterThanOrEqual(1);
    expect(aliceHandler.unreachable).toHaveLength(0);
  });

  it('streams with the global fetch when asked to (stream: on)', async () => {
    const { server, handler, served } = await bobServer();
    const { transport } = await aliceTransport(served.url, {
      stream: 'on',
      fetch: (input, init) => fetch(input, init),
    });
    transport.send(beats(100));
    await until(() => handler.received.length === 100);
    expect(handler.received).toEqual(beats(100));
    expect(server.metrics.streams.opened).toBe(1);
  });
});
