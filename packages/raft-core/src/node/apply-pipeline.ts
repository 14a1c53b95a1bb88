import type { Ready } from '../ready.js';
import type { StateMachine } from '../state-machine.js';
import type { Entry, Snapshot } from '../types.js';
import { EntryType } from '../types.js';
import type { ProposalTracker } from './proposal-tracker.js';

/** Reused for scheduling: `RESOLVED.then(fn)` is the cheapest portable microtask. */
export const RESOLVED: Promise<void> = Promise.resolve();

/** What {@link ApplyPipeline} needs from the node that drives it. */
export interface ApplyHost<R> {
  readonly sm: StateMachine<R>;
  readonly tracker: ProposalTracker<R>;
  isStopped(): boolean;
  /** The state machine was restored from `snap`: what it covers is applied. */
  snapshotRestored(snap: Snapshot): void;
  /** `rd`'s committed entries are applied: tell the core, settle waiters, maybe take a snapshot. */
  finishApply(rd: Ready): Promise<void> | undefined;
  /** An asynchronous apply finished: run the node's processing loop again. */
  process(): void;
  /** Stops the node with a fatal error. */
  stop(err: unknown): void;
}

/**
 * The apply half of {@link RaftNode}'s Ready pipeline: persisted Readies wait here and are
 * applied to the state machine in order, each committed entry exactly once. Applying is
 * synchronous unless the state machine answers with a promise; then the next Ready waits for it.
 */
export class ApplyPipeline<R> {
  /** Persisted Readies waiting to be applied, in order. */
  private unapplied: Ready[] = [];
  private applying = false;
  /** The asynchronous apply in flight (settled when idle); `close` waits for it. */
  queue: Promise<void> = RESOLVED;

  constructor(private readonly host: ApplyHost<R>) {}

  /** `rd` is persisted: apply it after the ones before it. */
  push(rd: Ready): void {
    this.unapplied.push(rd);
  }

  /** Drops what waits (the node stopped). */
  clear(): void {
    this.unapplied = [];
  }

  /** Applies persisted Readies in order; stops at one the state machine handles asynchronously. */
  pump(): void {
    while (!this.applying && !this.host.isStopped() && this.unapplied.length > 0) {
      const rd = this.unapplied.shift()!;
      const pending = this.applyReady(rd);
      if (pending !== undefined) {
        this.applying = true;
        this.queue = pending.then(
          () => {
            this.applying = false;
            this.host.process();
          },
          (err) => {
            this.applying = false;
            this.host.stop(err);
          },
        );
        return;
      }
    }
  }

  /** Applies one persisted Ready; returns a promise only when the state machine answers asynchronously. */
  private applyReady(rd: Ready): Promise<void> | undefined {
    const snap = rd.snapshot;
    if (snap) {
      return Promise.resolve(this.host.sm.restore(snap.data)).then(() => {
        if (this.host.isStopped()) return undefined;
        this.host.snapshotRestored(snap);
        return this.applyFrom(rd, 0);
      });
    }
    return this.applyFrom(rd, 0);
  }

  /**
   * Applies `rd.committedEntries` from position `from`: runs of normal entries
   * go to the state machine as one call each. Synchronous unless the state
   * machine returns a promise.
   */
  private applyFrom(rd: Ready, from: number): Promise<void> | undefined {
    const ents = rd.committedEntries;
    let i = from;
    while (i < ents.length) {
      const e = ents[i]!;
      if (e.type !== EntryType.Normal || e.data.byteLength === 0) {
        this.host.tracker.settle(e, undefined as R);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < ents.length && ents[j]!.type === EntryType.Normal && ents[j]!.data.byteLength > 0) j++;
      const run = i === 0 && j === ents.length ? ents : ents.slice(i, j);
      const results = this.host.sm.apply(run);
      if (!Array.isArray(results)) {
        const next = j;
        return Promise.resolve(results).then((res) => {
          this.settleRun(run, res);
          return this.host.isStopped() ? undefined : this.applyFrom(rd, next);
        });
      }
      this.settleRun(run, results);
      i = j;
    }
    if (this.host.isStopped()) return undefined;
    return this.host.finishApply(rd);
  }

  private settleRun(run: readonly Entry[], results: readonly R[]): void {
    for (let k = 0; k < run.length; k++) this.host.tracker.settle(run[k]!, results[k] as R);
  }
}
