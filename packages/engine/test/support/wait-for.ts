import type { ManualClock } from '@avs/raft-core';

/** Lets real macrotasks (and the microtasks they queue) run. */
export const yieldMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Advances `clock` in steps until `condition` holds. Bounded by `maxSteps`
 * (simulated time), never by wall-clock time: no timed assertions.
 * @throws Error naming `what` when the condition does not hold within the bound
 */
export async function waitFor(
  clock: ManualClock,
  condition: () => boolean,
  options: { what?: string; stepMs?: number; maxSteps?: number } = {},
): Promise<void> {
  const step = options.stepMs ?? 10;
  const max = options.maxSteps ?? 3_000;
  for (let i = 0; i < max; i++) {
    if (condition()) return;
    await clock.advance(step);
    await yieldMacrotask();
  }
  if (condition()) return;
  throw new Error(`condition not met within ${max * step} simulated ms: ${options.what ?? 'condition'}`);
}

/** Drives `clock` until `promise` settles; returns its value (or rethrows). */
export async function drive<V>(
  clock: ManualClock,
  promise: Promise<V>,
  options: { what?: string; stepMs?: number; maxSteps?: number } = {},
): Promise<V> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  await waitFor(clock, () => settled, { ...options, what: options.what ?? 'operation to settle' });
  return tracked;
}
