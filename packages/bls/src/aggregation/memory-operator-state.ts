import type { G1Point, G2Point } from '../curve.js';
import { type OperatorId, operatorIdFromPublicKey } from '../operator-id.js';
import { aggregatePublicKeysG1 } from '../signature.js';
import type { OperatorInfo, OperatorSetState, OperatorStateProvider } from './types.js';

/** An operator of {@link InMemoryOperatorStateProvider}: keys and stake per quorum. */
export interface InMemoryOperator {
  publicKeyG1: G1Point;
  publicKeyG2: G2Point;
  /** quorum number -> stake. */
  stakes: Readonly<Record<number, bigint>>;
}

/**
 * An {@link OperatorStateProvider} over a fixed operator set (the same at every
 * block), for tests and local runs. Quorum totals are the sums of stakes.
 * Returns the same state object for the same quorum set, listing every
 * operator (also those outside the requested quorums).
 */
export class InMemoryOperatorStateProvider implements OperatorStateProvider {
  readonly #operators: OperatorInfo[];
  readonly #cache = new Map<string, OperatorSetState>();
  /** Number of `getOperatorState` calls, for tests. */
  calls = 0;

  constructor(operators: readonly InMemoryOperator[]) {
    this.#operators = operators.map((o) => ({
      operatorId: operatorIdFromPublicKey(o.publicKeyG1),
      publicKeyG1: o.publicKeyG1,
      publicKeyG2: o.publicKeyG2,
      stakes: new Map(Object.entries(o.stakes).map(([q, s]) => [Number(q), s])),
    }));
  }

  /** The ids, in the order given. */
  get operatorIds(): OperatorId[] {
    return this.#operators.map((o) => o.operatorId);
  }

  async getOperatorState(
    _referenceBlock: number,
    quorumNumbers: readonly number[],
  ): Promise<OperatorSetState> {
    this.calls++;
    const key = [...quorumNumbers].sort((a, b) => a - b).join(',');
    const cached = this.#cache.get(key);
    if (cached) return cached;
    // Every registered operator, members of the requested quorums or not (the service tells them apart).
    const operators = this.#operators;
    const quorums = quorumNumbers.map((q) => {
      const members = operators.filter((o) => o.stakes.has(q));
      return {
        quorumNumber: q,
        totalStake: members.reduce((sum, o) => sum + (o.stakes.get(q) ?? 0n), 0n),
        aggregatePublicKeyG1: aggregatePublicKeysG1(members.map((o) => o.publicKeyG1)),
      };
    });
    const state = { operators, quorums };
    this.#cache.set(key, state);
    return state;
  }
}
