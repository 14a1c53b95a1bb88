/**
 * Raft log storage on Cloudflare Durable Objects: `@avs/storage-kv`'s shared
 * in-memory half over one storage transaction per write.
 */
export {
  createDurableObjectStorage,
  type DurableObjectStorageOptions,
} from './create-durable-object-storage.js';
export { DurableObjectBackend } from './durable-object-backend.js';
export { DurableObjectKeys } from './durable-object-keys.js';
export type {
  DurableObjectKvOperations,
  DurableObjectListOptions,
  DurableObjectStorageLike,
} from './durable-object-storage.js';
