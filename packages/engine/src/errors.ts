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
export class ConfigError extends EngineError {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super('CONFIG_ERROR', message);
  }
}

/** A task id the replicated state does not know, or a command out of order for the task's status. */
export class TaskStateError extends EngineError {
  override readonly name = 'TaskStateError';
}
