/**
 * The history the chaos runner records: one {@link KvOperation} per client
 * call, with when it was invoked, when it completed and how it ended.
 */

/** What a client asked for. `cas` compares the current value (null: absent). */
export type KvInput =
  | { readonly f: 'put'; readonly value: string }
  | { readonly f: 'get' }
  | { readonly f: 'delete' }
  | { readonly f: 'cas'; readonly expect: string | null; readonly value: string };

/**
 * What the server answered, for `ok` operations: the value read (`get`, null
 * when absent), whether a compare matched (`cas`), whether a key existed
 * (`delete`, when the server says), nothing for `put`.
 */
export type KvOutput =
  | { readonly f: 'put' }
  | { readonly f: 'get'; readonly value: string | null }
  | { readonly f: 'delete'; readonly deleted?: boolean }
  | { readonly f: 'cas'; readonly swapped: boolean };

/**
 * How a call ended: `ok` (the answer is known), `fail` (it certainly did not
 * take effect: dropped from the check), `unknown` (timeout, lost connection:
 * it may or may not have taken effect, at any time after its invocation).
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** One client call. Times are from one monotonic clock (ms, fractional). */
export interface KvOperation {
  /** Unique within the history. */
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly input: KvInput;
  readonly invokedAt: number;
  /** When the answer arrived; ignored for `unknown` (its end is +infinity). */
  readonly completedAt: number;
  readonly outcome: Outcome;
  /** Present when `outcome` is `ok`. */
  readonly output?: KvOutput;
}

/** Groups operations by key (the per-key partitioning of the check). */
export function partitionByKey(history: readonly KvOperation[]): Map<string, KvOperation[]> {
  const out = new Map<string, KvOperation[]>();
  for (const op of history) {
    const list = out.get(op.key);
    if (list) list.push(op);
    else out.set(op.key, [op]);
  }
  return out;
}

/** Whether the operation changes state when it takes effect (gets never do). */
export function isWrite(input: KvInput): boolean {
  return input.f !== 'get';
}
