/**
 * `POST /raft/v1/stream`: one long-lived request per peer whose body is a
 * sequence of authenticated frames (see `codec/stream-frame.ts`). Frames are
 * decoded as they arrive and their messages handed to Raft in order. Any bad
 * frame, a sender that stops being a member (checked on every frame, and at
 * once when the server is told with `revoke`), the end of its session (expiry
 * or eviction), or silence longer than `streamIdleMs` ends the stream with an
 * error answer; the client reopens.
 */
import type { Message, NodeId, TransportHandler } from '@avs/raft-core';
import type { Context } from 'hono';
import { type DecodeLimits, decodeBatch } from '../codec/frame-codec.js';
import { StreamFrameOpener } from '../codec/stream-frame.js';
import { AuthError, CodecError, HttpError } from '../errors.js';
import type { TransportMetrics } from '../metrics.js';
import { type AuthContext, authenticateStreamOpening, requireMember } from './auth-middleware.js';
import type { ServerLimits } from './server-options.js';

/** What the stream route needs from its server. */
export interface StreamRouteDeps {
  readonly auth: AuthContext;
  readonly limits: ServerLimits;
  readonly decodeLimits: DecodeLimits;
  readonly metrics: TransportMetrics;
  /** The handler to deliver to. @throws HttpError 503 when none is attached */
  deliverTo(): TransportHandler;
  /** @throws HttpError when a message is not from `peer` or not for this node */
  checkAddressing(messages: readonly Message[], peer: NodeId): void;
}

const IDLE = Symbol('idle');
const ENDED = Symbol('ended');

/** The stream route and the way to cut a peer's open streams. */
export interface StreamRoute {
  readonly handle: (c: Context) => Promise<Response>;
  /** Ends every open stream of `peer` now (it was removed or its sessions dropped). */
  revoke(peer: NodeId): void;
}

/** Builds the route handler; it keeps the count of open streams per peer. */
export function createStreamRoute(deps: StreamRouteDeps): StreamRoute {
  const open = new Map<NodeId, number>();
  const enders = new Map<NodeId, Set<(reason: HttpError) => void>>();
  const handle = async (c: Context): Promise<Response> => {
    const opening = await authenticateStreamOpening(deps.auth, c);
    const peer = opening.peer;
    const count = open.get(peer) ?? 0;
    if (count >= deps.limits.maxStreamsPerPeer) {
      throw new HttpError(
        429,
        'TOO_MANY_STREAMS',
        `${peer} already has ${count} open streams (limit ${deps.limits.maxStreamsPerPeer})`,
      );
    }
    const body = c.req.raw.body;
    if (!body) return c.body(null, 204);
    open.set(peer, count + 1);
    const reader = body.getReader();
    const opener = new StreamFrameOpener(
      { key: opening.session.key, sessionId: opening.session.id, openSeq: opening.openSeq },
      deps.limits.maxBatchBytes,
    );
    deps.metrics.streams.opened++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let endReason: HttpError | undefined;
    let wake: (() => void) | undefined;
    const ended = new Promise<typeof ENDED>((resolve) => {
      wake = () => resolve(ENDED);
    });
    const end = (reason: HttpError) => {
      endReason ??= reason;
      wake?.();
    };
    const mine = enders.get(peer) ?? new Set();
    mine.add(end);
    enders.set(peer, mine);
    // The stream lives no longer than its session.
    const expiry = setTimeout(
      () => end(new AuthError(401, 'SESSION_EXPIRED', 'the session of this stream expired')),
      Math.min(2 ** 31 - 1, Math.max(0, opening.session.expiresAt - deps.auth.clock.now())),
    );
    try {
      for (;;) {
        const idle = new Promise<typeof IDLE>((resolve) => {
          timer = setTimeout(() => resolve(IDLE), deps.limits.streamIdleMs);
        });
        const next = await Promise.race([reader.read(), idle, ended]);
        clearTimeout(timer);
        if (next === ENDED) throw endReason;
        if (next === IDLE) {
          throw new HttpError(
            408,
            'STREAM_IDLE',
            `no frame for ${deps.limits.streamIdleMs} ms; the client sends keepalives when idle`,
          );
        }
        if (next.done) {
          if (opener.pendingBytes > 0) {
            throw new HttpError(400, 'MALFORMED_FRAME', 'the stream ended inside a frame');
          }
          return c.body(null, 204);
        }
        const payloads = opener.push(next.value);
        if (typeof payloads === 'string') {
          throw new HttpError(
            payloads === 'FRAME_TOO_LARGE' ? 413 : 401,
            payloads,
            payloads === 'FRAME_TOO_LARGE'
              ? `a stream frame exceeds the limit of ${deps.limits.maxBatchBytes} bytes`
              : payloads === 'BAD_FRAME_MAC'
                ? 'a stream frame does not carry the MAC of this session and stream'
                : 'a stream frame is not the next in order (replayed or reordered)',
          );
        }
        for (const payload of payloads) {
          // Checked on every frame (keepalives too): a removed member is cut off at its next frame.
          if (!deps.auth.sessions.isLive(opening.session, deps.auth.clock.now())) {
            throw new AuthError(401, 'SESSION_EXPIRED', 'the session of this stream ended');
          }
          await requireMember(deps.auth.membership, peer, false);
          deps.metrics.streams.frames++;
          if (payload.length === 0) continue;
          let messages: Message[];
          try {
            messages = decodeBatch(payload, deps.decodeLimits);
          } catch (e) {
            if (e instanceof CodecError) throw new HttpError(400, e.code, e.message);
            throw e;
          }
          deps.checkAddressing(messages, peer);
          const target = deps.deliverTo();
          deps.metrics.received.batches++;
          deps.metrics.received.bytes += payload.length;
          deps.metrics.received.messages += messages.length;
          for (const m of messages) target.receive(m);
        }
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(expiry);
      mine.delete(end);
      if (mine.size === 0 && enders.get(peer) === mine) enders.delete(peer);
      deps.metrics.streams.closed++;
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
      // Stop reading; the adapter drains or closes the connection once the answer is sent.
      reader.cancel().catch(() => {});
    }
  };
  return {
    handle,
    revoke(peer) {
      for (const end of [...(enders.get(peer) ?? [])]) {
        end(new AuthError(403, 'NOT_MEMBER', `${peer} was removed from the cluster`));
      }
    },
  };
}
