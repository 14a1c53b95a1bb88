/**
 * The aggregation service's time: raft-core's {@link Clock} (`now`, `setTimeout`, `clearTimeout`), the one
 * clock shape of the repository, so the engine hands the service its own clock and tests use raft-core's
 * `ManualClock`. `setTimer` adapts it to the cancel-function style the service's bookkeeping uses.
 */
import type { Clock } from '@avs/raft-core';

export type { Clock };

/** Calls `fn` once after `ms` on `clock`; returns a function that cancels it. */
export function setTimer(clock: Clock, ms: number, fn: () => void): () => void {
  const handle = clock.setTimeout(fn, ms);
  return () => clock.clearTimeout(handle);
}
