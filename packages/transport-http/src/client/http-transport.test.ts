import { type Message, MessageType } from '@avs/raft-core';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { heartbeat } from '../../test/support/arbitraries.js';
import { inProcessFetch } from '../../test/support/in-process.js';
import { operator, RecordingHandler, until } from '../../test/support/nodes.js';
import { SteppingClock } from '../../test/support/stepping-clock.js';
import { PeerResponseError } from '../errors.js';
import type { AuthEnv } from '../server/auth-middleware.js';
import { parseJson } from '../server/parse-json.js';
import { createRaftServer, type RaftServer } from '../server/raft-server.js';
import { HttpTransport, type HttpTransportOptions } from './http-transport.js';
import type { FetchLike } from './peer-connection.js';

const alice = operator(1);
const bob = operator(2);
const membership = { isMember: (id: string) => id === alice.nodeId || id === bob.nodeId };
const open: HttpTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function bobServer(clock: SteppingClock, limits = {}): { server: RaftServer; handler: RecordingHandler } {
  const server = createRaftServer({ scheme: bob, membership, clock, limits });
  const handler = new RecordingHandler();
  server.attach(handler);
  return { server, handler };
}

async function aliceTransport(
  fetch: FetchLike,
  clock: SteppingClock,
  extra: Partial<HttpTransportOptions> = {},
) {
  const transport = new HttpTransport({ scheme: alice, fetch, clock, random: () => 0.5, ...extra });
  open.push(transport);
  const handler = new RecordingHandler();
  await transport.start(handler);
  transport.addPeer(bob.nodeId, 'http://bob/');
  return { transport, handler };
}

function snapMessage(size: number, done = true): Message {
  const data = new Uint8Array(size).map((_, i) => i % 251);
  return {
    ...heartbeat(alice.nodeId, bob.nodeId, 4),
    type: MessageType.Snap,
    snapshotChunk: {
      metadata: {
        index: 100,
        term: 3,
        confState: {
          voters: [alice.nodeId, bob.nodeId],
          learners: [],
          votersOutgoing: [],
          learnersNext: [],
          autoLeave: false,
        },
      },
      totalSize: size,
      offset: 0,
      data,
      done,
    },
  };
}

