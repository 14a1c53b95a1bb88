export { ColdCache } from './cold-cache.js';
export { entrySize } from './entry-size.js';
export { EntryTail } from './entry-tail.js';
export { KvStorageError, StorageCorruptError } from './errors.js';
export type { KvBackend, LoadedLog } from './kv-backend.js';
export { KvStorage, type KvStorageOptions } from './kv-storage.js';
export {
  EMPTY_HARD_STATE,
  EMPTY_LOG_STATE,
  EMPTY_SNAPSHOT,
  EMPTY_SNAPSHOT_METADATA,
  type LogChange,
  type LogPosition,
  type LogState,
  planCompact,
  planCreateSnapshot,
  planSave,
} from './log-state.js';
export { checkLogState, isCount } from './log-state-check.js';
