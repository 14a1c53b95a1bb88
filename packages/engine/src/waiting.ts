/**
 * Waiting: on the injected clock (`sleep`, `withTimeout`, the retry backoff the engine's loops use) and
 * for the event loop (`yieldToEventLoop` inside long synchronous work).
 */
import type { Clock } from '@avs/raft-core';
import { backoffDelay } from '@avs/retry';

export { sleep } from '@avs/raft-core';

/**
 * Lets timers and I/O run (one macrotask turn) inside a long run of synchronous work such as
 * signing or judging a request of many tasks: the event loop must keep answering Raft
 * heartbeats, or a busy follower starts an election (or a busy leader loses its followers).
 * A real timer on purpose, not the injected clock: it only yields, it does not measure time.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, 0);
  });
}

/** Items of synchronous work (signatures, judged responses) between two {@link yieldToEventLoop} calls. */
export const WORK_ITEMS_PER_TURN = 8;

/**
 * @avs/retry's backoff without jitter (`base * 2^(attempt-1)`, capped at `max`): the engine waits on its
 * injected clock, and tests on a manual clock need the same wait every run.
 */
export function backoffMs(attempt: number, base: number, max: number): number {
  return backoffDelay({ baseDelayMs: base, maxDelayMs: max, jitter: 'none' }, attempt);
}

/**
 * Runs `fn` unless it does not settle within `ms` on `clock`, then rejects with `onTimeout()`.
 * The work itself is not cancelled (its result is ignored).
 */
export function withTimeout<V>(
  clock: Clock,
  ms: number,
  fn: () => Promise<V>,
  onTimeout: () => Error,
): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms);
    fn().then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(timer);
        reject(e);
      },
    );
  });
}
