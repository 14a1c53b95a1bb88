import { describe, expect, it } from 'vitest';
import { ManualClock, sleep } from '../src/index.js';

describe('sleep on a Clock', () => {
  it('resolves when the clock reaches the delay, not before', async () => {
    const clock = new ManualClock(1_000);
    let woke = false;
    const done = sleep(clock, 50).then(() => {
      woke = true;
    });
    await clock.advance(49);
    expect(woke).toBe(false);
    await clock.advance(1);
    await done;
    expect(woke).toBe(true);
    expect(clock.now()).toBe(1_050);
  });

  it('resolves at once on abort and cancels its timer', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const done = sleep(clock, 1_000, abort.signal);
    expect(clock.pending).toBe(1);
    abort.abort();
    await done;
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('resolves without a timer when the signal already aborted', async () => {
    const clock = new ManualClock();
    await sleep(clock, 1_000, AbortSignal.abort());
    expect(clock.pending).toBe(0);
  });
});
