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
   * @param node the Raft node, whose `status().config` is the applied configuration (undefined before start)
   * @param members the replicated member metadata (a member there but not yet configured is still dialled)
   * @param dialler stops dialling an identity `settle` drops (and ends its sessions)
   */
  constructor(
    private readonly self: string,
    private readonly node: () => { status(): { readonly config: ConfState } } | undefined,
    private readonly members: { member(id: string): unknown },
    private readonly dialler: { removePeer(id: string): void },
  ) {}

  #replicated(id: string): boolean {
    return this.members.member(id) !== undefined;
  }

  /**
   * A member named by the join answer, allowed until `settle`. Once this node is in its applied
   * configuration (the answer can arrive after it), nothing is added.
   * @returns whether `id` may be dialled: added, or a member of the configuration or replicated metadata
   */
  learnFromJoin(id: string): boolean {
    if (this.inApplied(this.self)) return this.inApplied(id) || this.#replicated(id);
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
   * drops the join answer's list and stops dialling each identity it named that is neither in that
   * configuration nor in the replicated members (there, e.g., a joiner in progress).
   */
  settle(): void {
    if (this.#joinPeers.size === 0 || !this.inApplied(this.self)) return;
    const named = this.#joinPeers;
    this.#joinPeers = new Set();
    for (const id of named) if (!this.inApplied(id) && !this.#replicated(id)) this.dialler.removePeer(id);
  }

  /** Whether `id` is in the applied configuration. */
  inApplied(id: string): boolean {
    const conf = this.node()?.status().config;
    if (!conf) return false;
    return conf.voters.includes(id) || conf.learners.includes(id) || conf.votersOutgoing.includes(id);
  }
}
