import { InvalidArgumentError } from './errors.js';

/**
 * Validates quorum numbers (integers 0..191, distinct) and returns them as the `bytes` the
 * contracts take, in the given order.
 * @throws InvalidArgumentError
 */
export function quorumNumbersToBytes(quorumNumbers: readonly number[]): Uint8Array {
  if (quorumNumbers.length === 0) throw new InvalidArgumentError('expected at least one quorum number');
  const seen = new Set<number>();
  for (const q of quorumNumbers) {
    if (!Number.isInteger(q) || q < 0 || q > 191) {
      throw new InvalidArgumentError(`quorum numbers must be integers in 0..191, got ${q}`);
    }
    if (seen.has(q)) throw new InvalidArgumentError(`quorum number ${q} appears twice`);
    seen.add(q);
  }
  return Uint8Array.from(quorumNumbers);
}

/** Quorum numbers from the contracts' `bytes` (0x-hex). */
export function quorumNumbersFromBytes(hex: string): number[] {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex))
    throw new InvalidArgumentError(`expected 0x-hex bytes, got ${hex.slice(0, 40)}`);
  const out: number[] = [];
  for (let i = 2; i < hex.length; i += 2) out.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return out;
}

/** Validates a block number (non-negative safe integer, fits uint32 as the contracts store it). */
export function checkBlockNumber(blockNumber: number): number {
  if (!Number.isSafeInteger(blockNumber) || blockNumber < 0 || blockNumber > 0xffffffff) {
    throw new InvalidArgumentError(`block numbers must be integers in 0..2^32-1, got ${blockNumber}`);
  }
  return blockNumber;
}
