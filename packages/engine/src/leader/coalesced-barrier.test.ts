import { describe, expect, it } from 'vitest';
import { CoalescedBarrier } from './coalesced-barrier.js';

/** A barrier whose runs are settled by the test. */
function controlled() {
  const runs: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const barrier = new CoalescedBarrier(
    () =>
      new Promise<void>((resolve, reject) => {
        runs.push({ resolve, reject });
      }),
  );
  return { barrier, runs };
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('CoalescedBarrier', () => {
  it('answers callers that arrive during a run with one follow-up run, never with the run already under way', async () => {
    const { barrier, runs } = controlled();
    const done: string[] = [];
    const first = barrier.wait().then(() => done.push('first'));
    expect(runs).toHaveLength(1);
    const later = [1, 2, 3].map((i) => barrier.wait().then(() => done.push(`later ${i}`)));
    expect(runs).toHaveLength(1); // they wait for the next run
    runs[0]!.resolve();
    await first;
    await settle();
    expect(done).toEqual(['first']); // the run that started before them does not answer them
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await Promise.all(later);
    expect(done).toEqual(['first', 'later 1', 'later 2', 'later 3']);
    // Idle again: the next caller starts a run at once.
    void barrier.wait();
    expect(runs).toHaveLength(3);
  });

  it('passes a failed run to everyone who shared it; the next call runs again', async () => {
    const { barrier, runs } = controlled();
    const a = barrier.wait();
    const b = barrier.wait();
    const c = barrier.wait();
    runs[0]!.reject(new Error('not leader'));
    await expect(a).rejects.toThrow('not leader');
    await settle();
    runs[1]!.reject(new Error('still not leader'));
    await expect(b).rejects.toThrow('still not leader');
    await expect(c).rejects.toThrow('still not leader');
    const d = barrier.wait();
    expect(runs).toHaveLength(3);
    runs[2]!.resolve();
    await expect(d).resolves.toBeUndefined();
  });

  it('turns a run that throws synchronously into a rejection', async () => {
    const barrier = new CoalescedBarrier(() => {
      throw new Error('no node');
    });
    await expect(barrier.wait()).rejects.toThrow('no node');
  });
});
