/** Polls `condition` on real time, at most `maxPolls` times: a bound, not a timed assertion. */
export async function poll(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: { intervalMs?: number; maxPolls?: number } = {},
): Promise<void> {
  const interval = options.intervalMs ?? 25;
  const max = options.maxPolls ?? 800;
  for (let i = 0; i < max; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`condition not met after ${max} polls: ${what}`);
}
