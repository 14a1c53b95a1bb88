import { RaftError } from '@avs/raft-core';

/**
 * Base class of the errors `@avs/storage-file` adds. Write failures are
 * raft-core's `StorageFatalError` (code `STORAGE_FATAL`), closed-storage use
 * is `StorageClosedError`, so callers match them like any other backend's.
 */
export class FileStorageError extends RaftError {
  override readonly name: string = 'FileStorageError';
}

/**
 * A log or snapshot file is damaged somewhere other than a torn tail: the
 * storage refuses to open rather than silently drop committed entries.
 */
export class CorruptionError extends FileStorageError {
  override readonly name = 'CorruptionError';

  /**
   * @param file absolute path of the damaged file.
   * @param offset byte offset of the damaged record in that file.
   * @param reason what was expected and what was found.
   */
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      'CORRUPT',
      `${file} is corrupt at byte offset ${offset}: ${reason}; refusing to open (restore the file or the node from a peer)`,
    );
  }
}

/** Another live process (or another storage in this process) holds the directory's lock. */
export class DirectoryLockedError extends FileStorageError {
  override readonly name = 'DirectoryLockedError';

  /**
   * @param dir the storage directory.
   * @param pid the process id written in the lock file.
   */
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      'DIRECTORY_LOCKED',
      `${dir} is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}; expected no other storage on this directory`,
    );
  }
}

/** Options given to `FileStorage.open` are invalid. */
export class FileStorageOptionsError extends FileStorageError {
  override readonly name = 'FileStorageOptionsError';

  constructor(message: string) {
    super('INVALID_OPTIONS', message);
  }
}
