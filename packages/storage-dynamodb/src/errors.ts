import { KvStorageError } from '@avs/storage-kv';

/** Base class of the errors `@avs/storage-dynamodb` throws; match on the stable `code`. */
export class DynamoStorageError extends KvStorageError {
  override readonly name: string = 'DynamoStorageError';
}

/**
 * Another storage opened the same node's partition after this one (it took a
 * higher epoch), so this one may no longer write: its conditional write of the
 * head item failed. Two processes with one node id must never both write.
 * Writes reject with `StorageFatalError` whose `cause` is this error.
 */
export class DynamoFencedError extends DynamoStorageError {
  override readonly name = 'DynamoFencedError';
  constructor(
    readonly partition: string,
    readonly epoch: number,
    options?: { cause?: unknown },
  ) {
    super(
      'DYNAMO_FENCED',
      `partition ${partition}: another storage took over after epoch ${epoch}; expected to be the only writer`,
      options,
    );
  }
}

/** A request kept failing with a retryable error (throttling, 5xx, network) after every attempt. */
export class DynamoRetriesExhaustedError extends DynamoStorageError {
  override readonly name = 'DynamoRetriesExhaustedError';
  constructor(
    readonly operation: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      'DYNAMO_RETRIES_EXHAUSTED',
      `${operation} still failed after ${attempts} attempts with backoff; the last error is the cause`,
      options,
    );
  }
}

/** The table does not exist (and `createTableIfMissing` is off) or has another key schema. */
export class DynamoTableError extends DynamoStorageError {
  override readonly name = 'DynamoTableError';
  constructor(
    readonly tableName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('DYNAMO_TABLE', `table ${tableName}: ${message}`, options);
  }
}
