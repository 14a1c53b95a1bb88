import { KvStorageError } from '@avs/storage-kv';

/**
 * The database directory is held by another open storage (LevelDB's `LOCK`
 * file): a second node process with the same data directory is refused.
 */
export class LevelLockedError extends KvStorageError {
  override readonly name = 'LevelLockedError';
  constructor(
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(
      'LEVEL_LOCKED',
      `LevelDB at ${location} is locked by another open storage; expected one process per data directory`,
      options,
    );
  }
}
