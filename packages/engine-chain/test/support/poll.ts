/** Test support: waits for a condition by polling (bounded by a count of polls, not by a timed assertion). */
export async function poll(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met after 1200 polls: ${what}`);
}
