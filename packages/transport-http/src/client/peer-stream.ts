/**
 * One outgoing peer stream: a long-lived `POST /raft/v1/stream` whose body
 * pulls batches from the peer's send queue as the connection takes them
 * (so batches grow while the socket is busy, and the queue's bounds stay the
 * only buffer), seals each as a numbered, MAC'd frame, writes a keepalive
 * frame when idle and ends itself after a maximum age (the client then opens
 * a new one, which keeps each request well inside servers' request timeouts).
 */
import { type Clock, sleep } from '@avs/raft-core';
import { encodeBatch } from '../codec/frame-codec.js';
import { StreamFrameSealer } from '../codec/stream-frame.js';
import type { TransportMetrics } from '../metrics.js';
import { errorOf, type PeerConnection, RENEW_CODES } from './peer-connection.js';
import type { SendQueue } from './send-queue.js';

/** Path of the stream route. */
export const STREAM_PATH = '/raft/v1/stream';

/**
 * How a stream ended: `ended` (it aged out or was stopped, the peer answered 2xx),
 * `renew` (the peer did not know the session: open a new one and retry at once),
 * `unsupported` (the peer has no stream route: use per-batch requests),
 * `failed` (network error or any other refusal).
 */
export type StreamOutcome =
  | { readonly kind: 'ended' | 'renew' | 'unsupported' }
  | { readonly kind: 'failed'; readonly error: unknown };

/** What a stream needs from its transport. */
export interface PeerStreamDeps {
  readonly conn: PeerConnection;
  readonly queue: SendQueue;
  readonly maxBatchBytes: number;
  readonly keepaliveMs: number;
  readonly maxAgeMs: number;
  /** Least time between two frames, ms (0: none); see `HttpTransportOptions.streamFrameGapMs`. */
  readonly frameGapMs: number;
  readonly clock: Clock;
  readonly metrics: TransportMetrics;
}

const KEEPALIVE = new Uint8Array(0);
/** Answers that mean the peer does not serve streams (an older version, or a proxy in between). */
const UNSUPPORTED = new Set([404, 405, 415]);

/** One stream's life; {@link PeerStream.run} resolves when it is over. */
export class PeerStream {
  private stopped = false;
  private waker: (() => void) | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly deps: PeerStreamDeps) {}

  /** New messages are queued: write them now. */
  wake(): void {
    const w = this.waker;
    this.waker = undefined;
    w?.();
  }

  /** Ends the stream after the frame being written (the peer then answers and the run resolves). */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** Sleeps until woken or `ms` passed. @returns true when woken */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waker === woke) this.waker = undefined;
        resolve(false);
      }, ms);
      const woke = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waker = woke;
    });
  }

  /** Opens the stream and writes to it until it ends. Never rejects. */
  async run(): Promise<StreamOutcome> {
    const { conn, queue, metrics, clock } = this.deps;
    const started = clock.now();
    let res: Response;
    try {
      res = await conn.openStream(
        STREAM_PATH,
        (identity) => {
          const sealer = new StreamFrameSealer(identity);
          let lastFrameAt = Number.NEGATIVE_INFINITY;
          metrics.outgoingStreams.opened++;
          return new ReadableStream<Uint8Array>(
            {
              pull: async (controller) => {
                for (;;) {
                  if (this.stopped || clock.now() - started >= this.deps.maxAgeMs) {
                    controller.close();
                    return;
                  }
                  if (queue.length > 0) {
                    // Under load, wait out the gap so the messages of several sends share one frame
                    // (one MAC, one write, one read and decode on the peer) instead of a frame each;
                    // but not when a full frame is already queued: waiting cannot make it bigger, and
                    // on a loaded machine each timer fires late (at saturation the gap's timers,
                    // not the bytes, set the pace: 1 MiB frames fell from ~4,000 to ~1,000 msg/s).
                    const since = clock.now() - lastFrameAt;
                    if (since < this.deps.frameGapMs && queue.queuedBytes < this.deps.maxBatchBytes) {
                      await sleep(clock, this.deps.frameGapMs - since);
                      continue;
                    }
                    lastFrameAt = clock.now();
                    const batch = queue.take(this.deps.maxBatchBytes);
                    const frame = encodeBatch(batch);
                    for (const chunk of sealer.sealChunks(frame)) controller.enqueue(chunk);
                    metrics.sent.batches++;
                    metrics.sent.messages += batch.length;
                    metrics.sent.bytes += frame.length;
                    return;
                  }
                  if (!(await this.wait(this.deps.keepaliveMs)) && queue.length === 0 && !this.stopped) {
                    controller.enqueue(sealer.seal(KEEPALIVE));
                    return;
                  }
                }
              },
              cancel: () => {
                this.stopped = true;
                this.wake();
              },
            },
            // Pull only when the connection takes a chunk: messages queued meanwhile go out as one batch.
            { highWaterMark: 0 },
          );
        },
        this.abort.signal,
      );
    } catch (error) {
      return this.finish({ kind: 'failed', error });
    }
    if (res.ok) {
      await res.body?.cancel();
      return this.finish({ kind: 'ended' });
    }
    const error = await errorOf(conn.id, res);
    if (res.status === 401 && RENEW_CODES.has(error.peerCode)) {
      conn.resetSession();
      return this.finish({ kind: 'renew' });
    }
    if (UNSUPPORTED.has(res.status)) return this.finish({ kind: 'unsupported' });
    return this.finish({ kind: 'failed', error });
  }

  /** Stops the body and drops the connection if the peer answered while it was still being written. */
  private finish(outcome: StreamOutcome): StreamOutcome {
    this.stopped = true;
    this.wake();
    this.abort.abort();
    if (outcome.kind === 'failed') this.deps.metrics.outgoingStreams.failed++;
    return outcome;
  }
}
