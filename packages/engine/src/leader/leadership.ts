/**
 * Leadership as the application sees it: confirmed with a quorum (the
 * original's local view let two nodes act as leader), and rotated fairly.
 */

import type { ConsensusNode } from '../consensus/consensus-node.js';
import { ElectionError } from '../errors.js';

/** Answer of {@link TaskConsensusEngine.isLeader}. */
export interface LeaderInfo {
  /** True only when a quorum confirmed this node's leadership just now. */
  readonly isLeader: boolean;
  /** The leader's id (lowercase address) as this node knows it, or `''`. */
  readonly leaderId: string;
  /** The leader's HTTP URL from replicated metadata, or `''`. */
  readonly leaderHttpUrl: string;
}

/** Answer of {@link TaskConsensusEngine.triggerElection}. */
export interface ElectionResult {
  readonly ok: boolean;
  readonly previousLeader: string;
  /** The leader afterwards (the target on success; the previous leader when every attempt failed). */
  readonly leader: string;
  /** Targets tried, in order. */
  readonly tried: readonly string[];
  readonly error?: string;
}

/**
 * Whether `node` leads, confirmed with a ReadIndex round to a quorum: a
 * deposed leader that has not noticed yet answers false.
 */
export async function confirmLeadership(
  node: ConsensusNode<unknown>,
  timeoutMs: number,
  httpUrlOf: (id: string) => string,
): Promise<LeaderInfo> {
  const before = node.status();
  const info = (isLeader: boolean, leaderId: string): LeaderInfo => ({
    isLeader,
    leaderId,
    leaderHttpUrl: leaderId === '' ? '' : httpUrlOf(leaderId),
  });
  if (before.role !== 'leader') return info(false, before.leader);
  try {
    await node.readIndex({ timeoutMs });
  } catch {
    const now = node.status();
    return info(false, now.leader === before.id ? '' : now.leader);
  }
  const after = node.status();
  return info(after.role === 'leader' && after.term === before.term, after.leader);
}

/**
 * Hands leadership from `selfId` (the leader) to `target`, or round-robin to
 * the next voter in address order, trying the following ones if a transfer
 * does not complete within `2 * electionMs`.
 */
export async function rotateLeadership(
  node: ConsensusNode<unknown>,
  selfId: string,
  electionMs: number,
  target?: string,
): Promise<ElectionResult> {
  const st = node.status();
  const refuse = (error: string, leader = selfId): ElectionResult => ({
    ok: false,
    previousLeader: leader,
    leader,
    tried: [],
    error,
  });
  if (st.role !== 'leader') return refuse('this node is not the leader', st.leader);
  const voters = [...st.config.voters].sort();
  let candidates: string[];
  if (target !== undefined) {
    const t = target.toLowerCase();
    if (!voters.includes(t) || t === selfId) return refuse(`${t} is not another voter`);
    candidates = [t];
  } else {
    const me = voters.indexOf(selfId);
    candidates = [...voters.slice(me + 1), ...voters.slice(0, Math.max(0, me))];
  }
  if (candidates.length === 0) return refuse('there is no other voter');
  const tried: string[] = [];
  let lastError = '';
  for (const candidate of candidates) {
    if (node.status().role !== 'leader') break;
    tried.push(candidate);
    try {
      await node.transferLeadership(candidate, { timeoutMs: 2 * electionMs });
      return { ok: true, previousLeader: selfId, leader: candidate, tried };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    ok: false,
    previousLeader: selfId,
    leader: node.status().leader,
    tried,
    error: new ElectionError(lastError).message,
  };
}
