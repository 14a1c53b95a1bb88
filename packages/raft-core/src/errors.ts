import type { NodeId } from './types.js';

/** Base class of every error `@avs/raft-core` throws or rejects with. `code` is stable; match on it. */
export class RaftError extends Error {
  override readonly name: string = 'RaftError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The requested log range has been compacted into a snapshot. */
export class CompactedError extends RaftError {
  override readonly name = 'CompactedError';
  constructor(
    readonly index: number,
    readonly firstIndex: number,
  ) {
    super('COMPACTED', `log index ${index} is compacted (first available index is ${firstIndex})`);
  }
}

/**
 * The storage backend does not hold the requested range in memory yet. It is
 * loading it and will call the listener given to {@link Storage.onAvailable};
 * Raft retries then. Not a failure.
 */
export class UnavailableError extends RaftError {
  override readonly name = 'UnavailableError';
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    super('UNAVAILABLE', `log range [${lo}, ${hi}) is not in memory yet; the backend will call back`);
  }
}

/**
 * A storage write or sync failed. The node must stop: what is on disk is
 * uncertain, so nothing after this may be acknowledged.
 */
export class StorageFatalError extends RaftError {
  override readonly name = 'StorageFatalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE_FATAL', message, options);
  }
}

/** The storage has been closed. */
export class StorageClosedError extends RaftError {
  override readonly name = 'StorageClosedError';
  constructor() {
    super('STORAGE_CLOSED', 'storage is closed');
  }
}

/** A proposal or read reached a node that is not the leader. `leader` is the known leader, or `''`. */
export class NotLeaderError extends RaftError {
  override readonly name = 'NotLeaderError';
  constructor(readonly leader: NodeId) {
    super(
      'NOT_LEADER',
      leader
        ? `this node is not the leader; the leader is ${leader}`
        : 'this node is not the leader and no leader is known',
    );
  }
}

/** A configuration value is missing or out of range. */
export class RaftConfigError extends RaftError {
  override readonly name = 'RaftConfigError';
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

/** The caller used the API in a way it does not allow (wrong order, wrong argument). */
export class RaftUsageError extends RaftError {
  override readonly name = 'RaftUsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Why a proposal was dropped. */
export type DropReason =
  | 'no-leader'
  | 'forwarding-disabled'
  | 'transfer-in-progress'
  | 'uncommitted-size-exceeded'
  | 'not-in-configuration'
  | 'overwritten'
  | 'node-closed';

/**
 * A proposal was not appended, or its entry was replaced by another leader's
 * entry before it committed. Retrying is safe unless `reason` is `overwritten`
 * and the command is not idempotent (the entry did not commit, so it is not
 * applied either; retrying is safe then too).
 */
export class ProposalDroppedError extends RaftError {
  override readonly name = 'ProposalDroppedError';
  constructor(readonly reason: DropReason) {
    super('PROPOSAL_DROPPED', `the proposal was dropped: ${reason}`);
  }
}

/** A membership change is not allowed in the current (latest) configuration. */
export class InvalidConfChangeError extends RaftError {
  override readonly name = 'InvalidConfChangeError';
  constructor(message: string) {
    super('INVALID_CONF_CHANGE', `invalid membership change: ${message}`);
  }
}

/** An operation did not finish within its deadline; its outcome is unknown. */
export class RaftTimeoutError extends RaftError {
  override readonly name = 'RaftTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `${operation} did not finish within ${timeoutMs} ms; its outcome is unknown`);
  }
}

/** The node is stopped (closed or halted by a fatal storage error). */
export class NodeStoppedError extends RaftError {
  override readonly name = 'NodeStoppedError';
  constructor(options?: { cause?: unknown }) {
    super('NODE_STOPPED', 'the raft node is stopped', options);
  }
}

/** A leadership transfer did not complete (target unknown, lagging, or the election timed out). */
export class LeadershipTransferError extends RaftError {
  override readonly name = 'LeadershipTransferError';
  constructor(message: string) {
    super('TRANSFER_FAILED', `leadership transfer failed: ${message}`);
  }
}

/**
 * The node cannot tell whether a proposal was applied: its entry's index was
 * covered by a snapshot installed from the leader before this node applied
 * it. Check the application state, or make the command idempotent and retry.
 */
export class OutcomeUnknownError extends RaftError {
  override readonly name = 'OutcomeUnknownError';
  constructor(readonly index: number) {
    super(
      'OUTCOME_UNKNOWN',
      `the outcome of the proposal at index ${index} is unknown: a snapshot replaced it`,
    );
  }
}
