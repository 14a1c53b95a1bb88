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
