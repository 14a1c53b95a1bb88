/**
 * The leader's voter autopilot (after hashicorp's raft-autopilot): keeps at most `maxVoters`
 * voters, chosen by stake among caught-up operators, and replaces a voter that has been
 * unreachable for `voterUnreachableMs`, deregistered or lost its stake with the next learner by
 * stake. It samples reachability from Raft's progress every tick and, every
 * `autopilotIntervalMs` (or when nudged, e.g. after a join), takes at most one quorum-safe step
 * (see {@link planVoterStep}); membership changes go through the join service's queue, so they
 * never overlap with joins and removals. It also runs the periodic registry re-check of members
 * (`membershipCheckIntervalMs`), which is leader work on the same clock.
 */

import type { EngineContext } from '../engine-context.js';
import type { AdmissionChecks } from './admission-checks.js';
import { planVoterStep, quorumOf, type VoterCandidate, type VoterStep } from './voter-plan.js';

/** How far (in entries) a learner's log may trail the commit index and still count as caught up. */
const CAUGHT_UP_LAG = 16;

/** What the autopilot needs besides the engine's context. */
export interface AutopilotDeps {
  readonly admission: Pick<AdmissionChecks, 'latestBlock' | 'operatorSet' | 'minimumStake'>;
  /** Runs a membership change after the ones already queued (the join service's queue). */
  serially<V>(change: () => Promise<V>): Promise<V>;
  /** The registry re-check of every member (every `membershipCheckIntervalMs` on the leader). */
  checkMembership(): Promise<unknown>;
}

export class VoterAutopilot {
  /** When the leader last saw each member active, by id (reset when this node gains leadership). */
  readonly #lastSeen = new Map<string, number>();
  #timer: unknown;
  #lastRound = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;
  #nudged = false;
  #lastMembershipCheck = 0;
  #checkingMembership = false;
  #leaderTerm = -1;
  #leaderSince = 0;

  constructor(
    private readonly core: EngineContext,
    private readonly deps: AutopilotDeps,
  ) {}

  /** Starts sampling on this node's ticks; call {@link close} to stop. */
  start(): void {
    this.#arm();
  }

  close(): void {
    if (this.#timer !== undefined) this.core.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs a round at the next tick (a learner joined or a seat may have freed). */
  nudge(): void {
    this.#nudged = true;
  }

  /** Whether removing voter `id` leaves the other voters a live quorum of the smaller configuration. */
  canRemoveVoter(id: string): boolean {
    const st = this.#leaderStatus();
    if (!st?.config.voters.includes(id)) return true;
    const live = st.config.voters.filter((v) => v !== id && this.#recentlySeen(v)).length;
    return live >= quorumOf(st.config.voters.length - 1);
  }

  /** On the leader: milliseconds since it last heard from each member (0 for itself); empty elsewhere. */
  lastContactMs(): Record<string, number> {
    const st = this.#leaderStatus();
    if (!st) return {};
    const now = this.core.clock.now();
    const out: Record<string, number> = {};
    for (const id of [...st.config.voters, ...st.config.learners]) {
      out[id] = id === this.core.id ? 0 : now - (this.#lastSeen.get(id) ?? now);
    }
    return out;
  }

  /**
   * One round now: reads stakes and takes at most one step. Resolves with the step taken (for
   * tests and operator tooling), or undefined.
   */
  async runOnce(): Promise<VoterStep | undefined> {
    const st = this.#leaderStatus();
    if (!st || st.config.votersOutgoing.length > 0) return undefined;
    this.#sample();
    const members = await this.#candidates();
    // Leadership may have moved while the chain was read.
    if (this.#leaderStatus()?.term !== st.term) return undefined;
    const step = planVoterStep(this.core.id, members, this.core.config.maxVoters);
    if (step) await this.#take(step);
    return step;
  }

  #leaderStatus() {
    if (this.core.isClosed()) return undefined;
    const st = this.core.node().status();
    return st.role === 'leader' ? st : undefined;
  }

  #arm(): void {
    if (this.core.isClosed()) return;
    const tickMs = this.core.config.raft.tickMs ?? 100;
    this.#timer = this.core.clock.setTimeout(() => {
      this.#tick();
      this.#arm();
    }, tickMs);
  }

  #tick(): void {
    const st = this.#leaderStatus();
    if (!st) {
      this.#leaderTerm = -1;
      return;
    }
    if (st.term !== this.#leaderTerm) {
      // A new leader knows nothing of anyone's last contact: everyone gets a full grace period.
      this.#leaderTerm = st.term;
      this.#leaderSince = this.core.clock.now();
      this.#lastMembershipCheck = this.#leaderSince;
      this.#lastSeen.clear();
    }
    this.#sample();
    const now = this.core.clock.now();
    this.#maybeCheckMembership(now);
    const due = now - this.#lastRound >= this.core.config.autopilotIntervalMs;
    // Until a new leader has heard from the live members, a dead voter would look live.
    const settled = now - this.#leaderSince >= 2 * this.#electionMs();
    if (this.#running || !settled || (!due && !this.#nudged)) return;
    this.#nudged = false;
    this.#lastRound = now;
    this.#running = this.runOnce()
      .then(() => undefined)
      .catch((error) => this.core.reportError(error, 'voter autopilot'))
      .finally(() => {
        this.#running = undefined;
      });
  }

  #maybeCheckMembership(now: number): void {
    const every = this.core.config.membershipCheckIntervalMs;
    if (every === 0 || this.#checkingMembership || now - this.#lastMembershipCheck < every) return;
    this.#lastMembershipCheck = now;
    this.#checkingMembership = true;
    this.deps
      .checkMembership()
      .catch((error) => this.core.reportError(error, 'membership check'))
      .finally(() => {
        this.#checkingMembership = false;
      });
  }

  /** Raft resets `recentActive` every election timeout; sampling it each tick gives a last-contact time. */
  #sample(): void {
    const st = this.#leaderStatus();
    if (!st) return;
    const now = this.core.clock.now();
    for (const id of [...st.config.voters, ...st.config.learners]) {
      if (!this.#lastSeen.has(id) || st.progress[id]?.recentActive === true || id === this.core.id) {
        this.#lastSeen.set(id, now);
      }
    }
  }

