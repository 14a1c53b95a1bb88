/** Waiting on the injected clock, and the retry backoff the engine's loops use. */
import type { Clock } from '@avs/raft-core';

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/** Exponential backoff without jitter: `base * 2^(attempt-1)`, capped at `max`. */
export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 20)));
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
