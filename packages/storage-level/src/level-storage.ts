import { KvStorage, type KvStorageOptions } from '@avs/storage-kv';
import { LevelBackend } from './level-backend.js';

/** Options of {@link createLevelStorage}. */
export interface LevelStorageOptions extends Omit<KvStorageOptions, 'label'> {
  /** Directory of the LevelDB database; created if missing. One open storage per directory. */
  location: string;
  /** Snapshot data is stored in values of this size. Default 1 MiB. */
  snapshotChunkBytes?: number;
}

/**
 * A Raft `Storage` on LevelDB. Nothing is opened until `initialState()`.
 * @param options the database directory and memory budgets.
 * @returns the storage; pass it to a `RaftNode`, or use it directly.
 * @example
 * const storage = createLevelStorage({ location: '/var/lib/avs/raft' });
 * const { hardState, snapshotMetadata } = await storage.initialState();
 */
export function createLevelStorage(options: LevelStorageOptions): KvStorage {
  const { location, snapshotChunkBytes, ...budgets } = options;
  const backend = new LevelBackend(location, snapshotChunkBytes ?? 1024 * 1024);
  return new KvStorage(backend, { ...budgets, label: `leveldb ${location}` });
}
