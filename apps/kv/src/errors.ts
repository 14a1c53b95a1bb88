/**
 * Errors of `@avs/kv`. Each has a stable `code`, a literal `name` and the HTTP
 * status the API answers with; {@link toKvError} maps `@avs/raft-core` errors
 * to them in one place.
 */
import {
  InvalidConfChangeError,
  NodeStoppedError,
  NotLeaderError,
  OutcomeUnknownError,
  ProposalDroppedError,
  RaftTimeoutError,
} from '@avs/raft-core';

/** HTTP statuses the API answers errors with. */
export type KvErrorStatus = 400 | 404 | 409 | 413 | 415 | 421 | 500 | 503 | 504;

/** Base class of every error `@avs/kv` throws. `code` is stable; match on it. */
export class KvError extends Error {
  override readonly name: string = 'KvError';

  /**
   * @param code stable machine-readable code, e.g. `NOT_LEADER`
   * @param status HTTP status the API answers with
   * @param details extra JSON fields of the error body
   */
  constructor(
    readonly code: string,
    readonly status: KvErrorStatus,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The JSON error body: `{ code, message, ...details }`. */
  toJSON(): Record<string, unknown> {
    return { ...this.details, code: this.code, message: this.message };
  }
}

/** A request was malformed (bad JSON, wrong fields, key or value too large). */
export class KvBadRequestError extends KvError {
  override readonly name = 'KvBadRequestError';
  constructor(code: string, message: string, status: 400 | 404 | 413 | 415 = 400) {
    super(code, status, message);
  }
}

/** The key does not exist. */
export class KeyNotFoundError extends KvError {
  override readonly name = 'KeyNotFoundError';
  constructor(readonly key: string) {
    super('KEY_NOT_FOUND', 404, `key ${JSON.stringify(key)} does not exist`, { key });
  }
}

/** A compare-and-set found another value or revision than expected; nothing was written. */
export class CompareFailedError extends KvError {
  override readonly name = 'CompareFailedError';
  constructor(key: string, current: { value: string; modRevision: number } | null) {
    super(
      'COMPARE_FAILED',
      409,
      `compare-and-set on ${JSON.stringify(key)} failed: the current value differs`,
      {
        key,
        current,
      },
    );
  }
}

/**
 * This node cannot serve the request because it is not the leader. The body
 * carries the known leader's id and client URL (`leaderUrl`) when known: send
 * the request there.
 */
export class KvNotLeaderError extends KvError {
  override readonly name = 'KvNotLeaderError';
  constructor(
    readonly leader: string,
    readonly leaderUrl: string | undefined,
  ) {
    super(
      'NOT_LEADER',
      421,
      leader
        ? `this node is not the leader; send the request to ${leader}${leaderUrl ? ` at ${leaderUrl}` : ''}`
        : 'this node is not the leader and no leader is known yet; retry shortly',
      { leader: leader || null, leaderUrl: leaderUrl ?? null },
    );
  }
}

/** The cluster could not take the request now (no leader, node stopping, proposal dropped). Retrying is safe. */
export class KvUnavailableError extends KvError {
  override readonly name = 'KvUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', 503, message, {}, options);
  }
}

/** The request did not finish in time; a write's outcome is unknown (it may still be applied). */
export class KvTimeoutError extends KvError {
  override readonly name = 'KvTimeoutError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', 504, message, {}, options);
  }
}

/** A membership change was refused (unknown member, change already in progress, bad URL). */
export class MembershipError extends KvError {
  override readonly name = 'MembershipError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MEMBERSHIP_CHANGE', 409, message, {}, options);
  }
}

/** Invalid command-line flags or environment. */
export class KvConfigError extends KvError {
  override readonly name = 'KvConfigError';
  constructor(message: string) {
    super('INVALID_CONFIG', 400, message);
  }
}

/**
 * Maps an error from `@avs/raft-core` (or anything else) to a {@link KvError}.
 * @param leaderUrl resolves a leader id to its client URL, for NOT_LEADER hints
 */
export function toKvError(error: unknown, leaderUrl: (id: string) => string | undefined): KvError {
  if (error instanceof KvError) return error;
  if (error instanceof NotLeaderError) return new KvNotLeaderError(error.leader, leaderUrl(error.leader));
  if (error instanceof ProposalDroppedError) {
    return new KvUnavailableError(`the write was not accepted (${error.reason}); retrying is safe`, {
      cause: error,
    });
  }
  if (error instanceof RaftTimeoutError || error instanceof OutcomeUnknownError) {
    return new KvTimeoutError(`${error.message}`, { cause: error });
  }
  if (error instanceof NodeStoppedError) {
    return new KvUnavailableError('this node is stopping or stopped', { cause: error });
  }
  if (error instanceof InvalidConfChangeError) return new MembershipError(error.message, { cause: error });
  return new KvError('INTERNAL', 500, 'internal error', {}, { cause: error });
}
