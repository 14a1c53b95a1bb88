import { jointCommitted, jointVoteResult, VoteResult } from '../quorum/quorum.js';
import type { ConfState, NodeId } from '../types.js';
import type { Progress } from './progress.js';

/** A (possibly joint) membership as the tracker holds it. */
export interface TrackerConfig {
  /** Voters of the incoming (or only) configuration. */
  readonly voters: Set<NodeId>;
  /** Voters of the outgoing configuration; non-empty only while joint. */
  readonly votersOutgoing: Set<NodeId>;
  readonly learners: Set<NodeId>;
  /** Outgoing voters that turn into learners when the joint configuration is left. */
  readonly learnersNext: Set<NodeId>;
  autoLeave: boolean;
}

/** An empty tracker configuration. */
export function emptyTrackerConfig(): TrackerConfig {
  return {
    voters: new Set(),
    votersOutgoing: new Set(),
    learners: new Set(),
    learnersNext: new Set(),
    autoLeave: false,
  };
}

/** A deep copy, so a change can be computed without touching the live configuration. */
export function cloneTrackerConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: new Set(c.voters),
    votersOutgoing: new Set(c.votersOutgoing),
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** The wire/persisted form of a tracker configuration (sorted, so equal configs compare equal). */
export function toConfState(c: TrackerConfig): ConfState {
  const sorted = (s: Set<NodeId>) => [...s].sort();
  return {
    voters: sorted(c.voters),
    learners: sorted(c.learners),
    votersOutgoing: sorted(c.votersOutgoing),
    learnersNext: sorted(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/**
 * The leader's bookkeeping: the configuration, one {@link Progress} per
 * member, and the votes of the current election.
 */
export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  /** Whether the configuration is joint. */
  isJoint(): boolean {
    return this.config.votersOutgoing.size > 0;
  }

  confState(): ConfState {
    return toConfState(this.config);
  }

  /** Whether `id` is a voter in either half. */
  isVoter(id: NodeId): boolean {
    return this.config.voters.has(id) || this.config.votersOutgoing.has(id);
  }

  /** Voter ids (both halves), sorted so iteration order is deterministic. */
  voterIds(): NodeId[] {
    return [...new Set([...this.config.voters, ...this.config.votersOutgoing])].sort();
  }

  /** Every member id (voters and learners), sorted. */
  memberIds(): readonly NodeId[] {
    // Cached: called on every broadcast. The progress map is replaced, never changed in place.
    if (this.idsOf !== this.progress || this.ids.length !== this.progress.size) {
      this.ids = [...this.progress.keys()].sort();
      this.idsOf = this.progress;
    }
    return this.ids;
  }

  private idsOf: Map<NodeId, Progress> | undefined;
  private ids: readonly NodeId[] = [];

  /** Whether the only voter is a single node (commit and reads need nobody else). */
  isSingleton(): boolean {
    return this.config.voters.size === 1 && this.config.votersOutgoing.size === 0;
  }

  /** Highest index replicated on a quorum (in joint: on both quorums). */
  committed(): number {
    return jointCommitted(this.config.voters, this.config.votersOutgoing, this.matchOf);
  }

  private readonly matchOf = (id: NodeId): number | undefined => this.progress.get(id)?.match;

  /** Whether a quorum was recently active (check-quorum). Raft thesis 6.2. */
  quorumActive(): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      if (!pr.isLearner) active.set(id, pr.recentActive);
    }
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, active) === VoteResult.Won;
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records `id`'s answer; the first answer of a voter counts, later ones are ignored. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts the votes of members (learners' answers do not count). */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voterIds()) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: this.voteResult(this.votes) };
  }

  /** Election result for the given answers. */
  voteResult(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, votes);
  }
}
