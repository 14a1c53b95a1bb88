import { KvStorage, type KvStorageOptions } from '@avs/storage-kv';
import { DurableObjectBackend } from './durable-object-backend.js';
import type { DurableObjectStorageLike } from './durable-object-storage.js';

/** Options of {@link createDurableObjectStorage}. */
export interface DurableObjectStorageOptions extends Omit<KvStorageOptions, 'label'> {
  /** The Durable Object's `ctx.storage` (`state.storage`). */
  storage: DurableObjectStorageLike;
  /** Key prefix of this log, so other data (or other logs) can share the object. Default `raft/`. */
  prefix?: string;
  /**
   * Largest value written; entries and snapshots above it are split into parts. Default 96 KiB
   * (key-value Durable Objects refuse values over 128 KiB).
   */
  partBytes?: number;
}

/**
 * A Raft `Storage` on a Durable Object's transactional storage. Nothing is
 * read until `initialState()`.
 * @param options the object's storage, key prefix and memory budgets.
 * @returns the storage; pass it to a `RaftNode` running in the object.
 * @example
 * export class RaftObject {
 *   constructor(ctx, env) {
 *     this.storage = createDurableObjectStorage({ storage: ctx.storage, tailBytes: 8 << 20 });
 *   }
 * }
 */
export function createDurableObjectStorage(options: DurableObjectStorageOptions): KvStorage {
  const { storage, prefix = 'raft/', partBytes = 96 * 1024, ...budgets } = options;
  const backend = new DurableObjectBackend(storage, prefix, partBytes);
  return new KvStorage(backend, { ...budgets, label: `durable object storage ${JSON.stringify(prefix)}` });
}
