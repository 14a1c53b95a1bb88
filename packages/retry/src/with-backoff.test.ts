import { describe, expect, it } from 'vitest';
import { withBackoff } from './with-backoff.js';

class Flaky extends Error {
  readonly code = 'FLAKY';
}
class Exhausted extends Error {
  readonly code = 'EXHAUSTED';
}

function recorder() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const base = { attempts: 4, baseDelayMs: 10, maxDelayMs: 1000, jitter: 'none' as const };

describe('withBackoff', () => {
  it('retries retryable failures with growing waits and returns the first success', async () => {
    const { waits, sleep } = recorder();
    const seen: number[] = [];
    const value = await withBackoff(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Flaky();
        return 'ok';
      },
      { ...base, sleep, retryable: (e) => e instanceof Flaky },
    );
    expect(value).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([10, 20]);
  });

  it('rethrows a non-retryable failure at once', async () => {
    const { waits, sleep } = recorder();
    const fatal = new Error('revert');
    await expect(
      withBackoff(
        async () => {
          throw fatal;
        },
        { ...base, sleep, retryable: (e) => e instanceof Flaky },
      ),
    ).rejects.toBe(fatal);
    expect(waits).toEqual([]);
  });

  it('makes exactly `attempts` attempts, then throws giveUp(last, attempts)', async () => {
    const { waits, sleep } = recorder();
    let calls = 0;
    const error = await withBackoff(
      async () => {
        calls++;
        throw new Flaky(`failure ${calls}`);
      },
      {
        ...base,
        sleep,
        retryable: () => true,
        giveUp: (last, attempts) => new Exhausted(`${attempts} attempts`, { cause: last }),
      },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 40]);
    expect(error).toBeInstanceOf(Exhausted);
    expect((error as Exhausted).message).toBe('4 attempts');
    expect(((error as Exhausted).cause as Error).message).toBe('failure 4');
  });

  it('without giveUp throws the last failure', async () => {
    const { sleep } = recorder();
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          throw new Flaky(`failure ${++calls}`);
        },
        { ...base, attempts: 2, sleep, retryable: () => true },
      ),
    ).rejects.toThrow('failure 2');
  });
});
