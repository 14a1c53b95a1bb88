/**
 * Membership follows the registry's events (leader only): a deregistered
 * operator is removed at once (through the registry re-check, so a stale or
 * forged event cannot remove a registered one), a newly registered operator is
 * invited when `autoInvite` is set, a member whose stake changed is checked
 * again at once (removed when below `minimumStake`, again through a fresh
 * registry read), and a member whose endpoints changed gets its URLs updated
 * in the replicated metadata (every node then dials the new ones). Failures are reported; the periodic membership check stays the
 * safety net.
 */

import type { EngineContext } from '../engine-context.js';
import { JoinRefusedError } from '../errors.js';
import type { TaskConsensusCallbacks } from '../ports/callbacks.js';
import type { RegistryEvent } from '../ports/chain-port.js';
import type { JoinService } from './join-service.js';

const trimUrl = (u: string) => u.replace(/\/+$/, '');

export class RegistryFollower {
  /** One reaction at a time, in event order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: EngineContext,
    private readonly joins: JoinService,
    private readonly callbacks: Pick<TaskConsensusCallbacks<unknown, unknown>, 'fetchOperatorUrl'>,
  ) {}

  /** Starts following; returns the stop function (a no-op when the chain has no registry events). */
  start(): () => void {
    const events = this.core.chain.registryEvents;
    if (!events) return () => {};
    return events.watch((event) => {
      this.#queue = this.#queue
        .then(() => this.#react(event))
        .catch((error) => this.core.reportError(error, `registry event ${event.kind}`));
    });
  }

  async #react(event: RegistryEvent): Promise<void> {
    if (this.core.isClosed() || this.core.node().status().role !== 'leader') return;
    if (event.kind === 'deregistered') {
      await this.joins.checkMembership();
      return;
    }
    const members = this.core.state.members();
    if (event.kind === 'stake-changed') {
      // Stake to stay: re-read this member's registration and stake now; the event's claim is not used.
      const id = event.operatorId.toLowerCase();
      const member = members.find((m) => m.operatorId.toLowerCase() === id);
      if (member) await this.joins.checkMember(member.id, { fresh: true });
      return;
    }
    if (event.kind === 'registered') {
      const id = event.address.toLowerCase();
      if (!this.core.config.autoInvite || id === this.core.id || members.some((m) => m.id === id)) return;
      try {
        await this.joins.admitDirectly(event.operatorId, id);
      } catch (error) {
        // Already in, endpoints taken, not registered any more: nothing to do; the operator can still join itself.
        if (!(error instanceof JoinRefusedError)) throw error;
      }
      return;
    }
    const member = members.find((m) => m.operatorId.toLowerCase() === event.operatorId.toLowerCase());
    if (!member) return;
    const found = await this.callbacks.fetchOperatorUrl(member.id);
    const endpoints = typeof found === 'string' ? { httpUrl: found, raftUrl: found } : found;
    if (
      trimUrl(endpoints.httpUrl) === trimUrl(member.httpUrl) &&
      trimUrl(endpoints.raftUrl) === trimUrl(member.raftUrl)
    )
      return;
    await this.core.propose({ type: 'member.upsert', member: { ...member, ...endpoints } });
  }
}
