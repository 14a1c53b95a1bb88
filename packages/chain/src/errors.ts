/** Base class of every error thrown by @avs/chain; `code` is stable, `name` is literal. */
export class ChainError extends Error {
  override readonly name: string = 'ChainError';
  readonly code: string = 'CHAIN_ERROR';
}

/** An argument was malformed or out of range (nothing was sent). */
export class InvalidArgumentError extends ChainError {
  override readonly name = 'InvalidArgumentError' as const;
  override readonly code = 'INVALID_ARGUMENT' as const;
}

/** Data read from the chain did not have the expected shape or failed validation (e.g. a bad point). */
export class InvalidChainDataError extends ChainError {
  override readonly name = 'InvalidChainDataError' as const;
  override readonly code = 'INVALID_CHAIN_DATA' as const;
}

/** An RPC call kept failing with transient errors after every retry. */
export class RpcUnavailableError extends ChainError {
  override readonly name = 'RpcUnavailableError' as const;
  override readonly code = 'RPC_UNAVAILABLE' as const;
}

/** A contract call or transaction reverted; `errorName`/`errorArgs` hold the decoded custom error. */
export class ContractRevertError extends ChainError {
  override readonly name = 'ContractRevertError' as const;
  override readonly code = 'CONTRACT_REVERT' as const;
  /** The custom error's name (e.g. 'QuorumThresholdNotMet'), or undefined if it could not be decoded. */
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[];
  constructor(
    message: string,
    errorName: string | undefined,
    errorArgs: readonly unknown[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

/** The task already has its (single) on-chain response. */
export class TaskAlreadyRespondedError extends ChainError {
  override readonly name = 'TaskAlreadyRespondedError' as const;
  override readonly code = 'TASK_ALREADY_RESPONDED' as const;
  readonly taskIndex: number;
  constructor(taskIndex: number) {
    super(`task ${taskIndex} already has an on-chain response`);
    this.taskIndex = taskIndex;
  }
}

/** This client is already submitting a response for the task. */
export class SubmissionInProgressError extends ChainError {
  override readonly name = 'SubmissionInProgressError' as const;
  override readonly code = 'SUBMISSION_IN_PROGRESS' as const;
  readonly taskIndex: number;
  constructor(taskIndex: number) {
    super(`a response for task ${taskIndex} is already being submitted by this client`);
    this.taskIndex = taskIndex;
  }
}

/** No task with that index exists on-chain. */
export class TaskNotFoundError extends ChainError {
  override readonly name = 'TaskNotFoundError' as const;
  override readonly code = 'TASK_NOT_FOUND' as const;
}

/** A signed operator message failed verification (signature, signer, expiry or shape). */
export class InvalidOperatorMessageError extends ChainError {
  override readonly name = 'InvalidOperatorMessageError' as const;
  override readonly code = 'INVALID_OPERATOR_MESSAGE' as const;
}
