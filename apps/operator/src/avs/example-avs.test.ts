import { AbiCoder } from 'ethers';
import { describe, expect, it } from 'vitest';
import { answer, describeResult, examplePrice, payloadHash } from './example-avs.js';

describe('example AVSs', () => {
  it('squares: the result is abi.encode(n, n^2)', () => {
    const result = answer({ kind: 'square', number: '12' });
    expect(AbiCoder.defaultAbiCoder().decode(['uint256', 'uint256'], result).map(String)).toEqual([
      '12',
      '144',
    ]);
    expect(describeResult(result)).toBe('12 → 144');
  });

  it('prices deterministically, so every honest operator signs the same digest', () => {
    expect(examplePrice('ETH', 3)).toBe(examplePrice('ETH', 3));
    expect(examplePrice('ETH', 3)).not.toBe(examplePrice('ETH', 4));
    expect(describeResult(answer({ kind: 'price', symbol: 'ETH', round: 3 }))).toBe(
      `ETH#3 = ${examplePrice('ETH', 3)}`,
    );
  });

  it('hashes payloads canonically (key order does not matter, content does)', () => {
    expect(payloadHash({ kind: 'square', number: '5' })).toBe(
      payloadHash({ number: '5', kind: 'square' } as never),
    );
    expect(payloadHash({ kind: 'square', number: '5' })).not.toBe(
      payloadHash({ kind: 'square', number: '6' }),
    );
  });
});
