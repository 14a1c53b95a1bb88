import { type Entry, EntryType } from '@avs/raft-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTaskCommand, type TaskCommand, type TaskMeta } from './task-command.js';
import { TaskStateMachine } from './task-state.js';

const meta = (taskIndex: number): TaskMeta => ({
  taskIndex,
  referenceBlock: 10,
  quorumNumbers: [0],
  thresholdPercentages: [67],
  expiresAtMs: 1_000_000,
});

let nextIndex = 1;
function entry(cmd: TaskCommand | Uint8Array): Entry {
  const data = cmd instanceof Uint8Array ? cmd : encodeTaskCommand(cmd);
  return { index: nextIndex++, term: 1, type: EntryType.Normal, data };
}

const create = (requestId: string, ...indexes: number[]): TaskCommand => ({
  type: 'request.create',
  requestId,
  request: { numberToBeSquared: 3 },
  tasks: indexes.map(meta),
});
const aggregated = (taskIndex: number, aggregatedAtMs?: number): TaskCommand => ({
  type: 'task.aggregated',
  taskIndex,
  digest: '0xabcd',
  response: { numberSquared: 9 },
  signers: ['0x01', '0x02'],
  signedStake: ['200'],
  ...(aggregatedAtMs === undefined ? {} : { aggregatedAtMs }),
});
const submitted = (taskIndex: number, txHash = '0xfeed'): TaskCommand => ({
  type: 'task.submitted',
  taskIndex,
  txHash,
});

