/** The engine's events and a small typed emitter (no runtime-specific APIs). */
import type { TaskRecord } from './tasks/task-state.js';

/** Events of a running engine, by name. */
export interface EngineEventMap {
  /** The known leader changed; `leaderId` is `''` while none is known. */
  'leader-change': { readonly leaderId: string; readonly term: number; readonly isSelf: boolean };
  /** A task reached a new status (aggregated, submitted, expired, failed) on this node. */
  'task-updated': { readonly task: TaskRecord };
  /** A task got its on-chain response (status `submitted`). */
  'task-completed': { readonly task: TaskRecord };
  /**
   * On the leader: a signature accepted optimistically failed the aggregate's check and was
   * removed (found by bisection); the aggregation goes on without it. `batchId` for a batch's
   * signature, `taskIndex` for a single task's.
   */
  'invalid-signature': {
    readonly operatorId: string;
    readonly digest: string;
    readonly taskIndex?: number;
    readonly batchId?: number;
  };
  /** This node refused to sign a request (validation or callback failure). */
  'request-refused': { readonly requestId: string; readonly reason: string };
  /** An operator became a learner or voter. */
  'member-joined': { readonly id: string; readonly role: 'learner' | 'voter' };
  'member-removed': { readonly id: string; readonly reason: string };
  /** The leader's autopilot made a voter a learner (unreachable, unqualified, or over `maxVoters`). */
  'member-demoted': { readonly id: string; readonly reason: string };
  /** Something failed in the background (a callback, a submission, a call); the engine carries on. */
  error: { readonly error: unknown; readonly context: string };
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** A typed event emitter; a throwing listener does not stop the others. */
export class EventEmitter<M> {
  readonly #listeners = new Map<keyof M, Set<(e: never) => void>>();

  on<E extends keyof M>(type: E, listener: (event: M[E]) => void): Unsubscribe {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as (e: never) => void);
    return () => set.delete(listener as (e: never) => void);
  }

  emit<E extends keyof M>(type: E, event: M[E]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (e: M[E]) => void)(event);
      } catch {
        // A listener's bug is the listener's; the engine must keep running.
      }
    }
  }
}