describe('HttpTransport', () => {
  it('delivers messages in order, batched into few requests', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    const { transport } = await aliceTransport(inProcessFetch(server), clock);
    const messages = Array.from({ length: 2000 }, (_, i) => heartbeat(alice.nodeId, bob.nodeId, 5, i));
    for (let i = 0; i < messages.length; i += 100) transport.send(messages.slice(i, i + 100));
    await clock.until(() => handler.received.length === 2000);
    expect(handler.received).toEqual(messages);
    expect(server.metrics.received.batches).toBeLessThan(100);
    expect(transport.metrics.handshakes.initiated).toBe(1);
  });

  it('retries with backoff and jitter, then delivers', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    let failures = 2;
    const flaky: FetchLike = async (input, init) => {
      if (input.endsWith('/raft/v1/messages') && failures-- > 0) throw new TypeError('fetch failed');
      return inProcessFetch(server)(input, init);
    };
    const { transport, handler: mine } = await aliceTransport(flaky, clock);
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5)]);
    await clock.until(() => handler.received.length === 1);
    // random() = 0.5: 3/4 of 50 ms, then 3/4 of 100 ms.
    expect(clock.delays).toEqual([37.5, 75]);
    expect(transport.metrics.retries).toBe(2);
    expect(mine.unreachable).toEqual([]);
  });

  it('reports the peer unreachable and drops the batch when every attempt fails', async () => {
    const clock = new SteppingClock();
    const down: FetchLike = async () => {
      throw new TypeError('connect ECONNREFUSED');
    };
    const { transport, handler } = await aliceTransport(down, clock, { retry: { attempts: 2 } });
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5), heartbeat(alice.nodeId, bob.nodeId, 5)]);
    await clock.until(() => handler.unreachable.length === 1);
    expect(handler.unreachable).toEqual([bob.nodeId]);
    expect(transport.metrics.dropped.sendFailed).toBe(2);
  });

  it('logs a peer going down once, however many sends fail, and logs it coming back', async () => {
    const clock = new SteppingClock();
    const { server, handler: bobs } = bobServer(clock);
    let up = false;
    const switchable: FetchLike = async (input, init) => {
      if (!up) throw new TypeError('connect ECONNREFUSED');
      return inProcessFetch(server)(input, init);
    };
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const { transport, handler } = await aliceTransport(switchable, clock, {
      retry: { attempts: 1 },
      logger,
    });
    for (let i = 1; i <= 3; i++) {
      transport.send([heartbeat(alice.nodeId, bob.nodeId, 5)]);
      await clock.until(() => handler.unreachable.length === i);
    }
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'transport: peer unreachable, messages dropped until it answers',
        fields: { peer: bob.nodeId, url: 'http://bob', snapshot: false },
      },
    ]);
    up = true;
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5)]);
    await clock.until(() => bobs.received.length === 1);
    await clock.until(() => lines.some((l) => l.level === 'info'));
    expect(lines.filter((l) => l.level === 'info')).toEqual([
      { level: 'info', message: 'transport: peer reachable again', fields: { peer: bob.nodeId } },
    ]);
  });

  it('reports messages to unknown peers as unreachable, never throws', async () => {
    const clock = new SteppingClock();
    const { transport, handler } = await aliceTransport(
      async () => new Response(null, { status: 204 }),
      clock,
    );
    expect(() =>
      transport.send([heartbeat(alice.nodeId, 'nobody', 1), heartbeat(alice.nodeId, 'nobody', 2)]),
    ).not.toThrow();
    await clock.until(() => handler.unreachable.length === 1);
    expect(handler.unreachable).toEqual(['nobody']);
    expect(transport.metrics.dropped.unknownPeer).toBe(2);
  });

  it('bounds each peer queue (drop-oldest) while the peer is slow', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: FetchLike = async (input, init) => {
      if (input.endsWith('/raft/v1/messages')) await gate;
      return inProcessFetch(server)(input, init);
    };
    const { transport } = await aliceTransport(slow, clock, {
      queue: { maxMessages: 10 },
      maxBatchBytes: 64,
    });
    // The first message leaves the queue at once (its request then waits at the gate).
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5, 0)]);
    transport.send(Array.from({ length: 50 }, (_, i) => heartbeat(alice.nodeId, bob.nodeId, 5, i + 1)));
    expect(transport.metrics.dropped.queueFull).toBe(40);
    release();
    await clock.until(() => handler.received.length === 11);
    expect(handler.received.map((m) => m.commit)).toEqual([0, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
  });

  it('sends a snapshot chunk in parts, reassembled into one message, and reports success to Raft', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    const { transport, handler: mine } = await aliceTransport(inProcessFetch(server), clock, {
      snapshotPartBytes: 1000,
    });
    const snap = snapMessage(10_500);
    transport.send([snap]);
    await clock.until(() => mine.snapshots.length === 1);
    expect(handler.received).toEqual([snap]);
    expect(server.metrics.received.snapshotParts).toBe(11);
    expect(mine.snapshots).toEqual([{ peer: bob.nodeId, ok: true }]);
  });

  it('resumes a snapshot at the receiver offset after a lost response', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    let puts = 0;
    const lossy: FetchLike = async (input, init) => {
      const res = await inProcessFetch(server)(input, init);
      // The third part reaches the server but its answer is lost.
      if (input.endsWith('/raft/v1/snapshot') && ++puts === 3) throw new TypeError('socket hang up');
      return res;
    };
    const { transport, handler: mine } = await aliceTransport(lossy, clock, { snapshotPartBytes: 1000 });
    const snap = snapMessage(5000);
    transport.send([snap]);
    await clock.until(() => mine.snapshots.length === 1);
    expect(handler.received).toEqual([snap]);
    expect(server.metrics.rejected.SNAPSHOT_OFFSET).toBe(1);
    expect(mine.snapshots).toEqual([{ peer: bob.nodeId, ok: true }]);
  });

  it('reports a failed snapshot to Raft (reportSnapshot(peer, false))', async () => {
    const clock = new SteppingClock();
    const down: FetchLike = async () => {
      throw new TypeError('connect ECONNREFUSED');
    };
    const { transport, handler } = await aliceTransport(down, clock, { retry: { attempts: 1 } });
    transport.send([snapMessage(100)]);
    await clock.until(() => handler.unreachable.length === 1);
    expect(handler.snapshots).toEqual([{ peer: bob.nodeId, ok: false }]);
    expect(handler.received).toEqual([]);
  });

  it('handshakes again when the peer forgot the session (restart)', async () => {
    const clock = new SteppingClock();
    let { server, handler } = bobServer(clock);
    const { transport } = await aliceTransport((i, init) => inProcessFetch(server)(i, init), clock);
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5, 1)]);
    await clock.until(() => handler.received.length === 1);
    ({ server, handler } = bobServer(clock));
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5, 2)]);
    await clock.until(() => handler.received.length === 1);
    expect(handler.received[0]?.commit).toBe(2);
    expect(transport.metrics.handshakes.initiated).toBe(2);
  });

  it('does not send to a peer that fails the handshake as someone else', async () => {
    const clock = new SteppingClock();
    const mallory = operator(9);
    const impostor = createRaftServer({ scheme: mallory, membership: { isMember: () => true }, clock });
    impostor.attach(new RecordingHandler());
    const { transport, handler } = await aliceTransport(inProcessFetch(impostor), clock, {
      retry: { attempts: 1 },
    });
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 5)]);
    await clock.until(() => handler.unreachable.length === 1);
    expect(impostor.metrics.received.messages).toBe(0);
    expect(transport.metrics.handshakes.failed).toBe(1);
  });

  it('sends signed requests to routes the engine mounted, which learn the caller', async () => {
    const clock = new SteppingClock();
    const { server } = bobServer(clock);
    const engine = new Hono<AuthEnv>();
    engine.post('/responses', server.auth(), async (c) => {
      const body = await parseJson(c, z.object({ task: z.number().int() }).strict());
      return c.json({ from: c.get('peer'), task: body.task });
    });
    engine.get('/ping', server.auth(), (c) => c.json({ from: c.get('peer') }));
    server.app.route('/engine/v1', engine);
    const { transport } = await aliceTransport(inProcessFetch(server), clock);
    const body = new TextEncoder().encode(JSON.stringify({ task: 7 }));
    const res = await transport.request(bob.nodeId, { method: 'POST', path: '/engine/v1/responses', body });
    expect(await res.json()).toEqual({ from: alice.nodeId, task: 7 });
    const ping = await transport.request(bob.nodeId, { method: 'GET', path: '/engine/v1/ping' });
    expect(await ping.json()).toEqual({ from: alice.nodeId });
    const bad = new TextEncoder().encode('{"task":"x"}');
    const refused = transport.request(bob.nodeId, {
      method: 'POST',
      path: '/engine/v1/responses',
      body: bad,
    });
    await expect(refused).rejects.toBeInstanceOf(PeerResponseError);
    await expect(refused).rejects.toMatchObject({ status: 400, peerCode: 'INVALID_BODY' });
  });
});

