import { RaftError } from '@avs/raft-core';

/**
 * Base class of the errors `@avs/storage-kv` and the backends built on it throw
 * besides raft-core's own (`CompactedError`, `UnavailableError`,
 * `StorageFatalError`, `StorageClosedError`, and `RaftUsageError` for a call that
 * breaks the `Storage` contract). Match on the stable `code`.
 */
export class KvStorageError extends RaftError {
  override readonly name: string = 'KvStorageError';
}

/**
 * What the backend holds does not decode or is inconsistent (a missing entry
 * inside the log, a malformed record). Thrown when opening or loading; the
 * storage refuses to guess rather than drop or invent entries.
 */
export class StorageCorruptError extends KvStorageError {
  override readonly name = 'StorageCorruptError';
  constructor(
    /** Where the bad data is: a key, an item, an index. */
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('STORAGE_CORRUPT', `${location}: ${message}`, options);
  }
}
