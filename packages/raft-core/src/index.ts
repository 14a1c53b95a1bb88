export * from './conf-state.js';
export { decodeConfChange, encodeConfChange } from './confchange/codec.js';
export { RAFT_CONFIG_DEFAULTS, type RaftConfig } from './config.js';
export * from './errors.js';
export { type Logger, silentLogger } from './logger.js';
export {
  createMemoryNetwork,
  type Delivery,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryNetworkStats,
  MemoryTransport,
} from './memory-network.js';
export { MemoryStorage, type MemoryStorageOptions } from './memory-storage.js';
export { type BootstrapMembers, bootstrapStorage } from './node/bootstrap.js';
export { type Clock, sleep, type TimerHandle } from './node/clock.js';
export type { RaftNodeEventMap, Unsubscribe } from './node/events.js';
export { ManualClock } from './node/manual-clock.js';
export { RAFT_NODE_DEFAULTS, type RaftNodeConfig } from './node/node-config.js';
export { type CallOptions, RaftNode, type RaftNodeOptions, type RaftNodeStatus } from './node/raft-node.js';
export { systemClock } from './node/system-clock.js';
export type { Role } from './raft.js';
export { createSeededRandom, type Random } from './random.js';
export { type ProposalPosition, RawNode } from './raw-node.js';
export type { ReadOnlyOption, ReadState } from './read-only.js';
export type { AppliedConfChange, Ready, SoftState } from './ready.js';
export type * from './state-machine.js';
export type { ProgressStatus, RaftStatus } from './status.js';
export type * from './storage.js';
export type { ProgressState } from './tracker/progress.js';
export type * from './transport.js';
export * from './types.js';
