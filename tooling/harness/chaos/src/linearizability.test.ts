import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KvInput, KvOperation, KvOutput, Outcome } from './history.js';
import { stepKv } from './kv-model.js';
import { checkKey, checkLinearizability } from './linearizability.js';

let nextId = 0;
function op(
  input: KvInput,
  invokedAt: number,
  completedAt: number,
  output?: KvOutput,
  outcome: Outcome = output ? 'ok' : 'unknown',
  key = 'k',
): KvOperation {
  return {
    id: nextId++,
    client: 0,
    key,
    input,
    invokedAt,
    completedAt,
    outcome,
    ...(output ? { output } : {}),
  };
}
const put = (value: string, a: number, b: number, outcome: Outcome = 'ok', key = 'k') =>
  op({ f: 'put', value }, a, b, outcome === 'ok' ? { f: 'put' } : undefined, outcome, key);
const get = (value: string | null, a: number, b: number, key = 'k') =>
  op({ f: 'get' }, a, b, { f: 'get', value }, 'ok', key);
const cas = (expect: string | null, value: string, swapped: boolean, a: number, b: number) =>
  op({ f: 'cas', expect, value }, a, b, { f: 'cas', swapped });

describe('checkLinearizability: hand-written histories', () => {
  it('accepts an empty history and a sequential one', () => {
    expect(checkLinearizability([]).verdict).toBe('linearizable');
    expect(checkLinearizability([get(null, 0, 1), put('a', 2, 3), get('a', 4, 5)]).verdict).toBe(
      'linearizable',
    );
  });

  it('accepts a read of either value while a write is in flight', () => {
    expect(
      checkLinearizability([put('a', 0, 1), put('b', 2, 10), get('a', 3, 4), get('b', 5, 6)]).verdict,
    ).toBe('linearizable');
  });

  it('rejects a stale read after a completed write', () => {
    const r = checkLinearizability([put('a', 0, 1), put('b', 2, 3), get('a', 4, 5)]);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.keys[0]?.stuckAt).toBeDefined();
  });

  it('rejects a read that goes back in time (new then old, not overlapping)', () => {
    const r = checkLinearizability([put('a', 0, 1), put('b', 2, 20), get('b', 3, 4), get('a', 5, 6)]);
    expect(r.verdict).toBe('not-linearizable');
  });

  it('rejects a value nobody wrote, and a lost acknowledged write', () => {
    expect(checkLinearizability([get('x', 0, 1)]).verdict).toBe('not-linearizable');
    expect(checkLinearizability([put('a', 0, 1), get(null, 2, 3)]).verdict).toBe('not-linearizable');
  });

  it('lets an unknown write take effect later, or never', () => {
    expect(checkLinearizability([put('a', 0, 1, 'unknown'), get(null, 2, 3), get('a', 50, 51)]).verdict).toBe(
      'linearizable',
    );
    expect(checkLinearizability([put('a', 0, 1, 'unknown'), get(null, 2, 3)]).verdict).toBe('linearizable');
    // but not before it was invoked
    expect(checkLinearizability([get('a', 0, 1), put('a', 2, 3, 'unknown')]).verdict).toBe(
      'not-linearizable',
    );
    // and not twice: after a newer acknowledged write, the unknown one cannot reappear once it was seen
    expect(
      checkLinearizability([put('a', 0, 1, 'unknown'), get('a', 2, 3), put('b', 4, 5), get('a', 6, 7)])
        .verdict,
    ).toBe('not-linearizable');
  });

  it('drops failed operations', () => {
    expect(checkLinearizability([put('a', 0, 1, 'fail'), get(null, 2, 3)]).verdict).toBe('linearizable');
  });

  it('checks compare-and-set results and effects', () => {
    expect(
      checkLinearizability([cas(null, 'a', true, 0, 1), cas(null, 'b', false, 2, 3), get('a', 4, 5)]).verdict,
    ).toBe('linearizable');
    // two concurrent creates cannot both succeed
    expect(checkLinearizability([cas(null, 'a', true, 0, 5), cas(null, 'b', true, 0, 5)]).verdict).toBe(
      'not-linearizable',
    );
    expect(checkLinearizability([put('a', 0, 1), cas('a', 'b', false, 2, 3)]).verdict).toBe(
      'not-linearizable',
    );
  });

  it('checks delete', () => {
    const del = (deleted: boolean, a: number, b: number) =>
      op({ f: 'delete' }, a, b, { f: 'delete', deleted });
    expect(checkLinearizability([put('a', 0, 1), del(true, 2, 3), get(null, 4, 5)]).verdict).toBe(
      'linearizable',
    );
    expect(checkLinearizability([del(true, 0, 1)]).verdict).toBe('not-linearizable');
  });

  it('partitions by key: a bad key is named, the others pass', () => {
    const r = checkLinearizability([
      put('a', 0, 1, 'ok', 'x'),
      get('a', 2, 3, 'x'),
      put('a', 0, 1, 'ok', 'y'),
      get(null, 2, 3, 'y'),
    ]);
    expect(r.verdict).toBe('not-linearizable');
    expect(r.keys.find((k) => k.key === 'x')?.verdict).toBe('linearizable');
    expect(r.keys.find((k) => k.key === 'y')?.verdict).toBe('not-linearizable');
  });

  it('gives up with "unknown: too large" instead of hanging', () => {
    // Many concurrent writes and an impossible read: the search space is huge.
    const ops: KvOperation[] = [];
    for (let i = 0; i < 40; i++) ops.push(put(`v${i}`, 0, 100));
    ops.push(get('nope', 101, 102));
    const r = checkKey('k', ops, 10_000);
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toMatch(/too large/);
  });
});

