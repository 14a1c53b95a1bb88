/**
 * Who may talk to this node (issue #17): the applied Raft configuration and
 * nothing else, with one bounded exception. A joiner that has not yet applied
 * a configuration containing itself accepts the members its join answer named
 * (the leader must reach a fresh learner before its log holds any
 * configuration); that list is dropped for good at the first such
 * configuration, so no side list outlives a configuration change.
 */
import type { ConfState } from '@avs/raft-core';

export class PeerAllowance {
  #joinPeers = new Set<string>();

  /**
   * @param self this node's id
   * @param applied the applied configuration (Raft's `status().config`), undefined before start
   */
  constructor(
    private readonly self: string,
    private readonly applied: () => ConfState | undefined,
  ) {}

  /** A member named by the join answer; ignored once this node is in its applied configuration. */
  learnFromJoin(id: string): void {
    if (!this.inApplied(this.self)) this.#joinPeers.add(id);
  }

  /** A voter, learner or outgoing voter of the applied configuration, or (joiner only) a join-answer member. */
  isAllowed(peer: string): boolean {
    if (this.inApplied(peer)) return true;
    if (this.#joinPeers.size === 0) return false;
    if (this.inApplied(this.self)) {
      this.#joinPeers = new Set();
      return false;
    }
    return this.#joinPeers.has(peer);
  }

  /** Whether `id` is in the applied configuration. */
  inApplied(id: string): boolean {
    const conf = this.applied();
    if (!conf) return false;
    return conf.voters.includes(id) || conf.learners.includes(id) || conf.votersOutgoing.includes(id);
  }
}
