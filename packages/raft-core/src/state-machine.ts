import type { Entry } from './types.js';

/**
 * The application state Raft replicates. `apply` is called with committed
 * entries exactly once each, in log order; it must only change state (no I/O
 * that can block other nodes) and be deterministic, because every node applies
 * the same entries.
 *
 * @typeParam R the result handed back to whoever proposed the entry
 */
export interface StateMachine<R = unknown> {
  /** Applies committed normal entries (non-empty data) in order; returns one result per entry. */
  apply(entries: readonly Entry[]): R[] | Promise<R[]>;
  /** Serialises the whole state as of the last applied entry. */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot's. */
  restore(data: Uint8Array): void | Promise<void>;
}
