import { describe, expect, it } from 'vitest';
import { SubmittedGas } from './submitted-gas.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('SubmittedGas', () => {
  it('counts a batch transaction once however many of its tasks report it', async () => {
    const reads: string[] = [];
    let total = 0;
    const gas = new SubmittedGas(
      async (hash) => {
        reads.push(hash);
        return 1_000_000n;
      },
      (g) => {
        total += g;
      },
    );
    for (let i = 0; i < 64; i++) gas.submitted('0xAB');
    gas.submitted('0xab'); // the same hash in another case
    gas.submitted('0xcd');
    await settle();
    expect(reads).toEqual(['0xAB', '0xcd']);
    expect(total).toBe(2_000_000);
  });

  it('reads again after a failed read or a missing receipt', async () => {
    const answers: (bigint | undefined | Error)[] = [new Error('rpc down'), undefined, 21_000n];
    let total = 0;
    const errors: unknown[] = [];
    const gas = new SubmittedGas(
      async () => {
        const a = answers.shift();
        if (a instanceof Error) throw a;
        return a;
      },
      (g) => {
        total += g;
      },
      (e) => errors.push(e),
    );
    for (let i = 0; i < 3; i++) {
      gas.submitted('0x01');
      await settle();
    }
    expect(errors).toHaveLength(1);
    expect(total).toBe(21_000);
  });
});
