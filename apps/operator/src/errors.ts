/** Base class of the operator program's errors. `code` is stable. */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A config file or flag is wrong: the message names the field and what is expected. */
export class OperatorConfigError extends OperatorError {
  override readonly name = 'OperatorConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('OPERATOR_CONFIG', message, options);
  }
}

/** A key file could not be read, decrypted or written. */
export class KeyFileError extends OperatorError {
  override readonly name = 'KeyFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_FILE', message, options);
  }
}

/** A command-line usage mistake. */
export class UsageError extends OperatorError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A check before start failed (RPC, chain id, contract code, registration): the message says what to fix. */
export class StartupCheckError extends OperatorError {
  override readonly name = 'StartupCheckError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('STARTUP_CHECK', message, options);
  }
}
