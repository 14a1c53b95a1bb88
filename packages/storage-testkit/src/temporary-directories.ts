import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageFactory } from './storage-factory.js';

/**
 * `createLocation`/`removeLocation` for directory-based backends: a fresh
 * directory under the OS temp dir per test, removed afterwards.
 * @param prefix directory name prefix, e.g. `'storage-file-'`.
 * @example
 * describeStorageConformance('storage-file', { ...temporaryDirectories('sf-'), open: (dir) => FileStorage.open({ dir }) });
 */
export function temporaryDirectories(
  prefix: string,
): Pick<StorageFactory, 'createLocation' | 'removeLocation'> {
  return {
    createLocation: () => mkdtemp(join(tmpdir(), prefix)),
    removeLocation: (location) => rm(location, { recursive: true, force: true }),
  };
}
