import { BlsError } from '../errors.js';

/** A task with this index is already being aggregated. */
export class TaskExistsError extends BlsError {
  override readonly name = 'TaskExistsError';
  constructor(readonly taskIndex: number) {
    super('TASK_EXISTS', `task ${taskIndex} is already initialised`);
  }
}

/** No task with this index is known (never initialised, or finished long ago). */
export class UnknownTaskError extends BlsError {
  override readonly name = 'UnknownTaskError';
  constructor(readonly taskIndex: number) {
    super('UNKNOWN_TASK', `task ${taskIndex} is not initialised in the aggregation service`);
  }
}

/** The task already has its terminal result; the signature came too late. */
export class TaskFinishedError extends BlsError {
  override readonly name = 'TaskFinishedError';
  constructor(
    readonly taskIndex: number,
    readonly status: string,
  ) {
    super('TASK_FINISHED', `task ${taskIndex} is finished (${status}); signature not accepted`);
  }
}

/** The task parameters are malformed (bad quorum numbers, thresholds, expiry). */
export class InvalidTaskError extends BlsError {
  override readonly name = 'InvalidTaskError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_TASK', message, options);
  }
}

/** The operator state provider failed or returned inconsistent state. */
export class OperatorStateError extends BlsError {
  override readonly name = 'OperatorStateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('OPERATOR_STATE', message, options);
  }
}

/** The operator id is not registered at the task's reference block. */
export class UnknownOperatorError extends BlsError {
  override readonly name = 'UnknownOperatorError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super(
      'UNKNOWN_OPERATOR',
      `operator ${operatorId} is not registered at the reference block of task ${taskIndex}`,
    );
  }
}

/** The operator is registered but in none of the task's quorums. */
export class OperatorNotInQuorumError extends BlsError {
  override readonly name = 'OperatorNotInQuorumError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super('OPERATOR_NOT_IN_QUORUM', `operator ${operatorId} is in none of the quorums of task ${taskIndex}`);
  }
}

/** The operator already submitted this signature for this task and digest. */
export class DuplicateSignatureError extends BlsError {
  override readonly name = 'DuplicateSignatureError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super('DUPLICATE_SIGNATURE', `operator ${operatorId} already signed task ${taskIndex}`);
  }
}

/** The operator signed a different digest for this task earlier (both signatures valid): equivocation. */
export class EquivocationError extends BlsError {
  override readonly name = 'EquivocationError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super('EQUIVOCATION', `operator ${operatorId} signed two different digests for task ${taskIndex}`);
  }
}

/** The signature does not verify against the operator's G2 key (checked individually). */
export class InvalidSignatureError extends BlsError {
  override readonly name = 'InvalidSignatureError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super('INVALID_SIGNATURE', `signature of operator ${operatorId} for task ${taskIndex} does not verify`);
  }
}

/** The operator sent too many signatures that failed verification for this task; further ones are refused unchecked. */
export class TooManyInvalidSignaturesError extends BlsError {
  override readonly name = 'TooManyInvalidSignaturesError';
  constructor(
    readonly taskIndex: number,
    readonly operatorId: string,
  ) {
    super(
      'TOO_MANY_INVALID_SIGNATURES',
      `operator ${operatorId} sent too many invalid signatures for task ${taskIndex}`,
    );
  }
}

/** The service was closed. */
export class ServiceClosedError extends BlsError {
  override readonly name = 'ServiceClosedError';
  constructor() {
    super('SERVICE_CLOSED', 'the aggregation service is closed');
  }
}
