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
