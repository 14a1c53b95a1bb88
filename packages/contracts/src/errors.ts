/** Base class of every error thrown by @avs/contracts; `code` is stable, `name` is literal. */
export class ContractsError extends Error {
  override readonly name: string = 'ContractsError';
  readonly code: string = 'CONTRACTS_ERROR';
}

/** The anvil binary for this platform could not be found. */
export class AnvilNotFoundError extends ContractsError {
  override readonly name = 'AnvilNotFoundError' as const;
  override readonly code = 'ANVIL_NOT_FOUND' as const;
}

/** anvil exited or did not report its address before the start timeout. */
export class AnvilStartError extends ContractsError {
  override readonly name = 'AnvilStartError' as const;
  override readonly code = 'ANVIL_START_FAILED' as const;
  /** The last lines anvil printed, for diagnosis. */
  readonly output: string;
  constructor(message: string, output: string, options?: ErrorOptions) {
    super(message, options);
    this.output = output;
  }
}

/** A deployment transaction failed or produced no contract. */
export class DeploymentError extends ContractsError {
  override readonly name = 'DeploymentError' as const;
  override readonly code = 'DEPLOYMENT_FAILED' as const;
}

/** Options passed to a function were out of range. */
export class InvalidOptionsError extends ContractsError {
  override readonly name = 'InvalidOptionsError' as const;
  override readonly code = 'INVALID_OPTIONS' as const;
}