describe('TaskStateMachine', () => {
  it('creates a request with one pending task per on-chain task and queues the work', () => {
    const sm = new TaskStateMachine();
    const [outcome] = sm.apply([entry(create('r1', 7, 8))]);
    expect(outcome).toEqual({ ok: true, command: 'request.create' });
    expect(sm.task(7)?.status).toBe('pending');
    expect(sm.task(8)?.requestId).toBe('r1');
    expect(sm.inFlight().map((t) => t.taskIndex)).toEqual([7, 8]);
    const events = sm.drainEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'request-created',
      request: { requestId: 'r1', taskIndexes: [7, 8] },
    });
    expect(sm.drainEvents()).toEqual([]);
  });

  it('walks a task from pending through aggregated to submitted', () => {
    const sm = new TaskStateMachine();
    sm.apply([entry(create('r1', 1)), entry(aggregated(1)), entry(submitted(1))]);
    const task = sm.task(1);
    expect(task?.status).toBe('submitted');
    expect(task?.aggregate?.digest).toBe('0xabcd');
    expect(task?.submission?.txHash).toBe('0xfeed');
    expect(sm.inFlight()).toEqual([]);
  });

  it('keeps the time the leader had the aggregate, through the submission and a snapshot', () => {
    const sm = new TaskStateMachine();
    sm.apply([entry(create('r1', 1, 2)), entry(aggregated(1, 1_700_000_000_123))]);
    expect(sm.task(1)?.aggregate?.aggregatedAtMs).toBe(1_700_000_000_123);
    sm.apply([entry(aggregated(2)), entry(submitted(1))]);
    expect(sm.task(1)?.aggregate?.aggregatedAtMs).toBe(1_700_000_000_123);
    expect(sm.task(2)?.aggregate && 'aggregatedAtMs' in sm.task(2)!.aggregate!).toBe(false); // older entries
    const restored = new TaskStateMachine();
    restored.restore(sm.snapshot());
    expect(restored.task(1)?.aggregate?.aggregatedAtMs).toBe(1_700_000_000_123);
  });

  it('skips a task.aggregated entry whose aggregatedAtMs is not a timestamp', () => {
    const sm = new TaskStateMachine();
    sm.apply([entry(create('r1', 1))]);
    const bad = new TextEncoder().encode(
      JSON.stringify({ v: 1, cmd: { ...aggregated(1), aggregatedAtMs: -5 } }),
    );
    const [outcome] = sm.apply([entry(bad)]);
    expect(outcome).toMatchObject({ ok: false, code: 'DECODE_ERROR' });
    expect(sm.task(1)?.status).toBe('pending');
  });

  it('keeps the first final word: a second submission for a task changes nothing', () => {
    const sm = new TaskStateMachine();
    const outcomes = sm.apply([
      entry(create('r1', 1)),
      entry(aggregated(1)),
      entry(submitted(1, '0x01')),
      entry(submitted(1, '0x02')),
    ]);
    expect(outcomes[3]).toMatchObject({ ok: false, code: 'BAD_TRANSITION' });
    expect(sm.task(1)?.submission?.txHash).toBe('0x01');
  });

  it('refuses transitions out of order and for unknown tasks', () => {
    const sm = new TaskStateMachine();
    const outcomes = sm.apply([
      entry(create('r1', 1)),
      entry(submitted(1)),
      entry(aggregated(99)),
      entry({ type: 'task.expired', taskIndex: 1, reason: 'deadline' }),
      entry(aggregated(1)),
    ]);
    expect(outcomes[1]).toMatchObject({ ok: false, code: 'BAD_TRANSITION' });
    expect(outcomes[2]).toMatchObject({ ok: false, code: 'UNKNOWN_TASK' });
    expect(outcomes[3]).toEqual({ ok: true, command: 'task.expired' });
    expect(outcomes[4]).toMatchObject({ ok: false, code: 'BAD_TRANSITION' });
    expect(sm.task(1)).toMatchObject({ status: 'expired', reason: 'deadline' });
  });

  it('refuses a duplicate request id and a task index claimed twice', () => {
    const sm = new TaskStateMachine();
    const outcomes = sm.apply([entry(create('r1', 1)), entry(create('r1', 2)), entry(create('r2', 1))]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
    expect(sm.task(2)).toBeUndefined();
  });

  it('skips and records an entry it cannot decode, and applies the rest (no crash loop)', () => {
    const sm = new TaskStateMachine();
    const garbage = new Uint8Array([0xff, 0x00, 0x13]);
    const future = new TextEncoder().encode(JSON.stringify({ v: 2, cmd: {} }));
    const outcomes = sm.apply([entry(garbage), entry(future), entry(create('r1', 1))]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
    expect(outcomes[1]).toMatchObject({
      code: 'DECODE_ERROR',
      message: expect.stringContaining('version 2'),
    });
    expect(sm.skipped().total).toBe(2);
    expect(sm.task(1)?.status).toBe('pending');
  });

  it('keeps memory bounded: the oldest final tasks are dropped first', () => {
    const sm = new TaskStateMachine({ maxFinishedTasks: 2 });
    for (let i = 1; i <= 4; i++) {
      sm.apply([entry(create(`r${i}`, i)), entry({ type: 'task.expired', taskIndex: i, reason: 'x' })]);
    }
    expect(sm.tasks().map((t) => t.taskIndex)).toEqual([3, 4]);
    expect(sm.request('r1')).toBeUndefined();
    expect(sm.request('r4')).toBeDefined();
  });

  it('restores from a snapshot to exactly the state it was taken from', () => {
    const commandArb = fc.oneof(
      fc.tuple(fc.constant('create'), fc.integer({ min: 0, max: 6 })),
      fc.tuple(
        fc.constantFrom('aggregated', 'submitted', 'expired', 'failed'),
        fc.integer({ min: 0, max: 6 }),
      ),
      fc.tuple(fc.constant('garbage'), fc.constant(0)),
    );
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), fc.nat(40), (script, cut) => {
        const toEntry = ([kind, i]: [string, number]): Entry => {
          switch (kind) {
            case 'create':
              return entry(create(`r${i}`, i));
            case 'aggregated':
              return entry(aggregated(i));
            case 'submitted':
              return entry(submitted(i));
            case 'expired':
              return entry({ type: 'task.expired', taskIndex: i, reason: 'e' });
            case 'failed':
              return entry({ type: 'task.failed', taskIndex: i, reason: 'f' });
            default:
              return entry(new Uint8Array([1, 2, 3]));
          }
        };
        const entries = script.map(toEntry);
        const at = Math.min(cut, entries.length);
        const original = new TaskStateMachine({ maxFinishedTasks: 3 });
        original.apply(entries.slice(0, at));
        const restored = new TaskStateMachine({ maxFinishedTasks: 3 });
        restored.restore(original.snapshot());
        const a = original.apply(entries.slice(at));
        const b = restored.apply(entries.slice(at));
        expect(b).toEqual(a);
        expect(new TextDecoder().decode(restored.snapshot())).toBe(
          new TextDecoder().decode(original.snapshot()),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a snapshot that is not its own format with a typed error', () => {
    const sm = new TaskStateMachine();
    expect(() => sm.restore(new TextEncoder().encode('{"v":9}'))).toThrow(/version-1 snapshot/);
    expect(() => sm.restore(new Uint8Array([0xff]))).toThrowError(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
  });
});

describe('TaskStateMachine members', () => {
  const member = (id: string) => ({
    id,
    operatorId: `0x${'cd'.repeat(32)}`,
    httpUrl: `http://${id.slice(2, 8)}`,
    raftUrl: `http://${id.slice(2, 8)}`,
  });
  const a = `0x${'a'.repeat(40)}`;

  it('records members, refuses a join nonce twice, removes, and keeps all of it across a snapshot', () => {
    const sm = new TaskStateMachine();
    const nonce = `0x${'11'.repeat(32)}`;
    const [first, replay] = sm.apply([
      entry({ type: 'member.upsert', member: member(a), joinNonce: nonce }),
      entry({ type: 'member.upsert', member: member(a), joinNonce: nonce }),
    ]);
    expect(first).toEqual({ ok: true, command: 'member.upsert' });
    expect(replay).toMatchObject({ ok: false, code: 'DUPLICATE' });
    expect(sm.member(a)).toEqual(member(a));
    const copy = new TaskStateMachine();
    copy.restore(sm.snapshot());
    expect(copy.joinNonceUsed(nonce)).toBe(true);
    expect(copy.members()).toEqual([member(a)]);
    sm.apply([entry({ type: 'member.remove', id: a, reason: 'deregistered' })]);
    expect(sm.member(a)).toBeUndefined();
    expect(sm.joinNonceUsed(nonce)).toBe(true);
  });
});

describe('TaskStateMachine batches', () => {
  const batchCreate = (...requests: [string, ...number[]][]): TaskCommand => ({
    type: 'batch.create',
    requests: requests.map(([requestId, ...indexes]) => ({
      requestId,
      request: { numberToBeSquared: 2 },
      tasks: indexes.map(meta),
    })),
  });
  const batchAggregated = (batchId: number, n: number): TaskCommand => ({
    type: 'batch.aggregated',
    batchId,
    digest: '0xbb',
    root: '0xcc',
    leaves: Array.from({ length: n }, (_, i) => `0x0${i}`),
    responses: Array.from({ length: n }, (_, i) => ({ i })),
    signers: ['0x01'],
    signedStake: ['100'],
    proof: {
      nonSignerPublicKeysG1: [],
      nonSignerOperatorIds: [],
      quorumApksG1: [{ X: '1', Y: '2' }],
      signersApkG2: { X: ['1', '2'], Y: ['3', '4'] },
      signersAggSigG1: { X: '1', Y: '2' },
      totalStakePerQuorum: ['100'],
    },
    aggregatedAtMs: 5,
  });

  it('creates a batch of requests, moves its tasks together, and keeps it across a snapshot', () => {
    const sm = new TaskStateMachine();
    const e = entry(batchCreate(['a', 1, 2], ['b', 3]));
    expect(sm.apply([e])).toEqual([{ ok: true, command: 'batch.create' }]);
    const batchId = e.index;
    expect(sm.batch(batchId)).toMatchObject({ requestIds: ['a', 'b'], taskIndexes: [1, 2, 3] });
    expect(sm.task(3)).toMatchObject({ status: 'pending', batchId, requestId: 'b' });
    expect(sm.request('a')?.batchId).toBe(batchId);
    expect(sm.drainEvents().map((ev) => ev.type)).toEqual(['batch-created']);
    // A wrong number of leaves is refused; the batch stays pending.
    expect(sm.apply([entry(batchAggregated(batchId, 2))])[0]).toMatchObject({
      ok: false,
      code: 'BAD_TRANSITION',
    });
    expect(sm.apply([entry(batchAggregated(batchId, 3))])[0]).toEqual({
      ok: true,
      command: 'batch.aggregated',
    });
    expect(sm.task(2)).toMatchObject({
      status: 'aggregated',
      aggregate: { digest: '0x01', response: { i: 1 } },
    });
    expect(sm.batch(batchId)?.aggregate).toEqual({
      digest: '0xbb',
      root: '0xcc',
      leaves: ['0x00', '0x01', '0x02'],
    });
    // A second aggregate (e.g. a deposed leader's) changes nothing.
    expect(sm.apply([entry(batchAggregated(batchId, 3))])[0]).toMatchObject({ ok: false });
    const copy = new TaskStateMachine();
    copy.restore(sm.snapshot());
    expect(copy.batch(batchId)).toEqual(sm.batch(batchId));
    sm.apply([entry({ type: 'batch.submitted', batchId, txHash: '0xfeed', blockNumber: 9 })]);
    expect([1, 2, 3].map((i) => sm.task(i)?.submission?.txHash)).toEqual(['0xfeed', '0xfeed', '0xfeed']);
    expect(sm.apply([entry({ type: 'batch.submitted', batchId, txHash: '0xbeef' })])[0]).toMatchObject({
      ok: false,
    });
    expect(sm.task(1)?.submission?.txHash).toBe('0xfeed');
  });

  it('refuses a batch whose tasks cannot share a signature, or that reuses a task, as a whole', () => {
    const sm = new TaskStateMachine();
    sm.apply([entry(create('r1', 5))]);
    expect(sm.apply([entry(batchCreate(['a', 6], ['b', 5]))])[0]).toMatchObject({
      ok: false,
      code: 'DUPLICATE',
    });
    expect(sm.apply([entry(batchCreate(['a', 6], ['a', 7]))])[0]).toMatchObject({
      ok: false,
      code: 'DUPLICATE',
    });
    const mixed: TaskCommand = {
      type: 'batch.create',
      requests: [
        { requestId: 'x', request: {}, tasks: [meta(8)] },
        { requestId: 'y', request: {}, tasks: [{ ...meta(9), referenceBlock: 11 }] },
      ],
    };
    expect(sm.apply([entry(mixed)])[0]).toMatchObject({ ok: false, code: 'BAD_TRANSITION' });
    expect(sm.task(6)).toBeUndefined();
    expect(sm.task(8)).toBeUndefined();
  });

  it('closes an expired batch: its pending tasks expire', () => {
    const sm = new TaskStateMachine();
    const e = entry(batchCreate(['a', 1, 2]));
    sm.apply([e]);
    sm.apply([entry({ type: 'batch.closed', batchId: e.index, status: 'expired', reason: 'time' })]);
    expect([sm.task(1)?.status, sm.task(2)?.status]).toEqual(['expired', 'expired']);
    expect(sm.inFlight()).toEqual([]);
  });
});