describe('HttpTransport lifecycle', () => {
  it('drops queued messages of a removed peer and reports nothing after close', async () => {
    const clock = new SteppingClock();
    const { server, handler } = bobServer(clock);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Like a real fetch, it gives up when its signal aborts (close() aborts in-flight requests).
    const gated: FetchLike = async (input, init) => {
      await Promise.race([
        gate,
        new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      ]);
      return inProcessFetch(server)(input, init);
    };
    const transport = new HttpTransport({ scheme: alice, fetch: gated, clock });
    const mine = new RecordingHandler();
    await transport.start(mine);
    transport.addPeer(bob.nodeId, 'http://bob');
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 1, 1)]);
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 1, 2)]);
    transport.removePeer(bob.nodeId);
    expect(transport.peerIds()).toEqual([]);
    // The first message was already taken for sending; the second was still queued.
    expect(transport.metrics.dropped.sendFailed).toBe(1);
    await transport.close();
    release();
    await transport.close();
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 1, 3)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(handler.received).toEqual([]);
    expect(mine.unreachable).toEqual([]);
  });
});

describe('HttpTransport and a failing handler', () => {
  it('counts a handler that throws while being told about an unreachable peer, and carries on', async () => {
    const transport = new HttpTransport({
      scheme: alice,
      fetch: async () => new Response(null, { status: 204 }),
    });
    open.push(transport);
    let calls = 0;
    await transport.start({
      receive: () => {},
      reportUnreachable: () => {
        calls++;
        throw new Error('raft is unhappy');
      },
    });
    transport.send([heartbeat(alice.nodeId, 'nobody', 1)]);
    await until(() => transport.metrics.handlerErrors === 1);
    transport.send([heartbeat(alice.nodeId, 'nobody', 2)]);
    await until(() => transport.metrics.handlerErrors === 2);
    expect(calls).toBe(2);
  });
});
