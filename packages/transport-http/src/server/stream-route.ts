/**
 * `POST /raft/v1/stream`: one long-lived request per peer whose body is a
 * sequence of authenticated frames (see `codec/stream-frame.ts`). Frames are
 * decoded as they arrive and their messages handed to Raft in order. Any bad
 * frame, a sender that stops being a member, or silence longer than
 * `streamIdleMs` ends the stream with an error answer; the client reopens.
 */
import type { Message, NodeId, TransportHandler } from '@avs/raft-core';
import type { Context } from 'hono';
import { type DecodeLimits, decodeBatch } from '../codec/frame-codec.js';
import { StreamFrameOpener } from '../codec/stream-frame.js';
import { CodecError, HttpError } from '../errors.js';
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

/** Builds the route handler; it keeps the count of open streams per peer. */
export function createStreamRoute(deps: StreamRouteDeps): (c: Context) => Promise<Response> {
  const open = new Map<NodeId, number>();
  return async (c) => {
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
    try {
      for (;;) {
        const idle = new Promise<typeof IDLE>((resolve) => {
          timer = setTimeout(() => resolve(IDLE), deps.limits.streamIdleMs);
        });
        const next = await Promise.race([reader.read(), idle]);
        clearTimeout(timer);
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
      deps.metrics.streams.closed++;
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
      // Stop reading; the adapter drains or closes the connection once the answer is sent.
      reader.cancel().catch(() => {});
    }
  };
}
