import {
  LeadershipTransferError,
  OutcomeUnknownError,
  ProposalDroppedError,
  RaftTimeoutError,
} from '../errors.js';
import type { ReadState } from '../read-only.js';
import { contextKey } from '../read-only.js';
import type { AppliedConfChange } from '../ready.js';

import type { ConfState, Entry, NodeId } from '../types.js';
import { EntryType } from '../types.js';

/** A pending call of {@link RaftNode}: how to settle it and when it times out. */
export interface Waiter<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
  readonly deadline: number;
  readonly operation: string;
  readonly timeoutMs: number;
}

interface ProposalWaiter<R> extends Waiter<R> {
  term: number;
}

interface ReadWaiter extends Waiter<number> {
  index: number;
}

/**
 * The calls of {@link RaftNode} that wait on Raft other than proposals (those are the
 * `ProposalTracker`'s): membership changes by log index, read barriers by request context,
 * leadership transfers by target. The node tells it what was applied, read or elected; it
 * settles and expires the calls.
 */
export class NodeWaiters {
  private readonly confWaiters = new Map<number, ProposalWaiter<ConfState>>();
  private readonly reads = new Map<string, ReadWaiter>();
  private readonly transfers = new Set<Waiter<void> & { target: NodeId; startTerm: number }>();

  /** Waits for the membership change proposed at `index` in `term` to be applied. */
  addConfChange(index: number, term: number, w: Waiter<ConfState>): void {
    this.confWaiters.set(index, { ...w, term });
  }

  /** Waits for the read index of the request with context `key`, then for it to be applied. */
  addRead(key: string, w: Waiter<number>): void {
    this.reads.set(key, { ...w, index: -1 });
  }

  /** Waits for `target` to become leader. */
  addTransfer(w: Waiter<void>, target: NodeId, startTerm: number): void {
    this.transfers.add({ ...w, target, startTerm });
  }

  /** Read indexes arrived; resolves the reads `lastApplied` already covers. */
  readStates(readStates: readonly ReadState[], lastApplied: number): void {
    for (const rs of readStates) {
      const w = this.reads.get(contextKey(rs.context));
      if (w) w.index = rs.index;
    }
    this.resolveReads(lastApplied);
  }

  /** Resolves the reads whose index is known and applied. */
  resolveReads(lastApplied: number): void {
    for (const [k, w] of this.reads) {
      if (w.index >= 0 && w.index <= lastApplied) {
        this.reads.delete(k);
        w.resolve(w.index);
      }
    }
  }

  /** Whether any read waits. */
  get hasReads(): boolean {
    return this.reads.size > 0;
  }

  /** Settles the waiter of the applied membership change `ch`. */
  confChangeApplied(ch: AppliedConfChange): void {
    const w = this.confWaiters.get(ch.index);
    if (w) {
      this.confWaiters.delete(ch.index);
      if (ch.error) w.reject(ch.error);
      else w.resolve(ch.confState);
    }
  }

  /** Rejects the waiters of membership changes whose index `ents` filled with another entry. */
  confChangesOverwritten(ents: readonly Entry[]): void {
    if (this.confWaiters.size === 0) return;
    for (const e of ents) {
      if (e.type !== EntryType.ConfChange) continue;
      const w = this.confWaiters.get(e.index);
      if (w) {
        // The entry at this index is not the one we proposed (another leader overwrote it).
        this.confWaiters.delete(e.index);
        w.reject(new ProposalDroppedError('overwritten'));
      }
    }
  }

  /** A snapshot up to `index` was restored: the outcome of changes it covers is unknown. */
  snapshotRestored(index: number): void {
    for (const [i, w] of this.confWaiters) {
      if (i <= index) {
        this.confWaiters.delete(i);
        w.reject(new OutcomeUnknownError(i));
      }
    }
  }

  /** `lead` became leader: resolves the transfers to it. */
  leaderChanged(lead: NodeId): void {
    for (const t of [...this.transfers]) {
      if (lead === t.target) {
        this.transfers.delete(t);
        t.resolve();
      }
    }
  }

  /** Rejects every call due at `now` with RaftTimeoutError (transfers: LeadershipTransferError). */
  expire(now: number): void {
    const expire = <T>(w: Waiter<T>) => {
      if (w.deadline > now) return false;
      w.reject(new RaftTimeoutError(w.operation, w.timeoutMs));
      return true;
    };
    for (const [i, w] of this.confWaiters) if (expire(w)) this.confWaiters.delete(i);
    for (const [k, w] of this.reads) if (expire(w)) this.reads.delete(k);
    for (const t of this.transfers) {
      if (t.deadline <= now) {
        this.transfers.delete(t);
        t.reject(new LeadershipTransferError(`${t.target} did not become leader within ${t.timeoutMs} ms`));
      }
    }
  }

  /** Rejects every call with `err` (the node stopped). */
  failAll(err: unknown): void {
    for (const w of this.confWaiters.values()) w.reject(err);
    this.confWaiters.clear();
    for (const w of this.reads.values()) w.reject(err);
    this.reads.clear();
    for (const w of this.transfers) w.reject(err);
    this.transfers.clear();
  }
}
