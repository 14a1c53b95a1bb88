import type { Clock, TimerHandle } from './clock.js';

/**
 * The default {@link Clock}: the runtime's own timers and monotonic time.
 * This file is the only place raft-core reaches for them; everything else
 * takes a Clock, so tests can substitute {@link ManualClock}.
 */
export const systemClock: Clock = {
  now(): number {
    return globalThis.performance.now();
  },
  setTimeout(fn: () => void, ms: number): TimerHandle {
    // biome-ignore lint/style/noRestrictedGlobals: the injected default clock is the one sanctioned use of runtime timers.
    return setTimeout(fn, ms);
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};

/**
 * A {@link Clock} whose `now()` is Unix epoch milliseconds (`Date.now()`): for timestamps another
 * machine compares (task and join expiries, signed request timestamps). Unlike {@link systemClock}
 * it steps when the system time is set; use it only where time must agree across machines.
 */
export const wallClock: Clock = {
  now(): number {
    // biome-ignore lint/style/noRestrictedGlobals: the injected default wall clock; raft-core itself never reads it.
    return Date.now();
  },
  setTimeout: systemClock.setTimeout,
  clearTimeout: systemClock.clearTimeout,
};
