/**
 * How engines reach each other: the Raft transport plus the engine's own
 * calls (signed task responses to the leader, join requests). Implemented
 * over HTTP (`createHttpEngineTransport`) and in memory
 * (`createMemoryEngineNetwork`) with the same semantics, so tests of the
 * engine run in one process.
 */

import type { Transport } from '@avs/raft-core';
import {
  EngineError,
  EngineNotLeaderError,
  type JoinRefusal,
  JoinRefusedError,
  PeerCallError,
} from '../errors.js';
import type { ClusterProbeAnswer } from '../membership/cluster-probe.js';
import type { SignedJoinRequest } from '../membership/join-request.js';
import type { MemberInfo } from '../tasks/task-command.js';
import type { SignedTaskResponse } from './callbacks.js';
import type { JoinResult, SignedBatchResponseWire, SubmitResponsesResult } from './wire.js';

/** Where another engine is. */
export interface PeerAddress {
  /** Raft node id: lowercase operator address. */
  readonly id: string;
  readonly httpUrl: string;
}

/** What an engine serves to its peers; the transport authenticates `peer`. */
export interface EngineRpcHandler {
  /** A member's signed task responses (leader only). */
  submitResponses(peer: string, body: unknown): Promise<SubmitResponsesResult>;
  /** A join request; `forwardedBy` is the authenticated member that forwarded it, if any. */
  join(body: unknown, forwardedBy?: string): Promise<JoinResult>;
  /** Public status (role, leader, members), for `GET /engine/v1/status`. */
  status(): Record<string, unknown>;
  /**
   * Unauthenticated cluster probe from a node about to bootstrap (`from`: its claimed id):
   * whether this node is in a cluster or founding one (existence and ids only).
   */
  probeCluster?(from: string): ClusterProbeAnswer;
  /** Whether `peer` may open a session with this node (a member, or one the cluster this node joined named). */
  isPeerAllowed(peer: string): boolean;
}

/** Calls to other engines. Errors: {@link PeerCallError}, or the remote typed error re-created. */
export interface EngineRpcClient {
  /** Signed responses to the leader: one request's (a signature per response) or one batch's (one signature). */
  submitResponses(
    to: PeerAddress,
    body: SignedTaskResponse<unknown> | SignedBatchResponseWire,
    timeoutMs: number,
  ): Promise<SubmitResponsesResult>;
  /** Sends a join request to any member by URL (unauthenticated: the request is signed itself). */
  join(httpUrl: string, body: SignedJoinRequest, timeoutMs: number): Promise<JoinResult>;
  /** Asks the node at `httpUrl` whether it is in a cluster (before bootstrapping; unauthenticated). */
  probeCluster?(httpUrl: string, from: string, timeoutMs: number): Promise<ClusterProbeAnswer>;
  /** A member forwards a join request to the leader (authenticated). */
  forwardJoin(to: PeerAddress, body: SignedJoinRequest, timeoutMs: number): Promise<JoinResult>;
}

/** One engine's view of the network. */
export interface EngineTransport {
  /** The Raft message transport. */
  readonly raft: Transport;
  readonly client: EngineRpcClient;
  /** Starts answering peers' engine calls with `handler`. */
  serve(handler: EngineRpcHandler): void | Promise<void>;
  /** Tells the transport where a member is (called for every member the engine learns of). */
  setPeer(member: MemberInfo): void;
  /**
   * Why this transport would refuse to dial `url` (its endpoint policy), or undefined when it
   * would dial it. The leader refuses joins whose registered endpoints it would not dial.
   */
  endpointRefusal?(url: string): string | undefined;
  removePeer(id: string): void;
  /** Stops serving engine calls. The Raft transport is closed by the Raft node. */
  close(): Promise<void>;
}

/** The JSON error body peers answer with. */
export interface RemoteErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Serialises an error for the wire; unknown errors are not echoed in detail. */
export function toRemoteError(error: unknown): RemoteErrorBody {
  if (error instanceof EngineError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: 'INTERNAL', message: 'the peer failed to handle the request' };
}

/**
 * Re-creates the typed error a peer answered with: join refusals and
 * not-leader answers keep their class; anything else is a {@link PeerCallError}.
 */
export function fromRemoteError(peer: string, body: RemoteErrorBody): EngineError {
  const details = body.details ?? {};
  if (body.code.startsWith('JOIN_') && typeof details.reason === 'string') {
    const message = body.message.replace(/^join refused: /, '');
    return new JoinRefusedError(details.reason as JoinRefusal, message);
  }
  if (body.code === 'NOT_LEADER') {
    const error = new EngineNotLeaderError(
      typeof details.leaderId === 'string' ? details.leaderId : '',
      'the call',
    );
    return error;
  }
  return new PeerCallError(peer, body.code, body.message);
}
