/**
 * The conformance suite every `@avs/raft-core` `Storage` backend runs, plus
 * the pieces it is built from (reference model, Unavailable-aware reader,
 * deterministic fixtures) for a backend's own tests.
 */
export { describeStorageConformance } from './conformance-suite.js';
export { type CrashLine, formatCrashLine, parseCrashLine } from './crash-protocol.js';
export {
  EMPTY_CONF_STATE,
  EMPTY_HARD_STATE,
  entryPayload,
  makeEntries,
  makeEntry,
  makeSnapshot,
  TEST_CONF_STATE,
} from './fixtures.js';
export {
  expectInitialState,
  expectMatches,
  expectThrowsCode,
  Harness,
  type OpenedStorage,
  type OpenMode,
} from './harness.js';
export { EMPTY_SNAPSHOT, LogModel } from './log-model.js';
export {
  digest,
  expectedState,
  modelFromStorage,
  type ObservedState,
  observe,
  type PlainEntry,
  plainEntry,
  plainSnapshot,
} from './model-check.js';
export {
  type Operation,
  type OperationDescription,
  operationFrom,
  randomOperation,
} from './random-operations.js';
export { SeededRandom } from './seeded-random.js';
export type {
  ConformanceCase,
  ConformanceOptions,
  CrashChildModule,
  CrashOptions,
  FaultyStorage,
  StorageFactory,
} from './storage-factory.js';
export { hasErrorCode, StorageReader, type StorageReaderOptions } from './storage-reader.js';
export { temporaryDirectories } from './temporary-directories.js';
