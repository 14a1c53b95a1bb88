/**
 * The joiner's side of a join: sign an EIP-712 join request, send it to any
 * member (which forwards it to the leader), learn the members from the
 * answer, and wait (bounded) for the leader to promote this node to voter.
 */

import type { Clock } from '@avs/raft-core';
import type { ResolvedEngineConfig } from '../config.js';
import { EngineNotLeaderError, EngineStateError, JoinRefusedError, PeerCallError } from '../errors.js';
import type { EngineChain } from '../ports/chain-port.js';
import type { EngineTransport } from '../ports/engine-transport.js';
import type { JoinResult } from '../ports/wire.js';
import { backoffMs, sleep } from '../waiting.js';
import { verifyJoinAnswer } from './join-answer.js';
import { type JoinAuthenticator, randomNonce } from './join-request.js';

/** What {@link joinCluster} needs from the engine. */
export interface JoinClientDeps {
  readonly id: string;
  readonly operatorId: string;
  /** Signs the join request with this operator's key and checks the answer's signature. */
  readonly joinAuth: JoinAuthenticator;
  /** Whether an address is a registered operator on-chain (the answer's signer must be). */
  isRegisteredOperator(address: string): Promise<boolean>;
  readonly config: ResolvedEngineConfig;
  readonly clock: Clock;
  readonly chain: EngineChain;
  readonly transport: EngineTransport;
  isClosed(): boolean;
  isVoter(): boolean;
  /** Whether this node's applied configuration already has `maxVoters` voters (it stays a learner for now). */
  seatsFull?(): boolean;
  /** This node's view of the cluster (its leader, the members it knows), for a member that need not join. */
  currentView(): Pick<JoinResult, 'leaderId' | 'members'>;
  /**
   * Allows a member's Raft traffic before it appears in this node's configuration.
   * @returns whether to dial it (false when this node's applied configuration, already there, lacks it)
   */
  learnPeer(id: string): boolean;
}

/**
 * Joins through `joinHttpUrl`, retrying (with a fresh nonce) when no member or
 * leader answered, for up to `joinTimeoutMs`. A node whose restored configuration already lists it as a
 * voter (a member restarted from its data) does not join again: its Raft log
 * brings it back, whether or not a leader is reachable just now (during a
 * failover, asking would fail and the restart with it).
 * @throws JoinRefusedError with the reason; PeerCallError when no member answered within `joinTimeoutMs`
 */
export async function joinCluster(
  d: JoinClientDeps,
  joinHttpUrl: string,
  latestBlock?: number,
): Promise<JoinResult> {
  const { config, clock } = d;
  if (d.isVoter()) return { role: 'voter', ...d.currentView() };
  let lastError: unknown;
  // A failover leaves no leader for a few seconds: keep asking (with backoff) until joinTimeoutMs.
  const giveUpAt = clock.now() + config.joinTimeoutMs;
  for (let attempt = 1; !d.isClosed(); attempt++) {
    const block = latestBlock ?? (await d.chain.latestBlock());
    const signed = await d.joinAuth.sign({
      chainId: d.chain.chainId,
      contract: d.chain.contractAddress,
      clusterId: config.clusterId,
      operator: d.id,
      operatorId: d.operatorId,
      httpUrl: config.httpUrl,
      raftUrl: config.raftUrl,
      block,
      expiresAtMs: Math.floor(clock.now()) + config.joinRequestTtlMs,
      nonce: randomNonce(),
    });
    try {
      const result = await d.transport.client.join(
        joinHttpUrl,
        signed,
        config.requestTimeoutMs + config.promoteTimeoutMs,
      );
      // Nothing from the answer is used before it is verified: it came over an unauthenticated call.
      await verifyJoinAnswer(d, signed.request, result);
      for (const m of result.members) {
        if (m.id !== d.id && d.learnPeer(m.id)) d.transport.setPeer(m);
      }
      if (result.role === 'voter') return result;
      // The leader promotes this node once it has caught up and a seat is free; wait for that (bounded).
      const deadline = clock.now() + config.promoteTimeoutMs;
      while (!d.isClosed() && clock.now() < deadline) {
        if (d.isVoter()) return { ...result, role: 'voter' };
        if (d.seatsFull?.()) return result;
        await sleep(clock, Math.min(config.retryBaseMs, 50));
      }
      return result;
    } catch (error) {
      lastError = error;
      const retryable =
        error instanceof PeerCallError ||
        error instanceof EngineNotLeaderError ||
        (error instanceof JoinRefusedError && error.reason === 'UNAVAILABLE');
      if (!retryable) throw error;
      const delay = backoffMs(attempt, config.retryBaseMs, config.retryMaxMs);
      if (clock.now() + delay > giveUpAt) throw error;
      await sleep(clock, delay);
    }
  }
  throw lastError ?? new EngineStateError('CLOSED', 'the engine closed while joining');
}