  async #candidates(): Promise<VoterCandidate[]> {
    const st = this.core.node().status();
    const { config, state, clock } = this.core;
    const set = await this.deps.admission.operatorSet(await this.deps.admission.latestBlock());
    const byOperatorId = new Map(set.operators.map((o) => [o.operatorId.toLowerCase(), o]));
    const now = clock.now();
    const electionMs = this.#electionMs();
    const min = this.deps.admission.minimumStake;
    const ids = [...st.config.voters, ...st.config.learners];
    return ids.map((id) => {
      const voter = st.config.voters.includes(id);
      const operatorId = state.member(id)?.operatorId.toLowerCase();
      const op = operatorId === undefined ? undefined : byOperatorId.get(operatorId);
      let stake = 0n;
      let qualified = op !== undefined;
      for (const q of config.defaultQuorumNumbers) {
        const s = op?.stakes.get(q) ?? 0n;
        stake += s;
        if (s < min) qualified = false;
      }
      // Without metadata nothing is known: a voter keeps its seat, a learner waits for it.
      if (operatorId === undefined) qualified = voter;
      const silentMs = id === this.core.id ? 0 : now - (this.#lastSeen.get(id) ?? now);
      const match = st.progress[id]?.match ?? 0;
      return {
        id,
        voter,
        stake,
        qualified,
        reachable: silentMs <= 2 * electionMs,
        failed: silentMs >= config.voterUnreachableMs,
        caughtUp: id === this.core.id || match + CAUGHT_UP_LAG >= st.commit,
      };
    });
  }

  async #take(step: VoterStep): Promise<void> {
    const node = this.core.node();
    if (step.kind === 'transfer-leadership') {
      await node.transferLeadership();
      return;
    }
    await this.deps.serially(async () => {
      // Re-checked inside the queue: a join or removal may have changed the configuration meanwhile.
      const conf = node.status().config;
      if (step.kind === 'promote') {
        if (!conf.learners.includes(step.id)) return;
        await node.promote(step.id);
        this.core.emit('member-joined', { id: step.id, role: 'voter' });
      } else {
        if (!conf.voters.includes(step.id)) return;
        if (!this.canRemoveVoter(step.id)) return;
        await node.addLearner(step.id);
        this.core.emit('member-demoted', { id: step.id, reason: step.reason });
      }
    });
  }

  #recentlySeen(id: string): boolean {
    if (id === this.core.id) return true;
    return (
      this.core.clock.now() - (this.#lastSeen.get(id) ?? Number.NEGATIVE_INFINITY) <= 2 * this.#electionMs()
    );
  }

  #electionMs(): number {
    const { raft } = this.core.config;
    return (raft.electionTick ?? 10) * (raft.tickMs ?? 100);
  }
}
