import type { Clock, Logger, NodeId } from '@avs/raft-core';
import type { Context } from 'hono';
import type { HandshakeScheme } from '../auth/handshake-scheme.js';
import type { DecodeLimits } from '../codec/frame-codec.js';
import type { TransportMetrics } from '../metrics.js';
import type { SourceRateLimits } from './source-rate-limit.js';

/** Who may talk to this node. Called on every handshake and every authenticated request. */
export interface Membership {
  /** True for a current cluster member (voter or learner). */
  isMember(peer: NodeId): boolean | Promise<boolean>;
  /**
   * True for a node admitted to join but not a member yet. Such a node may
   * handshake and call routes mounted with `allowAdmitted: true` (e.g. join), never Raft routes.
   */
  isAdmitted?(peer: NodeId): boolean | Promise<boolean>;
}

/** Limits of a {@link RaftServerOptions}; every route has a body-size limit. */
export interface ServerLimits {
  /** Largest `/raft/v1/messages` body, and largest `/raft/v1/stream` frame payload, in bytes; default 16 MiB. */
  readonly maxBatchBytes: number;
  /** Largest `/raft/v1/snapshot` part body in bytes; default 4 MiB + 64 KiB of framing. */
  readonly maxSnapshotPartBytes: number;
  /** Largest snapshot chunk assembled from parts, in bytes; default 64 MiB (also the decoder's field limit). */
  readonly maxSnapshotChunkBytes: number;
  /** Largest JSON body (handshake, mounted routes unless they say otherwise); default 64 KiB. */
  readonly maxJsonBytes: number;
  /** Accepted clock difference for handshake and request timestamps, ms; default 30 000. */
  readonly maxClockSkewMs: number;
  /** Session lifetime, ms; default 1 hour. Clients re-handshake when told the session expired. */
  readonly sessionTtlMs: number;
  /** Sessions kept in total (default 4 096) and per peer (default 4). */
  readonly maxSessions: number;
  readonly maxSessionsPerPeer: number;
  /** How far behind the newest sequence number a request may arrive; default 4 096. */
  readonly replayWindow: number;
  /** Handshake nonces remembered within the skew window; default 100 000. */
  readonly maxHandshakeNonces: number;
  /** Open `/raft/v1/stream` requests per peer; default 4 (a client keeps one, briefly two while it reopens). */
  readonly maxStreamsPerPeer: number;
  /** A stream without any frame for this long is closed, ms; default 15 000 (clients send keepalives every 2 s). */
  readonly streamIdleMs: number;
  /** A half-received snapshot chunk is dropped after this long without a part, ms; default 120 000. */
  readonly snapshotIdleMs: number;
}

/** Default {@link ServerLimits}. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxBatchBytes: 16 * 1024 * 1024,
  maxSnapshotPartBytes: 4 * 1024 * 1024 + 64 * 1024,
  maxSnapshotChunkBytes: 64 * 1024 * 1024,
  maxJsonBytes: 64 * 1024,
  maxClockSkewMs: 30_000,
  sessionTtlMs: 60 * 60 * 1000,
  maxSessions: 4096,
  maxSessionsPerPeer: 4,
  replayWindow: 4096,
  maxHandshakeNonces: 100_000,
  snapshotIdleMs: 120_000,
  maxStreamsPerPeer: 4,
  streamIdleMs: 15_000,
};

/** Options of {@link createRaftServer}. */
export interface RaftServerOptions {
  /** This node's identity (operator key or shared secret). */
  readonly scheme: HandshakeScheme;
  readonly membership: Membership;
  readonly limits?: Partial<ServerLimits>;
  readonly decodeLimits?: Partial<DecodeLimits>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Shared with an {@link HttpTransport} so one object counts both directions; default: a new one. */
  readonly metrics?: TransportMetrics;
  /**
   * Per-source rate limit of the unauthenticated routes (`/health`, the handshake),
   * keyed by `sourceOf`; default 64 at once, 16/s per source; `false` turns it off.
   */
  readonly rateLimit?: Partial<SourceRateLimits> | false;
  /**
   * The source address of a request; default `c.env.remoteAddress` as the runtime adapters set it
   * (behind a proxy that you trust, read its header instead). Requests without a source are not limited.
   */
  readonly sourceOf?: (c: Context) => string | undefined;
  /** Extra fields for `GET /status` (e.g. Raft's role, term and leader). */
  readonly status?: () => Record<string, unknown>;
  /** Where unexpected errors of a route go (answered 500 `INTERNAL`); default: nowhere. */
  readonly logger?: Logger;
}
