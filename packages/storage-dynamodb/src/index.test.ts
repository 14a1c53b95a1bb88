import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/storage-dynamodb exports', () => {
  it('exports exactly the documented API (change deliberately)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DynamoBackend',
      'DynamoFencedError',
      'DynamoRetriesExhaustedError',
      'DynamoStorageError',
      'DynamoTableError',
      'HEAD_SORT_KEY',
      'createDynamoStorage',
      'ensureTable',
      'entrySortKey',
      'isRetryable',
      'parseEntrySortKey',
      'partitionKey',
      'retryPolicy',
      'snapshotChunkSortKey',
    ]);
  });
});
