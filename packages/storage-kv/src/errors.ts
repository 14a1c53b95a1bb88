import { RaftError } from '@avs/raft-core';

/**
 * Base class of the errors `@avs/storage-kv` and the backends built on it throw
 * besides raft-core's own (`CompactedError`, `UnavailableError`,
 * `StorageFatalError`, `StorageClosedError`). Match on the stable `code`.
 */
export class KvStorageError extends RaftError {
  override readonly name: string = 'KvStorageError';
}

/**
 * A call broke the `Storage` contract (an index outside the log, a gap in
 * appended entries, an out-of-date snapshot). A caller bug: nothing was
 * written and the storage stays usable.
 */
export class StorageArgumentError extends KvStorageError {
  override readonly name = 'StorageArgumentError';
  constructor(message: string) {
    super('STORAGE_ARGUMENT', message);
  }
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
