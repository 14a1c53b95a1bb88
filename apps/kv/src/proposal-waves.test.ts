import { describe, expect, it } from 'vitest';
import { ProposalWaves } from './proposal-waves.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ProposalWaves', () => {
  it('proposes a lone write at once and groups writes that arrive while a wave commits', async () => {
    const calls: { data: number; d: ReturnType<typeof deferred<string>> }[] = [];
    const waves = new ProposalWaves<string>((data) => {
      const d = deferred<string>();
      calls.push({ data: data[0]!, d });
      return d.promise;
    });
    const first = waves.submit(Uint8Array.of(1));
    expect(calls.map((c) => c.data)).toEqual([1]);
    const later = [2, 3, 4].map((n) => waves.submit(Uint8Array.of(n)));
    // Held back while the first wave is in flight.
    expect(calls).toHaveLength(1);
    expect(waves.queued).toBe(3);
    calls[0]!.d.resolve('r1');
    expect(await first).toBe('r1');
    await new Promise((r) => setTimeout(r, 0));
    // The three waiting writes went out together as the second wave, in order.
    expect(calls.map((c) => c.data)).toEqual([1, 2, 3, 4]);
    calls[1]!.d.resolve('r2');
    calls[2]!.d.reject(new Error('dropped'));
    calls[3]!.d.resolve('r4');
    await expect(Promise.allSettled(later)).resolves.toEqual([
      { status: 'fulfilled', value: 'r2' },
      { status: 'rejected', reason: new Error('dropped') },
      { status: 'fulfilled', value: 'r4' },
    ]);
  });

  it('a failing wave does not stall the next one', async () => {
    let n = 0;
    const waves = new ProposalWaves<number>(async () => {
      n++;
      if (n === 1) throw new Error('first fails');
      return n;
    });
    await expect(waves.submit(Uint8Array.of(0))).rejects.toThrow('first fails');
    expect(await waves.submit(Uint8Array.of(0))).toBe(2);
  });
});
