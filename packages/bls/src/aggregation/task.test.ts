import { describe, expect, it } from 'vitest';
import { keyPair } from '../../test/aggregation-fixtures.js';
import { aggregatePublicKeysG2 } from '../signature.js';
import { type TaskOperator, weightedTotal } from './task.js';

const member = (i: number, k: number, g2 = keyPair(i).publicKeyG2): TaskOperator => ({
  id: keyPair(i).operatorId,
  info: {
    operatorId: keyPair(i).operatorId,
    publicKeyG1: keyPair(i).publicKeyG1,
    publicKeyG2: g2,
    stakes: new Map([[0, 1n]]),
  },
  multiplicity: k,
  stakes: [1n],
});

describe('weighted G2 totals of member sets', () => {
  it('is the multiplicity-weighted sum, reused for an equal member set in a new state', () => {
    const a = weightedTotal([member(0, 1), member(1, 2)]);
    const expected = aggregatePublicKeysG2([0, 1, 1].map((i) => keyPair(i).publicKeyG2));
    expect(a.equals(expected)).toBe(true);
    // Same members, new objects (a new block): the cached point itself comes back.
    expect(weightedTotal([member(0, 1), member(1, 2)])).toBe(a);
  });
  it('is recomputed when a multiplicity or a key differs', () => {
    const a = weightedTotal([member(2, 1), member(3, 1)]);
    const k2 = weightedTotal([member(2, 1), member(3, 2)]);
    expect(k2.equals(a.add(keyPair(3).publicKeyG2))).toBe(true);
    // Same ids but another G2 key (a provider bug): never the stale total.
    const other = weightedTotal([member(2, 1), member(3, 1, keyPair(4).publicKeyG2)]);
    expect(other.equals(aggregatePublicKeysG2([keyPair(2).publicKeyG2, keyPair(4).publicKeyG2]))).toBe(true);
  });
});
