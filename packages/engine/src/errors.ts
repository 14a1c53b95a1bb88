/** Base class of every error `@avs/engine` throws. Match on `code`, which is stable. */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

/** A log entry or wire message did not match the expected shape. */
export class DecodeError extends EngineError {
  override readonly name = 'DecodeError';
  constructor(what: string, issue: string, options?: { cause?: unknown }) {
    super('DECODE_ERROR', `invalid ${what}: ${issue}`, options);
  }
}

/** A configuration value is missing or wrong; the message names the field and what is expected. */
export class EngineConfigError extends EngineError {
  override readonly name = 'EngineConfigError';
  constructor(message: string) {
    super('CONFIG_ERROR', message);
  }
}

/** A task id the replicated state does not know, or a command out of order for the task's status. */
export class TaskStateError extends EngineError {
  override readonly name = 'TaskStateError';
}

/** The engine was used before `initializeRaftRpcServer`, or after `close()`. */
export class EngineStateError extends EngineError {
  override readonly name = 'EngineStateError';
  constructor(code: 'NOT_STARTED' | 'ALREADY_STARTED' | 'CLOSED', message: string) {
    super(code, message);
  }
}

/** An operation only the leader may do reached a node that does not lead. */
export class EngineNotLeaderError extends EngineError {
  override readonly name = 'EngineNotLeaderError';
  /** The leader this node knows of (lowercase address), or `''`. */
  readonly leaderId: string;
  constructor(leaderId: string, operation: string) {
    super(
      'NOT_LEADER',
      leaderId
        ? `${operation} must run on the leader; this node is not the leader, ${leaderId} is`
        : `${operation} must run on the leader; this node is not the leader and no leader is known`,
      { details: { leaderId } },
    );
    this.leaderId = leaderId;
  }
}

/** Why a join request was refused. */
export type JoinRefusal =
  | 'MALFORMED'
  | 'WRONG_DOMAIN'
  | 'EXPIRED'
  | 'STALE_BLOCK'
  | 'FORGED'
  | 'REPLAYED'
  | 'UNREGISTERED'
  | 'OPERATOR_ID_MISMATCH'
  | 'INSUFFICIENT_STAKE'
  | 'ENDPOINT_MISMATCH'
  | 'ENDPOINT_REFUSED'
  | 'ENDPOINT_IN_USE'
  | 'ALREADY_MEMBER'
  | 'UNAVAILABLE'
  /** The joiner's own refusal: the answer is unsigned, forged, altered, for another request, or signed by a non-member or unregistered operator. */
  | 'ANSWER_UNAUTHENTICATED';

/** A join request was refused; `reason` says why (stable). */
export class JoinRefusedError extends EngineError {
  override readonly name = 'JoinRefusedError';
  readonly reason: JoinRefusal;
  constructor(reason: JoinRefusal, message: string, options?: { cause?: unknown }) {
    super(`JOIN_${reason}`, `join refused: ${message}`, { ...options, details: { reason } });
    this.reason = reason;
  }
}

/** Why one signed task response was refused by the leader. */
export type ResponseRefusal =
  | 'MALFORMED'
  | 'NOT_MEMBER'
  | 'OPERATOR_MISMATCH'
  | 'UNKNOWN_REQUEST'
  | 'UNKNOWN_TASK'
  | 'TASK_FINAL'
  | 'SIGNATURE_REFUSED';

/** One response in a submission was refused (the others are judged on their own). */
export class ResponseRefusedError extends EngineError {
  override readonly name = 'ResponseRefusedError';
  readonly reason: ResponseRefusal;
  constructor(reason: ResponseRefusal, message: string, options?: { cause?: unknown }) {
    super(`RESPONSE_${reason}`, message, { ...options, details: { reason } });
    this.reason = reason;
  }
}

/** A call to another engine failed (unreachable, timed out, or answered with an error). */
export class PeerCallError extends EngineError {
  override readonly name = 'PeerCallError';
  /** The remote error code when the peer answered, else `UNREACHABLE` / `TIMEOUT`. */
  readonly remoteCode: string;
  constructor(peer: string, remoteCode: string, message: string, options?: { cause?: unknown }) {
    super('PEER_CALL_FAILED', `call to ${peer} failed (${remoteCode}): ${message}`, {
      ...options,
      details: { peer, remoteCode },
    });
    this.remoteCode = remoteCode;
  }
}

/** An application callback threw or returned something invalid. */
export class CallbackError extends EngineError {
  override readonly name = 'CallbackError';
  constructor(callback: string, message: string, options?: { cause?: unknown }) {
    super('CALLBACK_FAILED', `${callback}: ${message}`, options);
  }
}

/** A leadership transfer did not happen. */
export class ElectionError extends EngineError {
  override readonly name = 'ElectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ELECTION_FAILED', message, options);
  }
}

/** The on-chain submitter failed. `permanent` says whether retrying can help. */
export class SubmissionError extends EngineError {
  override readonly name = 'SubmissionError';
  readonly permanent: boolean;
  /** The task already has a response on-chain (another leader's): not a failure of the task. */
  readonly alreadyResponded: boolean;
  constructor(
    message: string,
    permanent: boolean,
    options?: { cause?: unknown; alreadyResponded?: boolean },
  ) {
    super(
      options?.alreadyResponded
        ? 'ALREADY_RESPONDED'
        : permanent
          ? 'SUBMISSION_REFUSED'
          : 'SUBMISSION_FAILED',
      message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.permanent = permanent;
    this.alreadyResponded = options?.alreadyResponded ?? false;
  }
}

/**
 * A node configured to bootstrap found a cluster (or a bootstrapper it defers to) among the
 * registered operators and did not found a second one. Join it instead.
 */
export class ClusterExistsError extends EngineError {
  override readonly name = 'ClusterExistsError';
  constructor(
    /** The cluster id the other node is configured with. */
    readonly clusterId: string,
    /** The node found: the cluster's leader (or the answering member), or the lower-address bootstrapper. */
    readonly foundNode: string,
    /** What it answered: `member`, `founding`, or `probing` (a lower-address bootstrapper). */
    readonly state: 'member' | 'founding' | 'probing',
  ) {
    super(
      'CLUSTER_EXISTS',
      state === 'probing'
        ? `not founding a cluster: operator ${foundNode} (a lower address) is founding cluster '${clusterId}' at the same time; join it`
        : `not founding a cluster: cluster '${clusterId}' exists (${state === 'member' ? 'leader or member' : 'being founded by'} ${foundNode}); join it`,
      { details: { clusterId, foundNode, state } },
    );
  }
}
