/**
 * {@link HttpTransport}: the `Transport` of `@avs/raft-core` over HTTP.
 *
 * Sending: one ordered, bounded queue per peer. With streaming (see
 * {@link StreamMode}) a worker per peer keeps one long-lived
 * `POST /raft/v1/stream` open and writes each batch to it as a MAC'd frame as
 * soon as the connection takes it; when the stream fails, queued messages are
 * dropped, Raft is told (`reportUnreachable`) and the stream reopened with
 * backoff. Without streaming, the worker posts batches of up to
 * `maxBatchBytes` to `/raft/v1/messages` one at a time (so order is kept),
 * retries failed batches with exponential backoff and jitter, and reports
 * failures to Raft with `reportUnreachable`. Snap messages take a separate queue and route,
 * split into parts that the receiver reassembles; their outcome is reported to
 * Raft with `reportSnapshot(peer, ok)`.
 *
 * Receiving: the {@link RaftServer} given in the options delivers to the
 * handler passed to {@link HttpTransport.start}.
 */
import {
  type Clock,
  type Logger,
  type Message,
  MessageType,
  type NodeId,
  sleep,
  type Transport,
  type TransportHandler,
} from '@avs/raft-core';
import { backoffDelay, type RetryPolicy } from '@avs/retry';
import type { HandshakeScheme } from '../auth/handshake-scheme.js';
import { encodeBatch, encodeSnapshotPart } from '../codec/frame-codec.js';
import { PeerResponseError, TransportConfigError } from '../errors.js';
import { TransportMetrics } from '../metrics.js';
import { FRAME_CONTENT_TYPE, type RaftServer } from '../server/raft-server.js';
import { wallClock } from '../wall-clock.js';
import { DEFAULT_RETRY } from './backoff.js';
import { checkEndpoint, type EndpointPolicy } from './endpoint-policy.js';
import { guardFetch } from './guarded-fetch.js';
import { type FetchLike, PeerConnection } from './peer-connection.js';
import { PeerStream } from './peer-stream.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits, SendQueue } from './send-queue.js';

/**
 * How Raft messages travel to peers:
 * - `auto` (default): a stream per peer when the fetch function streams request bodies
 *   (`createPooledFetch()` from `@avs/transport-http/node` does), else per-batch requests;
 * - `on`: a stream per peer with any fetch (it must send a `ReadableStream` body as it is
 *   produced, e.g. Node's global fetch; a fetch that buffers the body would never send it);
 * - `off`: one `POST /raft/v1/messages` per batch (what runtimes whose fetch buffers bodies need).
 *
 * A peer that answers the stream route with 404, 405 or 415 (an older version) gets
 * per-batch requests from then on (`metrics.outgoingStreams.fallbacks`).
 */
export type StreamMode = 'auto' | 'on' | 'off';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** This node's identity; must match the server's. */
  readonly scheme: HandshakeScheme;
  /** Where received messages arrive; omit for a send-only transport. */
  readonly server?: RaftServer;
  /** Default: the global `fetch`. On Node pass `createPooledFetch()` from `@avs/transport-http/node`. */
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
  /** Uniform numbers in [0, 1) for jitter; default `Math.random`. */
  readonly random?: () => number;
  readonly queue?: Partial<QueueLimits>;
  readonly retry?: Partial<RetryPolicy>;
  /** Largest batch per request, estimated bytes; default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Snapshot chunk bytes per `/raft/v1/snapshot` request; default 1 MiB. Must fit the peer's `maxSnapshotPartBytes`. */
  readonly snapshotPartBytes?: number;
  /** Snap messages waiting per peer; default 8 (older ones are dropped and reported as failed). */
  readonly maxQueuedSnapshots?: number;
  /** Per-request timeout, ms; default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Renew sessions after this long, ms; default 50 minutes (servers expire them after an hour by default). */
  readonly sessionRenewMs?: number;
  readonly metrics?: TransportMetrics;
  /** Streaming or per-batch requests; default `auto`. See {@link StreamMode}. */
  readonly stream?: StreamMode;
  /** A stream with nothing to send writes a keepalive frame after this long, ms; default 2 000. */
  readonly streamKeepaliveMs?: number;
  /** A stream is ended and a new one opened after this long, ms; default 60 000 (Node servers end requests after 300 s). */
  readonly streamMaxAgeMs?: number;
  /**
   * Least time between two frames of a stream, ms; default 1. A message is written at once when the
   * last frame is older; under load, messages queued meanwhile share the next frame, which keeps the
   * per-frame work (MAC, write, the peer's read and decode) from growing with every small send.
   * A full frame (`maxBatchBytes` queued) never waits. 0 writes a frame whenever the connection
   * takes one. Measured in the kv benchmark (load average 16-30): without the gap, writes at 64 and
   * 256 in flight fell by a third to a half and linearizable reads at 64 in flight to a sixth.
   */
  readonly streamFrameGapMs?: number;
  /**
   * Which URLs `addPeer` may dial (see `checkEndpoint`; with `resolve`, every dial also checks the
   * addresses the name resolves to): http/https, no userinfo, query or fragment,
   * and only the address classes the policy allows. Give one (`{}` = public addresses only) whenever
   * URLs come from strangers, e.g. the on-chain registry. Default: none, URLs are used as given
   * (own fetch schemes such as `do://` keep working).
   */
  readonly endpoints?: EndpointPolicy;
  /**
   * Where the client side reports what an operator needs to see: a peer becoming unreachable
   * (warn, once until it answers again) and reachable again (info), a peer that refused
   * streaming (info), a snapshot sent (info), a Raft handler that threw (error). Default: silent.
   */
  readonly logger?: Logger;
}

