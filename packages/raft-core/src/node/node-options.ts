/** What {@link RaftNode} takes: its options, per-call options, and the status it reports. */
import type { Logger } from '../logger.js';
import type { Random } from '../random.js';
import type { StateMachine } from '../state-machine.js';
import type { RaftStatus } from '../status.js';
import type { Storage } from '../storage.js';
import type { Transport } from '../transport.js';
import type { NodeId } from '../types.js';
import type { BootstrapMembers } from './bootstrap.js';
import type { Clock } from './clock.js';
import type { RaftNodeConfig } from './node-config.js';

/** What {@link RaftNode.create} needs. */
export interface RaftNodeOptions<R = unknown> {
  /** This node's id (unique in the cluster). */
  readonly id: NodeId;
  readonly storage: Storage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  /** Time source; default the runtime's timers ({@link systemClock}). */
  readonly clock?: Clock;
  /** Seed of the election-timeout jitter; default derived from the id. Ignored when `random` is given. */
  readonly seed?: number;
  readonly random?: Random;
  readonly logger?: Logger;
  readonly config?: RaftNodeConfig;
  /**
   * Founding members: when storage is empty, it is bootstrapped with them
   * (every founding member must get the same list). Omit on restart and on
   * nodes that join later.
   */
  readonly bootstrap?: BootstrapMembers;
}

/** Per-call options of `propose`, `readIndex` and membership changes. */
export interface CallOptions {
  /** Deadline in ms (default from the config). On expiry the call rejects with RaftTimeoutError. */
  readonly timeoutMs?: number;
}

/** {@link RaftStatus} plus the driver's state. */
export interface RaftNodeStatus extends RaftStatus {
  /** Whether the node has stopped (closed or fatal error). */
  readonly stopped: boolean;
}
