import type { Clock } from '@avs/raft-core';

/**
 * raft-core's {@link Clock} with `now()` in Unix epoch milliseconds (`Date.now()`): handshake and
 * request timestamps, and the engine's task and join expiries, are compared across machines. Not in
 * raft-core, whose sources never read the date (they stay deterministic); it steps when the system
 * time is set, so use it only where time must agree between machines.
 */
export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
