/**
 * `@avs/storage-file`: the default durable `Storage` for `@avs/raft-core`, a
 * segmented, checksummed write-ahead log on local files.
 */
export { crc32c } from './crc32c.js';
export {
  CorruptionError,
  DirectoryLockedError,
  FileStorageError,
  FileStorageOptionsError,
} from './errors.js';
export { type FileLike, type FileOps, nodeFileOps } from './file-ops.js';
export { FileStorage } from './file-storage.js';
export type { FileStorageOptions } from './options.js';
export { consoleLogger, type StorageLogger } from './storage-logger.js';
