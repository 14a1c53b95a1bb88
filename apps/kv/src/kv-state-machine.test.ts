import { type Entry, EntryType } from '@avs/raft-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand, type KvCommand, type MemberInfo } from './commands.js';
import { KvSnapshotError, KvStateMachine } from './kv-state-machine.js';

let index = 0;
function entry(command: KvCommand | Uint8Array): Entry {
  const data = command instanceof Uint8Array ? command : encodeCommand(command);
  return { term: 1, index: ++index, type: EntryType.Normal, data };
}
const put = (key: string, value: string): KvCommand => ({ v: 1, op: 'put', key, value });

describe('KvStateMachine', () => {
  it('puts, overwrites and deletes with etcd-style revisions', () => {
    const sm = new KvStateMachine();
    const [a, b, c, d, e] = sm.apply([
      entry(put('a', '1')),
      entry(put('a', '2')),
      entry(put('b', 'x')),
      entry({ v: 1, op: 'delete', key: 'a' }),
      entry({ v: 1, op: 'delete', key: 'missing' }),
    ]);
    expect(a).toEqual({ op: 'put', revision: 1, prev: null });
    expect(b).toEqual({
      op: 'put',
      revision: 2,
      prev: { value: '1', createRevision: 1, modRevision: 1, version: 1 },
    });
    expect(c).toMatchObject({ op: 'put', revision: 3 });
    expect(d).toMatchObject({ op: 'delete', revision: 4, prev: { value: '2', version: 2 } });
    // Deleting a missing key changes nothing, so the revision stays.
    expect(e).toEqual({ op: 'delete', revision: 4, prev: null });
    expect(sm.get('a')).toBeUndefined();
    expect(sm.get('b')).toEqual({ value: 'x', createRevision: 3, modRevision: 3, version: 1 });
    expect(sm.stats()).toMatchObject({ keys: 1, revision: 4, skipped: 0 });
  });

  it('compare-and-set succeeds only on a matching value or modRevision', () => {
    const sm = new KvStateMachine();
    const results = sm.apply([
      entry({ v: 1, op: 'cas', key: 'k', value: 'v1', expect: { value: null } }),
      entry({ v: 1, op: 'cas', key: 'k', value: 'v2', expect: { value: null } }),
      entry({ v: 1, op: 'cas', key: 'k', value: 'v2', expect: { value: 'v1' } }),
      entry({ v: 1, op: 'cas', key: 'k', value: 'v3', expect: { modRevision: 1 } }),
      entry({ v: 1, op: 'cas', key: 'k', value: 'v3', expect: { modRevision: 2 } }),
    ]);
    expect(results.map((r) => (r.op === 'cas' ? r.succeeded : r.op))).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(results[1]).toMatchObject({ succeeded: false, current: { value: 'v1' }, revision: 1 });
    expect(sm.get('k')).toEqual({ value: 'v3', createRevision: 1, modRevision: 3, version: 3 });
  });

  it('skips entries that are not kv commands, identically on every node', () => {
    const sm = new KvStateMachine();
    const bad = [
      new Uint8Array([0xff, 0xfe]),
      new TextEncoder().encode('{"v":1,"op":"put","key":"","value":"x"}'),
      new TextEncoder().encode('{"v":2,"op":"put","key":"a","value":"x"}'),
      new TextEncoder().encode('{"v":1,"op":"put","key":"a","value":"x","extra":1}'),
    ];
    const results = sm.apply(bad.map((d) => entry(d)));
    expect(results.every((r) => r.op === 'invalid')).toBe(true);
    expect(sm.stats()).toMatchObject({ keys: 0, revision: 0, skipped: 4 });
  });

  it('records member addresses and reports them, also after a restore', () => {
    const seen: MemberInfo[] = [];
    const sm = new KvStateMachine({ onMember: (m) => seen.push(m) });
    const member = { id: 'n4', peerUrl: 'http://127.0.0.1:7004', clientUrl: 'http://127.0.0.1:8004' };
    sm.apply([entry({ v: 1, op: 'member', member })]);
    expect(sm.member('n4')).toEqual(member);
    const restored: MemberInfo[] = [];
    const copy = new KvStateMachine({ onMember: (m) => restored.push(m) });
    copy.restore(sm.snapshot());
    expect(copy.memberList()).toEqual([member]);
    expect(seen).toEqual([member]);
    expect(restored).toEqual([member]);
  });

  it('refuses a snapshot that is not a kv snapshot and keeps its state', () => {
    const sm = new KvStateMachine();
    sm.apply([entry(put('a', '1'))]);
    expect(() => sm.restore(new TextEncoder().encode('{"format":"other"}'))).toThrow(KvSnapshotError);
    expect(() => sm.restore(new Uint8Array([1, 2, 3]))).toThrow(KvSnapshotError);
    expect(sm.get('a')?.value).toBe('1');
  });

  it('snapshot then restore reproduces the state byte for byte, whatever the commands', () => {
    const keyArb = fc.constantFrom('a', 'b', 'c', 'd/e', 'ü');
    const commandArb: fc.Arbitrary<KvCommand> = fc.oneof(
      fc.record({
        v: fc.constant(1 as const),
        op: fc.constant('put' as const),
        key: keyArb,
        value: fc.string(),
      }),
      fc.record({ v: fc.constant(1 as const), op: fc.constant('delete' as const), key: keyArb }),
      fc.record({
        v: fc.constant(1 as const),
        op: fc.constant('cas' as const),
        key: keyArb,
        value: fc.string(),
        expect: fc.oneof(
          fc.record({ value: fc.option(fc.constantFrom('x', 'y', ''), { nil: null }) }),
          fc.record({ modRevision: fc.nat(20) }),
        ),
      }),
    );
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), fc.nat(40), (commands, cut) => {
        const whole = new KvStateMachine();
        const resultsWhole = whole.apply(commands.map((c) => entry(c)));
        // Apply a prefix, snapshot, restore into a fresh machine, apply the rest: same results and state.
        const first = new KvStateMachine();
        const head = commands.slice(0, cut);
        const rHead = first.apply(head.map((c) => entry(c)));
        const second = new KvStateMachine();
        second.restore(first.snapshot());
        const rTail = second.apply(commands.slice(cut).map((c) => entry(c)));
        expect([...rHead, ...rTail]).toEqual(resultsWhole);
        expect(new TextDecoder().decode(second.snapshot()).replace(/"appliedIndex":\d+,/, '')).toEqual(
          new TextDecoder().decode(whole.snapshot()).replace(/"appliedIndex":\d+,/, ''),
        );
      }),
    );
  });
});
