export * from './conf-state.js';
export * from './errors.js';
export {
  createMemoryNetwork,
  type Delivery,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryNetworkStats,
  MemoryTransport,
} from './memory-network.js';
export { MemoryStorage, type MemoryStorageOptions } from './memory-storage.js';
export type { Clock, TimerHandle } from './node/clock.js';
export { ManualClock } from './node/manual-clock.js';
export { systemClock } from './node/system-clock.js';
export { createSeededRandom, type Random } from './random.js';
export type * from './state-machine.js';
export type * from './storage.js';
export type * from './transport.js';
export * from './types.js';
