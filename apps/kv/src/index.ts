/**
 * `@avs/kv`: a replicated key-value server built from `@avs/raft-core`, a
 * storage backend and `@avs/transport-http`. The pieces are exported so the
 * store can also run in-process (tests, benchmarks) or be embedded.
 */
export {
  type Compare,
  commandSchema,
  compareSchema,
  decodeCommand,
  encodeCommand,
  type KvCommand,
  type KvRecord,
  type KvResult,
  MAX_KEY_LENGTH,
  MAX_VALUE_LENGTH,
  type MemberInfo,
  memberInfoSchema,
} from './commands.js';
export { DEFAULT_KV_ENTRY } from './entry.js';
export {
  CompareFailedError,
  KeyNotFoundError,
  KvBadRequestError,
  KvConfigError,
  KvError,
  type KvErrorStatus,
  KvNotLeaderError,
  KvTimeoutError,
  KvUnavailableError,
  MembershipError,
  toKvError,
} from './errors.js';
export { createJsonLogger, type LogLevel } from './json-logger.js';
export { createKvApi, MAX_BODY_BYTES } from './kv-api.js';
export { KvClient, type KvClientOptions, type KvGetResult } from './kv-client.js';
export {
  type KvMembership,
  KvNode,
  type KvNodeOptions,
  type KvNodeStatus,
  type KvRead,
  type PeerLinks,
  type ReadConsistency,
} from './kv-node.js';
export { type RunningKvServer, startKvServer } from './kv-server.js';
export {
  KvSnapshotError,
  KvStateMachine,
  type KvStateMachineOptions,
  type KvStats,
} from './kv-state-machine.js';
export { type KvServerConfig, parseServerConfig, type StorageBackend, USAGE } from './server-config.js';