interface Peer {
  readonly conn: PeerConnection;
  readonly queue: SendQueue;
  readonly snapshots: Message[];
  /** Whether this peer gets a stream (false after it refused the route). */
  streaming: boolean;
  /** The open stream, if any. */
  stream: PeerStream | undefined;
  /** Stream failures in a row (for the backoff). */
  streamFailures: number;
  sending: boolean;
  sendingSnapshots: boolean;
  removed: boolean;
}

const NO_BYTES = new Uint8Array(0);

/** The `Transport` of `@avs/raft-core` over authenticated HTTP. */
export class HttpTransport implements Transport {
  /** Counters of both directions (shared with the server when it was given one). */
  readonly metrics: TransportMetrics;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly closer = new AbortController();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly queueLimits: QueueLimits;
  private readonly retry: RetryPolicy;
  private readonly maxBatchBytes: number;
  private readonly partBytes: number;
  private readonly maxQueuedSnapshots: number;
  private readonly fetchFn: FetchLike;
  private readonly streaming: boolean;
  private handler: TransportHandler | undefined;
  private closed = false;
  /** Peers whose last send failed; logged once on the way down and once on the way back up. */
  private readonly unreachable = new Set<NodeId>();
  private readonly workers = new Set<Promise<void>>();

  constructor(private readonly options: HttpTransportOptions) {
    if (options.server && options.server.nodeId !== options.scheme.nodeId) {
      throw new TransportConfigError(
        `the server serves ${options.server.nodeId} but the scheme is ${options.scheme.nodeId}`,
      );
    }
    this.metrics = options.metrics ?? options.server?.metrics ?? new TransportMetrics();
    this.clock = options.clock ?? wallClock;
    this.random = options.random ?? Math.random;
    this.queueLimits = { ...DEFAULT_QUEUE_LIMITS, ...options.queue };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.partBytes = options.snapshotPartBytes ?? 1024 * 1024;
    this.maxQueuedSnapshots = options.maxQueuedSnapshots ?? 8;
    this.fetchFn = guardFetch(options.fetch ?? ((input, init) => fetch(input, init)), options.endpoints);
    const mode = options.stream ?? 'auto';
    this.streaming = mode === 'on' || (mode === 'auto' && this.fetchFn.streamsRequestBodies === true);
    if (this.retry.attempts < 1) throw new TransportConfigError('retry.attempts must be at least 1');
    if (this.partBytes < 1) throw new TransportConfigError('snapshotPartBytes must be positive');
  }

  /** This node's id. */
  get nodeId(): NodeId {
    return this.options.scheme.nodeId;
  }

