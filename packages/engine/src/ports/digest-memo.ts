/**
 * A bounded memo of the default response processor (`digest.digestOf`): a
 * task's response is digested several times on its way (the operator orders
 * its batch by task, then builds it; the leader rebuilds the batch from every
 * member's copy of the same responses), and an ABI digest costs an encoding
 * and a keccak each time. The profile of a 3-operator devnet put `digestOf`
 * at a quarter of the leader's CPU before this memo.
 */
import type { ProcessedResponse } from './callbacks.js';

/** Entries kept at most (oldest dropped first): a few batches of 256 tasks. */
const MAX_ENTRIES = 4_096;

/**
 * The memo key of a response: its JSON when the response is plain data only (plain objects,
 * arrays, strings, finite numbers, booleans, null), so that equal keys mean equal values for
 * any digest function; undefined otherwise (bigints, byte arrays, class instances, undefined
 * fields are not memoised: their JSON could equal another value's).
 */
export function plainDataKey(value: unknown): string | undefined {
  let plain = true;
  const key = JSON.stringify(value, function (this: Record<string, unknown>, k: string, after: unknown) {
    if (!plain) return null;
    // The value before any toJSON (a Date would otherwise arrive as a string).
    const v = this[k];
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (!Number.isFinite(v)) plain = false;
        return v;
      case 'object': {
        if (v === null || Array.isArray(v)) return v;
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) plain = false;
        if (typeof (v as { toJSON?: unknown }).toJSON === 'function') plain = false;
        return after;
      }
      default:
        plain = false;
        return null;
    }
  });
  return plain ? key : undefined;
}

/** Wraps a pure response processor with a bounded memo keyed by {@link plainDataKey}. */
export function memoizeProcessor<K>(
  process: (response: K) => Promise<ProcessedResponse>,
): (response: K) => Promise<ProcessedResponse> {
  const memo = new Map<string, ProcessedResponse>();
  return async (response) => {
    const key = plainDataKey(response);
    if (key === undefined) return process(response);
    const known = memo.get(key);
    if (known) return known;
    const processed = await process(response);
    memo.set(key, processed);
    if (memo.size > MAX_ENTRIES) memo.delete(memo.keys().next().value as string);
    return processed;
  };
}
