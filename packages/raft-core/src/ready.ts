import type { Role } from './raft.js';
import type { ReadState } from './read-only.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Snapshot } from './types.js';

/** State that need not be persisted: who leads and what we are. */
export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

/**
 * One batch of work from {@link RawNode.ready}. The application must:
 * 1. send `messages` (they may go out BEFORE anything is persisted);
 * 2. persist `snapshot`, `entries` and `hardState` durably, in that order, as one write;
 * 3. only AFTER that write is durable, send `persistedMessages` and call {@link RawNode.persisted};
 * 4. restore `snapshot` into the state machine (if any), apply `committedEntries` in order, and call
 *    {@link RawNode.applied}. Committed entries may include entries of this very Ready: apply
 *    them only after step 2 finished.
 * Several Readies may be outstanding; acknowledge them in the order they were returned.
 */
export interface Ready {
  /** Sequence number, increasing by one per Ready. */
  readonly seq: number;
  /** Set when the leader or role changed since the previous Ready. */
  readonly softState?: SoftState;
  /** Set when term, vote or commit changed: persist it. */
  readonly hardState?: HardState;
  /** Entries to append to storage (replacing any stored suffix from `entries[0].index`). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  readonly snapshot?: Snapshot;
  /** Committed entries to apply, in order. */
  readonly committedEntries: readonly Entry[];
  /** Messages to send now. */
  readonly messages: readonly Message[];
  /** Messages to send only after this Ready's write is durable (votes and append acknowledgements). */
  readonly persistedMessages: readonly Message[];
  /** Linearizable reads that are ready once `applied >= index`. */
  readonly readStates: readonly ReadState[];
  /** Whether the write must be synced (false when only the commit index changed). */
  readonly mustSync: boolean;
}

/** A membership change that took effect when its entry was applied. */
export interface AppliedConfChange {
  readonly index: number;
  readonly change: ConfChange;
  /** The configuration after the change (unchanged if `error` is set). */
  readonly confState: ConfState;
  /** Set when the change could not be applied and was ignored. */
  readonly error?: Error;
  /**
   * Set when a snapshot installed after this entry was handed out already
   * carries a configuration that includes it; the change was not applied
   * again and `confState` is the snapshot's (or a later) configuration.
   */
  readonly superseded?: true;
}
