import { FileStorageOptionsError } from './errors.js';
import type { FileOps } from './file-ops.js';
import { consoleLogger, type StorageLogger } from './storage-logger.js';

/** Options of `FileStorage.open`. */
export interface FileStorageOptions {
  /** Directory of the log (created if missing). One storage per directory: a lock file enforces it. */
  readonly dir: string;
  /** A segment is closed and a new one started once it reaches this size. Default 64 MiB; at least 4 KiB. */
  readonly segmentBytes?: number;
  /**
   * Bytes of entry data kept in memory (the log's tail plus recent cold reads). Older entries are read
   * from disk on demand (`UnavailableError`, then `onAvailable`). Default 64 MiB; 0 keeps nothing but
   * the range being read.
   */
  readonly cacheBytes?: number;
  /** Where torn tails, stale locks and removed orphans are reported. Default: the console. */
  readonly logger?: StorageLogger;
  /** File-system calls to use instead of `node:fs/promises` (fault injection in tests). */
  readonly fs?: Partial<FileOps>;
}

/** Options with defaults filled in. */
export interface ResolvedOptions {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly cacheBytes: number;
  readonly logger: StorageLogger;
  readonly fs: Partial<FileOps>;
}

/**
 * Validates options and fills in defaults.
 * @throws FileStorageOptionsError saying which option is wrong and what was expected.
 */
export function resolveOptions(options: FileStorageOptions): ResolvedOptions {
  if (typeof options?.dir !== 'string' || options.dir.length === 0) {
    throw new FileStorageOptionsError('dir: expected a non-empty directory path');
  }
  const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 4096) {
    throw new FileStorageOptionsError(`segmentBytes: expected an integer >= 4096, got ${segmentBytes}`);
  }
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(cacheBytes) || cacheBytes < 0) {
    throw new FileStorageOptionsError(`cacheBytes: expected an integer >= 0, got ${cacheBytes}`);
  }
  return {
    dir: options.dir,
    segmentBytes,
    cacheBytes,
    logger: options.logger ?? consoleLogger,
    fs: options.fs ?? {},
  };
}
