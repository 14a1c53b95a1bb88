import { describe, expect, it } from 'vitest';
import { heartbeat } from '../../test/support/arbitraries.js';
import { SteppingClock } from '../../test/support/stepping-clock.js';
import { importSessionKey } from '../auth/request-signing.js';
import type { StreamIdentity } from '../codec/stream-frame.js';
import { TransportMetrics } from '../metrics.js';
import type { PeerConnection } from './peer-connection.js';
import { PeerStream } from './peer-stream.js';
import { SendQueue } from './send-queue.js';

/**
 * Runs a stream against a connection that reads `frames` chunks of the body and then answers 204,
 * with `queuedMessages` heartbeats queued.
 */
async function run(queuedMessages: number, maxBatchBytes: number, frames: number) {
  const clock = new SteppingClock();
  const queue = new SendQueue({ maxMessages: 1e6, maxBytes: 1e12, overflow: 'drop-oldest' });
  for (let i = 0; i < queuedMessages; i++) queue.push(heartbeat('a', 'b', 1, i));
  const identity: StreamIdentity = {
    key: await importSessionKey(new Uint8Array(32).fill(1)),
    sessionId: '0x01',
    openSeq: 1,
  };
  let chunks = 0;
  const conn = {
    id: 'b',
    resetSession() {},
    async openStream(_path: string, body: (id: StreamIdentity) => ReadableStream<Uint8Array>) {
      const reader = body(identity).getReader();
      while (chunks < frames) {
        const next = await reader.read();
        if (next.done) break;
        chunks++;
      }
      await reader.cancel();
      return new Response(null, { status: 204 });
    },
  } as unknown as PeerConnection;
  const stream = new PeerStream({
    conn,
    queue,
    maxBatchBytes,
    keepaliveMs: 60_000,
    maxAgeMs: 60_000,
    frameGapMs: 1,
    clock,
    metrics: new TransportMetrics(),
  });
  const outcome = await clock.settle(stream.run());
  return { outcome, sleeps: clock.delays, left: queue.length, chunks };
}

describe('PeerStream frame gap', () => {
  it('waits out the gap between two frames when the next would be small', async () => {
    const r = await run(3 * 8, 64 * 16, 2);
    expect(r.outcome.kind).toBe('ended');
    expect(r.chunks).toBe(2);
    expect(r.sleeps).toEqual([1]);
  });

  it('writes the next frame at once when a full frame is already queued', async () => {
    // 64 heartbeats per frame (estimated 64 B each); 3 frames' worth queued.
    const r = await run(3 * 64, 64 * 64, 3);
    expect(r.outcome.kind).toBe('ended');
    expect(r.chunks).toBe(3);
    expect(r.sleeps).toEqual([]);
  });
});