  /**
   * Adds a peer, or changes its URL (its queue is kept; its session is renewed).
   * @param url base URL, e.g. `http://127.0.0.1:7001` (no trailing slash needed)
   * @throws EndpointError when the URL breaks the `endpoints` policy
   */
  addPeer(id: NodeId, url: string): void {
    const base = this.options.endpoints
      ? checkEndpoint(url, this.options.endpoints)
      : url.replace(/\/+$/, '');
    const existing = this.peers.get(id);
    const conn = new PeerConnection(id, base, {
      scheme: this.options.scheme,
      fetch: this.fetchFn,
      clock: this.clock,
      metrics: this.metrics,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      sessionRenewMs: this.options.sessionRenewMs ?? 50 * 60 * 1000,
      closed: this.closer.signal,
    });
    if (existing) {
      existing.removed = true;
      existing.stream?.stop();
      this.peers.set(id, {
        ...existing,
        conn,
        removed: false,
        sending: false,
        sendingSnapshots: false,
        streaming: this.streaming,
        stream: undefined,
        streamFailures: 0,
      });
      this.pump(id);
      return;
    }
    this.peers.set(id, {
      conn,
      queue: new SendQueue(this.queueLimits),
      snapshots: [],
      streaming: this.streaming,
      stream: undefined,
      streamFailures: 0,
      sending: false,
      sendingSnapshots: false,
      removed: false,
    });
  }

