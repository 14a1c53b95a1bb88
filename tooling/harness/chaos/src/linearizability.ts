/**
 * A linearizability checker for kv histories: the Wing–Gong search with
 * Lowe's memoization of (linearized set, state), as in the Porcupine and
 * Knossos checkers, run per key (a kv history is linearizable iff each key's
 * sub-history is, since keys are independent registers: locality, Herlihy &
 * Wing 1990, Theorem 1).
 *
 * Operations whose outcome is unknown get an end of +infinity: they may be
 * linearized at any point after their invocation, or never (placing one last
 * is the same as never, as nothing observes it). Failed operations did not
 * happen and are dropped. The search is bounded: past `maxSteps` per key (or a
 * deadline) the verdict is `unknown` with the reason, never a hang.
 */
import { type KvOperation, partitionByKey } from './history.js';
import { INITIAL_KV_STATE, type KvState, stepKv } from './kv-model.js';

/** A verdict for one key or for a whole history. */
export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** What the check found for one key. */
export interface KeyCheck {
  readonly key: string;
  readonly verdict: Verdict;
  /** Operations checked (ok + unknown; failed ones are dropped). */
  readonly operations: number;
  /** Search steps taken. */
  readonly steps: number;
  /** For `not-linearizable`: the longest legal prefix found and the operation that could not follow it. */
  readonly longestPrefix?: readonly number[];
  readonly stuckAt?: number;
  /** For `unknown`: why the search gave up. */
  readonly reason?: string;
}

/** What the check found for a whole history. */
export interface HistoryCheck {
  readonly verdict: Verdict;
  readonly operations: number;
  readonly keys: readonly KeyCheck[];
}

/** Bounds of {@link checkLinearizability}. */
export interface CheckOptions {
  /** Search steps per key before giving up with `unknown`. Default 5,000,000. */
  readonly maxSteps?: number;
  /** Wall-clock budget of the whole check, ms. Default 60,000. */
  readonly timeBudgetMs?: number;
}

interface Entry {
  readonly op: number;
  readonly call: boolean;
  /** For a call: its return entry (undefined when the outcome is unknown). */
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/**
 * Checks one key's operations.
 * @param key the key (reported back)
 * @param ops the key's operations, any order
 * @param maxSteps search steps before `unknown`
 * @param deadline `performance.now()` after which the verdict is `unknown`
 */
export function checkKey(
  key: string,
  ops: readonly KvOperation[],
  maxSteps = 5_000_000,
  deadline = Number.POSITIVE_INFINITY,
): KeyCheck {
  const kept = ops.filter((o) => o.outcome !== 'fail');
  const n = kept.length;
  // Events sorted by time; at equal times calls come first (the operations then overlap, the permissive reading).
  const events: { t: number; call: boolean; op: number }[] = [];
  kept.forEach((o, i) => {
    events.push({ t: o.invokedAt, call: true, op: i });
    if (o.outcome === 'ok') events.push({ t: Math.max(o.completedAt, o.invokedAt), call: false, op: i });
  });
  events.sort((a, b) => a.t - b.t || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Entry = { op: -1, call: false, match: undefined, prev: undefined, next: undefined };
  const calls: Entry[] = new Array(n);
  let tail = head;
  for (const e of events) {
    const entry: Entry = { op: e.op, call: e.call, match: undefined, prev: tail, next: undefined };
    tail.next = entry;
    tail = entry;
    if (e.call) calls[e.op] = entry;
    else {
      const call = calls[e.op];
      if (call) call.match = entry;
    }
  }
  let okLeft = kept.filter((o) => o.outcome === 'ok').length;

  const words = new Uint32Array(Math.ceil(n / 32) || 1);
  const flip = (i: number) => {
    words[i >>> 5] = (words[i >>> 5] ?? 0) ^ (1 << (i & 31));
  };
  const seen = new Set<string>();
  const stack: { entry: Entry; state: KvState }[] = [];
  let state: KvState = INITIAL_KV_STATE;
  let entry = head.next;
  let steps = 0;
  let longest: number[] = [];
  let stuckAt: number | undefined;

  const lift = (e: Entry) => {
    const remove = (x: Entry) => {
      if (x.prev) x.prev.next = x.next;
      if (x.next) x.next.prev = x.prev;
    };
    remove(e);
    if (e.match) remove(e.match);
  };
  const unlift = (e: Entry) => {
    const restore = (x: Entry) => {
      if (x.prev) x.prev.next = x;
      if (x.next) x.next.prev = x;
    };
    if (e.match) restore(e.match);
    restore(e);
  };

  while (okLeft > 0) {
    if (++steps > maxSteps || ((steps & 0xfff) === 0 && performance.now() > deadline)) {
      return {
        key,
        verdict: 'unknown',
        operations: n,
        steps,
        reason:
          steps > maxSteps ? `too large: over ${maxSteps} search steps` : 'too large: time budget spent',
      };
    }
    if (entry === undefined) break; // only unknown operations remain (see the invariant below)
    const op = kept[entry.op] as KvOperation;
    if (entry.call) {
      const step = stepKv(state, op.input, op.outcome === 'ok' ? op.output : undefined);
      if (step.legal) {
        flip(entry.op);
        const cacheKey = `${words.join(',')}|${step.next === null ? '\u0000' : `=${step.next}`}`;
        if (!seen.has(cacheKey)) {
          seen.add(cacheKey);
          stack.push({ entry, state });
          state = step.next;
          if (op.outcome === 'ok') okLeft--;
          lift(entry);
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
    } else {
      // A return event: its operation must be linearized before going on; backtrack.
      if (stack.length > longest.length) {
        longest = stack.map((s) => (kept[s.entry.op] as KvOperation).id);
        stuckAt = op.id;
      }
      const top = stack.pop();
      if (!top) {
        return {
          key,
          verdict: 'not-linearizable',
          operations: n,
          steps,
          longestPrefix: longest,
          ...(stuckAt === undefined ? {} : { stuckAt }),
        };
      }
      state = top.state;
      const popped = kept[top.entry.op] as KvOperation;
      if (popped.outcome === 'ok') okLeft++;
      flip(top.entry.op);
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  // Invariant: reaching the end of the list means no ok operation is left (an ok call is always followed by its return).
  return { key, verdict: 'linearizable', operations: n, steps };
}

/**
 * Checks a whole history, key by key.
 * @param history every recorded operation
 * @param options search bounds
 * @returns `not-linearizable` if any key is, else `unknown` if any key was too large, else `linearizable`
 */
export function checkLinearizability(
  history: readonly KvOperation[],
  options: CheckOptions = {},
): HistoryCheck {
  const deadline = performance.now() + (options.timeBudgetMs ?? 60_000);
  const keys: KeyCheck[] = [];
  for (const [key, ops] of partitionByKey(history)) {
    keys.push(checkKey(key, ops, options.maxSteps, deadline));
  }
  const verdict: Verdict = keys.some((k) => k.verdict === 'not-linearizable')
    ? 'not-linearizable'
    : keys.some((k) => k.verdict === 'unknown')
      ? 'unknown'
      : 'linearizable';
  return { verdict, operations: keys.reduce((a, k) => a + k.operations, 0), keys };
}
