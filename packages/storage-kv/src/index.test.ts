import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/storage-kv exports', () => {
  it('exports exactly the documented API (change deliberately)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ColdCache',
      'EMPTY_HARD_STATE',
      'EMPTY_LOG_STATE',
      'EMPTY_SNAPSHOT',
      'EMPTY_SNAPSHOT_METADATA',
      'EntryTail',
      'KvStorage',
      'KvStorageError',
      'StorageCorruptError',
      'checkLogState',
      'entrySize',
      'isCount',
      'planCompact',
      'planCreateSnapshot',
      'planSave',
    ]);
  });
});
