export { DynamoBackend, type DynamoBackendConfig } from './dynamo-backend.js';
export { createDynamoStorage, type DynamoStorageOptions } from './dynamo-storage.js';
export {
  DynamoFencedError,
  DynamoRetriesExhaustedError,
  DynamoStorageError,
  DynamoTableError,
} from './errors.js';
export {
  type DynamoRetryPolicy,
  isRetryable,
  type RetryOptions,
  retryPolicy,
} from './retry-policy.js';
export {
  entrySortKey,
  HEAD_SORT_KEY,
  parseEntrySortKey,
  partitionKey,
  snapshotChunkSortKey,
} from './table-layout.js';
export { ensureTable } from './table-setup.js';