  /** Removes a peer; its queued messages are dropped. */
  removePeer(id: NodeId): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    peer.removed = true;
    peer.stream?.stop();
    this.metrics.dropped.sendFailed += peer.queue.clear() + peer.snapshots.length;
    peer.snapshots.length = 0;
    this.peers.delete(id);
    this.unreachable.delete(id);
  }

  /**
   * Sends one signed request to a peer over its authenticated session, for
   * routes mounted next to Raft's (e.g. the engine's join and task-response
   * routes). Not queued, not retried: the caller decides.
   * @param init.body raw bytes; for JSON use `new TextEncoder().encode(JSON.stringify(value))`
   * @returns the peer's 2xx response
   * @throws TransportConfigError for a peer never added; HandshakeError; PeerResponseError for a non-2xx answer
   *   (with the peer's `{ code, message }`); the fetch error on network failure
   */
  async request(
    peer: NodeId,
    init: { method: string; path: string; body?: Uint8Array; contentType?: string },
  ): Promise<Response> {
    const p = this.peers.get(peer);
    if (!p) throw new TransportConfigError(`unknown peer ${peer}: addPeer it first`);
    return p.conn.request(
      init.method,
      init.path,
      init.body ?? NO_BYTES,
      init.contentType ?? 'application/json',
    );
  }

  /** Ids of the peers currently added. */
  peerIds(): NodeId[] {
    return [...this.peers.keys()];
  }

  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
    this.options.server?.attach(handler);
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const touched = new Set<NodeId>();
    const unknown = new Map<NodeId, boolean>();
    for (const m of messages) {
      const peer = this.peers.get(m.to);
      if (!peer) {
        this.metrics.dropped.unknownPeer++;
        unknown.set(m.to, (unknown.get(m.to) ?? false) || m.type === MessageType.Snap);
        continue;
      }
      if (m.type === MessageType.Snap) {
        if (peer.snapshots.length >= this.maxQueuedSnapshots) {
          peer.snapshots.shift();
          this.metrics.dropped.queueFull++;
          this.report(m.to, true);
        }
        peer.snapshots.push(m);
      } else {
        this.metrics.dropped.queueFull += peer.queue.push(m);
      }
      touched.add(m.to);
    }
    for (const id of touched) this.pump(id);
    // One report per unknown peer and call, not one per message.
    for (const [id, snapshot] of unknown) this.report(id, snapshot);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closer.abort();
    this.options.server?.attach(undefined);
    for (const id of [...this.peers.keys()]) this.removePeer(id);
    await Promise.allSettled([...this.workers]);
    this.handler = undefined;
  }

  /** Reports a failed send to Raft, outside the caller's stack (Raft may be inside `send`). */
  private report(peer: NodeId, snapshotFailed: boolean): void {
    const handler = this.handler;
    if (!handler || this.closed) return;
    this.metrics.unreachableReports++;
    if (this.peers.has(peer) && !this.unreachable.has(peer)) {
      this.unreachable.add(peer);
      this.options.logger?.warn('transport: peer unreachable, messages dropped until it answers', {
        peer,
        url: this.peers.get(peer)?.conn.url,
        snapshot: snapshotFailed,
      });
    }
    this.notify(() => {
      if (snapshotFailed) handler.reportSnapshot?.(peer, false);
      handler.reportUnreachable(peer);
    });
  }

  /**
   * Calls into Raft on a later microtask (never inside the caller's `send`). A
   * handler that throws is counted, not rethrown: there it would be an uncaught
   * exception that ends the process.
   */
  private notify(call: () => void): void {
    queueMicrotask(() => {
      try {
        call();
      } catch (error) {
        this.metrics.handlerErrors++;
        this.options.logger?.error('transport: the Raft handler threw', { error: String(error) });
      }
    });
  }

  /** A send to `peer` succeeded: log the recovery if it was down. */
  private reached(peer: NodeId): void {
    if (this.unreachable.delete(peer)) this.options.logger?.info('transport: peer reachable again', { peer });
  }

  private track(work: Promise<void>): void {
    this.workers.add(work);
    void work.finally(() => this.workers.delete(work));
  }

  private pump(id: NodeId): void {
    const peer = this.peers.get(id);
    if (!peer || peer.removed) return;
    peer.stream?.wake();
    if (!peer.sending && peer.queue.length > 0) {
      peer.sending = true;
      this.track(peer.streaming ? this.streamMessages(peer) : this.drainMessages(peer));
    }
    if (!peer.sendingSnapshots && peer.snapshots.length > 0) {
      peer.sendingSnapshots = true;
      this.track(this.drainSnapshots(peer));
    }
  }

  /** Retries `attempt` per the policy. @returns true on success */
  private async withRetries(peer: Peer, attempt: (n: number) => Promise<'done' | 'fatal'>): Promise<boolean> {
    for (let n = 1; n <= this.retry.attempts; n++) {
      if (n > 1) {
        this.metrics.retries++;
        await sleep(this.clock, backoffDelay(this.retry, n - 1, this.random), this.closer.signal);
      }
      if (this.closed || peer.removed) return false;
      try {
        if ((await attempt(n)) === 'done') return true;
        return false;
      } catch (error) {
        // A 4xx other than the ones handled by `attempt` will not succeed on retry.
        if (
          error instanceof PeerResponseError &&
          error.status >= 400 &&
          error.status < 500 &&
          error.status !== 429
        ) {
          return false;
        }
      }
    }
    return false;
  }

  private async drainMessages(peer: Peer): Promise<void> {
    try {
      while (!this.closed && !peer.removed && peer.queue.length > 0) {
        const batch = peer.queue.take(this.maxBatchBytes);
        const frame = encodeBatch(batch);
        const ok = await this.withRetries(peer, async () => {
          const res = await peer.conn.request('POST', '/raft/v1/messages', frame, FRAME_CONTENT_TYPE);
          await res.body?.cancel();
          return 'done';
        });
        if (ok) {
          this.reached(peer.conn.id);
          this.metrics.sent.batches++;
          this.metrics.sent.messages += batch.length;
          this.metrics.sent.bytes += frame.length;
        } else if (!this.closed && !peer.removed) {
          this.metrics.dropped.sendFailed += batch.length;
          this.report(peer.conn.id, false);
        }
      }
    } finally {
      peer.sending = false;
    }
    // Messages may have arrived while the last request was in flight.
    if (peer.queue.length > 0) this.pump(peer.conn.id);
  }

  /**
   * Keeps a stream open to the peer while it has messages to send, reopening
   * it when it ages out, and with backoff when it fails.
   */
  private async streamMessages(peer: Peer): Promise<void> {
    let renewals = 0;
    try {
      while (!this.closed && !peer.removed && peer.streaming && peer.queue.length > 0) {
        const stream = new PeerStream({
          conn: peer.conn,
          queue: peer.queue,
          maxBatchBytes: this.maxBatchBytes,
          keepaliveMs: this.options.streamKeepaliveMs ?? 2000,
          maxAgeMs: this.options.streamMaxAgeMs ?? 60_000,
          frameGapMs: this.options.streamFrameGapMs ?? 1,
          clock: this.clock,
          metrics: this.metrics,
        });
        peer.stream = stream;
        const started = this.clock.now();
        const outcome = await stream.run();
        if (peer.stream === stream) peer.stream = undefined;
        if (this.closed || peer.removed) return;
        if (outcome.kind === 'ended') {
          this.reached(peer.conn.id);
          peer.streamFailures = 0;
          renewals = 0;
        } else if (outcome.kind === 'unsupported') {
          peer.streaming = false;
          this.metrics.outgoingStreams.fallbacks++;
          this.options.logger?.info('transport: peer has no stream route, per-batch requests from now on', {
            peer: peer.conn.id,
          });
        } else if (outcome.kind === 'renew' && renewals++ === 0) {
          // The peer restarted or expired the session: a new handshake, then at once a new stream.
        } else {
          // Messages written to the broken stream may be lost; the queued ones are stale by the time
          // it reopens. Raft resends what matters once told the peer is unreachable.
          this.metrics.dropped.sendFailed += peer.queue.clear();
          this.report(peer.conn.id, false);
          // A stream that worked for a while starts the backoff over.
          peer.streamFailures =
            this.clock.now() - started > this.retry.maxDelayMs ? 1 : peer.streamFailures + 1;
          this.metrics.retries++;
          await sleep(
            this.clock,
            backoffDelay(this.retry, peer.streamFailures, this.random),
            this.closer.signal,
          );
        }
      }
    } finally {
      peer.sending = false;
    }
    if (peer.queue.length > 0) this.pump(peer.conn.id);
  }

  private async drainSnapshots(peer: Peer): Promise<void> {
    try {
      while (!this.closed && !peer.removed && peer.snapshots.length > 0) {
        const message = peer.snapshots.shift()!;
        const ok = await this.sendSnapshot(peer, message);
        if (ok) {
          this.reached(peer.conn.id);
          this.metrics.sent.snapshots++;
          this.metrics.sent.messages++;
          if (message.snapshotChunk?.done) {
            this.options.logger?.info('transport: snapshot sent', {
              peer: peer.conn.id,
              index: message.snapshotChunk.metadata.index,
              bytes: message.snapshotChunk.data.length,
            });
          }
          if (message.snapshotChunk?.done && this.handler) {
            const handler = this.handler;
            this.notify(() => handler.reportSnapshot?.(peer.conn.id, true));
          }
        } else if (!this.closed && !peer.removed) {
          this.metrics.dropped.sendFailed++;
          // Later chunks of the same snapshot cannot be assembled without this one.
          const meta = message.snapshotChunk?.metadata;
          for (let i = peer.snapshots.length - 1; i >= 0; i--) {
            const other = peer.snapshots[i]!.snapshotChunk?.metadata;
            if (other && meta && other.index === meta.index && other.term === meta.term) {
              peer.snapshots.splice(i, 1);
              this.metrics.dropped.sendFailed++;
            }
          }
          this.report(peer.conn.id, true);
        }
      }
    } finally {
      peer.sendingSnapshots = false;
    }
    if (peer.snapshots.length > 0) this.pump(peer.conn.id);
  }

  /** Sends one Snap message in parts, resuming at the offset the receiver asks for. */
  private async sendSnapshot(peer: Peer, message: Message): Promise<boolean> {
    const chunk = message.snapshotChunk!;
    const total = chunk.data.length;
    let offset = 0;
    // A receiver that keeps sending us back cannot hold the worker forever.
    let budget = 2 * Math.ceil(total / this.partBytes) + 4;
    for (;;) {
      if (budget-- <= 0) return false;
      const end = Math.min(total, offset + this.partBytes);
      const part = encodeSnapshotPart({
        message: { ...message, snapshotChunk: { ...chunk, data: chunk.data.subarray(offset, end) } },
        partOffset: offset,
        partTotal: total,
      });
      let next = end;
      const ok = await this.withRetries(peer, async () => {
        try {
          const res = await peer.conn.request('PUT', '/raft/v1/snapshot', part, FRAME_CONTENT_TYPE);
          const body = (await res.json()) as { received?: unknown };
          if (typeof body.received === 'number') next = body.received;
          return 'done';
        } catch (error) {
          // The receiver has a different offset (it restarted, or an earlier response was lost): resume there.
          const expected = error instanceof PeerResponseError ? error.details.expectedOffset : undefined;
          if (error instanceof PeerResponseError && error.status === 409 && typeof expected === 'number') {
            if (expected < 0 || expected > total) return 'fatal';
            next = expected;
            return 'done';
          }
          throw error;
        }
      });
      if (!ok) return false;
      this.metrics.sent.snapshotParts++;
      this.metrics.sent.bytes += part.length;
      if (next >= total) return true;
      offset = next;
    }
  }
}
