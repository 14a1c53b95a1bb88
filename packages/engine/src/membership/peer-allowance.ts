/**
 * Who may talk to this node (issue #17): the applied Raft configuration and
 * nothing else, with one bounded exception. A joiner that has not yet applied
 * a configuration containing itself accepts the members its join answer named
 * (the leader must reach a fresh learner before its log holds any
 * configuration); that list is dropped for good at the first such
 * configuration, so no side list outlives a configuration change, and the
 * identities it named that this configuration lacks are handed back so the
 * engine stops dialling them too (`settle`).
 */
import type { ConfState } from '@avs/raft-core';

export class PeerAllowance {
  #joinPeers = new Set<string>();

  /**
   * @param self this node's id
   * @param applied the applied configuration (Raft's `status().config`), undefined before start
   * @param outside what `settle` asks of the node: whether an id is a replicated member, and to stop dialling one
   */
  constructor(
    private readonly self: string,
    private readonly applied: () => ConfState | undefined,
    private readonly outside: { replicated(id: string): boolean; forget(id: string): void },
  ) {}

  /**
   * A member named by the join answer, allowed until `settle`. Once this node is in its applied
   * configuration (the answer can arrive after it), nothing is added.
   * @returns whether `id` may be dialled: added, or a member of the configuration or replicated metadata
   */
  learnFromJoin(id: string): boolean {
    if (this.inApplied(this.self)) return this.inApplied(id) || this.outside.replicated(id);
    this.#joinPeers.add(id);
    return true;
  }

  /** A voter, learner or outgoing voter of the applied configuration, or (joiner only) a join-answer member. */
  isAllowed(peer: string): boolean {
    // A snapshot brings a configuration without a conf-change event: the next check settles it.
    if (this.#joinPeers.size > 0) this.settle();
    return this.inApplied(peer) || this.#joinPeers.has(peer);
  }

  /**
   * Call when a configuration is applied (`isAllowed` calls it too). Once this node is in its applied configuration,
   * drops the join answer's list and calls `forget` for each identity it named that is neither in that
   * configuration nor `replicated` (a member in the replicated metadata, e.g. a joiner in progress).
   */
  settle(): void {
    if (this.#joinPeers.size === 0 || !this.inApplied(this.self)) return;
    const named = this.#joinPeers;
    this.#joinPeers = new Set();
    for (const id of named) if (!this.inApplied(id) && !this.outside.replicated(id)) this.outside.forget(id);
  }

  /** Whether `id` is in the applied configuration. */
  inApplied(id: string): boolean {
    const conf = this.applied();
    if (!conf) return false;
    return conf.voters.includes(id) || conf.learners.includes(id) || conf.votersOutgoing.includes(id);
  }
}