/** A history produced by a real linearizable register: each op takes effect at its point in [invoke, complete]. */
interface GenOp {
  readonly input: KvInput;
  readonly key: string;
  readonly before: number;
  readonly after: number;
  readonly outcome: Outcome;
  /** An unknown write that never took effect. */
  readonly lost: boolean;
}

const inputArb: fc.Arbitrary<KvInput> = fc.oneof(
  fc.record({ f: fc.constant('put' as const), value: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ f: fc.constant('get' as const) }),
  fc.record({ f: fc.constant('delete' as const) }),
  fc.record({
    f: fc.constant('cas' as const),
    expect: fc.constantFrom<string | null>(null, 'a', 'b'),
    value: fc.constantFrom('a', 'b', 'c'),
  }),
);
const genOpArb: fc.Arbitrary<GenOp> = fc.record({
  input: inputArb,
  key: fc.constantFrom('k1', 'k2'),
  before: fc.integer({ min: 0, max: 30 }),
  after: fc.integer({ min: 0, max: 30 }),
  outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'ok', 'unknown', 'fail'),
  lost: fc.boolean(),
});

function materialize(gen: readonly GenOp[], spacing: number, sequential: boolean): KvOperation[] {
  const state = new Map<string, string | null>();
  return gen.map((g, i) => {
    const t = i * spacing;
    // A failed operation, or an unknown one that was lost, never takes effect.
    const applied = g.outcome === 'ok' || (g.outcome === 'unknown' && !g.lost);
    const before = state.get(g.key) ?? null;
    const step = stepKv(before, g.input, undefined);
    if (applied) state.set(g.key, step.next);
    let output: KvOutput | undefined;
    if (g.outcome === 'ok') {
      if (g.input.f === 'put') output = { f: 'put' };
      else if (g.input.f === 'get') output = { f: 'get', value: before };
      else if (g.input.f === 'delete') output = { f: 'delete', deleted: before !== null };
      else output = { f: 'cas', swapped: before === g.input.expect };
    }
    const a = sequential ? t - 1 : t - g.before;
    const b = sequential ? t + 1 : t + g.after;
    return {
      id: i,
      client: i % 4,
      key: g.key,
      input: g.input,
      invokedAt: a,
      completedAt: b,
      outcome: g.outcome,
      ...(output ? { output } : {}),
    };
  });
}

describe('checkLinearizability: generated histories', () => {
  it('accepts every history of a linearizable register (overlapping, unknown and failed calls)', () => {
    fc.assert(
      fc.property(fc.array(genOpArb, { maxLength: 60 }), (gen) => {
        const r = checkLinearizability(materialize(gen, 10, false));
        expect(r.verdict).toBe('linearizable');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a history where one read returns a value never written', () => {
    fc.assert(
      fc.property(fc.array(genOpArb, { maxLength: 60 }), fc.nat(), (gen, pick) => {
        const ops = materialize(gen, 10, false);
        const reads = ops.filter((o) => o.outcome === 'ok' && o.input.f === 'get');
        fc.pre(reads.length > 0);
        const victim = reads[pick % reads.length] as KvOperation;
        const mutated = ops.map((o) =>
          o === victim ? { ...o, output: { f: 'get' as const, value: 'zzz' } } : o,
        );
        expect(checkLinearizability(mutated).verdict).toBe('not-linearizable');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a sequential history (no unknown calls) where one ok result is changed', () => {
    const definite = genOpArb.filter((g) => g.outcome !== 'unknown');
    fc.assert(
      fc.property(
        fc.array(definite, { maxLength: 60 }),
        fc.nat(),
        fc.constantFrom<string | null>(null, 'a', 'b', 'c'),
        (gen, pick, other) => {
          const ops = materialize(gen, 10, true);
          const targets = ops.filter(
            (o) => o.outcome === 'ok' && (o.input.f === 'get' || o.input.f === 'cas'),
          );
          fc.pre(targets.length > 0);
          const victim = targets[pick % targets.length] as KvOperation;
          let output: KvOutput;
          if (victim.output?.f === 'get') {
            fc.pre(victim.output.value !== other);
            output = { f: 'get', value: other };
          } else if (victim.output?.f === 'cas') output = { f: 'cas', swapped: !victim.output.swapped };
          else return;
          const mutated = ops.map((o) => (o === victim ? { ...o, output } : o));
          expect(checkLinearizability(mutated).verdict).toBe('not-linearizable');
        },
      ),
      { numRuns: 300 },
    );
  });
});
