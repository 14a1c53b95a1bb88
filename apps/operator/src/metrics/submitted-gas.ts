/**
 * Counts the gas of the transactions this operator submitted, once per
 * transaction: a batch answers up to 256 tasks in one transaction, and each of
 * its tasks reports `submitted` with the same hash (counting per task read the
 * same receipt, with its 64 logs, 64 times and multiplied the gas by 64).
 */

/** Hashes remembered at most (the oldest are forgotten first). */
const REMEMBERED = 1_024;

/** Counts each transaction's gas once. */
export class SubmittedGas {
  readonly #seen = new Set<string>();

  constructor(
    /** Reads the gas a transaction used; undefined when there is no receipt (yet). */
    private readonly gasOf: (txHash: string) => Promise<bigint | undefined>,
    private readonly add: (gas: number) => void,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Counts `txHash` unless it was counted (or is being read) already. */
  submitted(txHash: string): void {
    const key = txHash.toLowerCase();
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > REMEMBERED) this.#seen.delete(this.#seen.values().next().value as string);
    this.gasOf(txHash).then(
      (gas) => {
        if (gas !== undefined) this.add(Number(gas));
        // No receipt yet: forget it, so a later report of the same transaction reads it again.
        else this.#seen.delete(key);
      },
      (error: unknown) => {
        this.#seen.delete(key);
        this.onError(error);
      },
    );
  }
}
