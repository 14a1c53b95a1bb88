import { ManualClock } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { digestOf, keyPair, operators, verifiesOnChain } from '../../test/aggregation-fixtures.js';
import { G1 } from '../curve.js';
import { digestToHex } from '../digest.js';
import { g1ToJson } from '../encoding.js';
import { InvalidEncodingError, InvalidPointError } from '../errors.js';
import { aggregatePublicKeysG2, aggregateSignatures } from '../signature.js';
import {
  DuplicateSignatureError,
  EquivocationError,
  InvalidSignatureError,
  InvalidTaskError,
  OperatorNotInQuorumError,
  OperatorStateError,
  TaskExistsError,
  TaskFinishedError,
  TooManyInvalidSignaturesError,
  UnknownOperatorError,
  UnknownTaskError,
} from './errors.js';
import { BlsAggregationService } from './service.js';
import type {
  AggregatedResult,
  AggregationResult,
  EquivocationReport,
  ExpiredResult,
  InvalidSignatureReport,
  OperatorStateProvider,
  TaskParams,
} from './types.js';

const D1 = digestOf('response 1');
const D2 = digestOf('response 2');

function task(taskIndex: number, extra: Partial<TaskParams> = {}): TaskParams {
  return {
    taskIndex,
    referenceBlock: 10,
    quorumNumbers: [0],
    thresholdPercentages: [67],
    expiry: { afterMs: 60_000 },
    ...extra,
  };
}

function setup(
  n: number,
  stakes?: (i: number) => Record<number, bigint>,
  options: { verificationDelayMs?: number } = {},
) {
  const { provider, keys } = operators(n, stakes);
  const clock = new ManualClock();
  const service = new BlsAggregationService({ operatorState: provider, clock, ...options });
  const results: AggregationResult[] = [];
  const invalid: InvalidSignatureReport[] = [];
  const equivocations: EquivocationReport[] = [];
  service.onResult((r) => results.push(r));
  service.onInvalidSignature((r) => invalid.push(r));
  service.onEquivocation((r) => equivocations.push(r));
  const sign = (taskIndex: number, i: number, digest = D1) =>
    service.processSignature({
      taskIndex,
      digest,
      signature: keyPair(i).sign(digest),
      operatorId: keyPair(i).operatorId,
    });
  return { service, clock, provider, keys, results, invalid, equivocations, sign };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));
const asAggregated = (r: AggregationResult | undefined): AggregatedResult => {
  if (r?.status !== 'aggregated')
    throw new Error(`expected an aggregated result, got ${JSON.stringify(r?.status)}`);
  return r;
};

describe('BlsAggregationService: thresholds and result shape', () => {
  it('delivers one aggregated result, shaped for the on-chain checker, once 67% of stake signed', async () => {
    const s = setup(6);
    await s.service.initializeTask(task(1));
    for (const i of [4, 1, 3]) await s.sign(1, i);
    await flush();
    expect(s.results).toEqual([]); // 3 of 6 = 50%
    await s.sign(1, 0); // 4 of 6: 400 >= 402? no
    await flush();
    expect(s.results).toEqual([]);
    await s.sign(1, 5); // 5 of 6: 500 >= 402
    const r = asAggregated(await s.service.resultOf(1));
    expect(s.results).toHaveLength(1);
    expect(r.digest).toBe(digestToHex(D1));
    expect(r.signedStakePerQuorum).toEqual([500n]);
    expect(r.totalStakePerQuorum).toEqual([600n]);
    expect(r.nonSignerOperatorIds).toEqual([s.keys[2]!.operatorId]);
    expect(r.nonSignerPublicKeysG1[0]!.equals(s.keys[2]!.publicKeyG1)).toBe(true);
    const signers = [0, 1, 3, 4, 5].map((i) => s.keys[i]!.operatorId);
    expect(r.signerOperatorIds).toEqual([...signers].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    expect(verifiesOnChain(r, () => 1)).toBe(true);
    await expect(s.sign(1, 2)).rejects.toBeInstanceOf(TaskFinishedError);
  });

  it('applies signed*100 >= total*pct exactly', async () => {
    const s = setup(3); // stakes 100 each
    await s.service.initializeTask(task(1, { thresholdPercentages: [67] }));
    await s.service.initializeTask(task(2, { thresholdPercentages: [66] }));
    for (const i of [0, 1]) {
      await s.sign(1, i);
      await s.sign(2, i);
    }
    await flush();
    // 200*100 = 20000 < 300*67 = 20100, but >= 300*66 = 19800.
    expect(s.results.map((r) => r.taskIndex)).toEqual([2]);
    await s.sign(1, 2);
    expect((await s.service.resultOf(1)).status).toBe('aggregated');
  });

  it('sorts non-signers by operator id as uint256', async () => {
    const s = setup(8);
    await s.service.initializeTask(task(1, { thresholdPercentages: [25] }));
    await s.sign(1, 0);
    await s.sign(1, 7);
    const r = asAggregated(await s.service.resultOf(1));
    const ids = r.nonSignerOperatorIds.map((id) => BigInt(id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(r.nonSignerOperatorIds).toHaveLength(6);
    r.nonSignerOperatorIds.forEach((id, i) => {
      const k = s.keys.find((x) => x.operatorId === id)!;
      expect(r.nonSignerPublicKeysG1[i]!.equals(k.publicKeyG1)).toBe(true);
    });
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('counts an operator in k of the task quorums k times in the signature and G2 key', async () => {
    // op0: quorums 0,1 ; op1: quorum 0 ; op2: quorum 1 ; op3: quorums 0,1
    const member: Record<number, number[]> = { 0: [0, 1], 1: [0], 2: [1], 3: [0, 1] };
    const s = setup(4, (i) => Object.fromEntries(member[i]!.map((q) => [q, BigInt(10 * (i + 1))])));
    await s.service.initializeTask(task(1, { quorumNumbers: [0, 1], thresholdPercentages: [60, 60] }));
    await s.sign(1, 0);
    await s.sign(1, 3);
    const r = asAggregated(await s.service.resultOf(1));
    // quorum 0 stakes 10,20,40 (total 70), signed 10+40; quorum 1 stakes 10,30,40 (total 80), signed 50.
    expect(r.totalStakePerQuorum).toEqual([70n, 80n]);
    expect(r.signedStakePerQuorum).toEqual([50n, 50n]);
    const k0 = s.keys[0]!;
    const k3 = s.keys[3]!;
    expect(r.signersApkG2.equals(aggregatePublicKeysG2([k0, k0, k3, k3].map((k) => k.publicKeyG2)))).toBe(
      true,
    );
    expect(r.signersAggSigG1.equals(aggregateSignatures([k0, k0, k3, k3].map((k) => k.sign(D1))))).toBe(true);
    const byId = new Map(s.keys.map((k, i) => [k.operatorId as string, member[i]!.length]));
    expect(verifiesOnChain(r, (id) => byId.get(id) ?? 0)).toBe(true);
    // Without the multiplicity the on-chain equation fails.
    const once = { ...r, signersApkG2: aggregatePublicKeysG2([k0, k3].map((k) => k.publicKeyG2)) };
    expect(verifiesOnChain(once, (id) => byId.get(id) ?? 0)).toBe(false);
  });
});

describe('BlsAggregationService: per-digest aggregation and misbehaviour', () => {
  it('aggregates each digest separately; the first to reach the thresholds wins', async () => {
    const s = setup(5);
    await s.service.initializeTask(task(1, { thresholdPercentages: [60] }));
    await s.sign(1, 0, D2);
    await s.sign(1, 1, D2);
    await s.sign(1, 2, D1);
    await s.sign(1, 3, D1);
    await flush();
    expect(s.results).toEqual([]);
    await s.sign(1, 4, D1);
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.digest).toBe(digestToHex(D1));
    expect(r.signedStakePerQuorum).toEqual([300n]);
    expect(new Set(r.nonSignerOperatorIds)).toEqual(new Set([s.keys[0]!.operatorId, s.keys[1]!.operatorId]));
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('rejects a duplicate signature and never double counts it', async () => {
    const s = setup(4);
    await s.service.initializeTask(task(1, { thresholdPercentages: [75] }));
    await s.sign(1, 0);
    await s.sign(1, 1);
    await expect(s.sign(1, 1)).rejects.toBeInstanceOf(DuplicateSignatureError);
    await flush();
    expect(s.results).toEqual([]);
    await s.sign(1, 2);
    expect(asAggregated(await s.service.resultOf(1)).signedStakePerQuorum).toEqual([300n]);
  });

  it('reports equivocation (two valid signatures on different digests) and keeps the first', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { thresholdPercentages: [100] }));
    await s.sign(1, 0, D1);
    const e = await s.sign(1, 0, D2).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EquivocationError);
    expect(s.equivocations).toHaveLength(1);
    const rep = s.equivocations[0]!;
    expect(rep.operatorId).toBe(s.keys[0]!.operatorId);
    expect(rep.first.digest).toBe(digestToHex(D1));
    expect(rep.second.digest).toBe(digestToHex(D2));
    expect(rep.second.signature.equals(s.keys[0]!.sign(D2))).toBe(true);
    await s.sign(1, 1, D1);
    await s.sign(1, 2, D1);
    expect(asAggregated(await s.service.resultOf(1)).signedStakePerQuorum).toEqual([300n]);
  });

  it('refuses, unchecked, an operator that keeps equivocating or sending bad signatures', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { thresholdPercentages: [100] }));
    await s.sign(1, 0, D1);
    for (let n = 0; n < 3; n++) {
      await expect(s.sign(1, 0, digestOf(`spam ${n}`))).rejects.toBeInstanceOf(EquivocationError);
    }
    await expect(s.sign(1, 0, digestOf('spam 3'))).rejects.toBeInstanceOf(TooManyInvalidSignaturesError);
    expect(s.equivocations).toHaveLength(3);
    const forged = { taskIndex: 1, digest: D2, signature: G1.BASE, operatorId: keyPair(1).operatorId };
    await s.service.processSignature(forged);
    await expect(
      s.service.processSignature({ ...forged, signature: G1.BASE.double() }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
    // Operator 1's real signature on D1 still counts (its forged D2 one is dropped), and the task completes.
    await s.sign(1, 1, D1);
    await s.sign(1, 2, D1);
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.signedStakePerQuorum).toEqual([300n]);
    expect(s.invalid.map((x) => [x.operatorId, x.digest])).toEqual([
      [keyPair(1).operatorId, digestToHex(D2)],
    ]);
  });

  it('rejects unknown operators and operators outside the task quorums', async () => {
    const s = setup(3, (i) => (i === 2 ? { 1: 50n } : { 0: 100n }));
    await s.service.initializeTask(task(1));
    await expect(s.sign(1, 2)).rejects.toBeInstanceOf(OperatorNotInQuorumError);
    const stranger = keyPair(99);
    await expect(
      s.service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature: stranger.sign(D1),
        operatorId: stranger.operatorId,
      }),
    ).rejects.toBeInstanceOf(UnknownOperatorError);
  });

  it('finds an invalid signature hidden among valid ones, reports it, and still aggregates the rest', async () => {
    const s = setup(12);
    await s.service.initializeTask(task(1, { thresholdPercentages: [75] }));
    const bad = 7;
    for (let i = 0; i < 10; i++) {
      // Operator 7 sends a well-formed point that is not its signature of D1.
      const signature = i === bad ? keyPair(i).sign(D2) : keyPair(i).sign(D1);
      await s.service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature,
        operatorId: keyPair(i).operatorId,
      });
    }
    await flush();
    // 10 accepted reached 75% tentatively; verification removed 7, leaving 9 of 12 = 75%.
    const r = asAggregated(await s.service.resultOf(1));
    expect(s.invalid).toEqual([
      { taskIndex: 1, operatorId: s.keys[bad]!.operatorId, digest: digestToHex(D1) },
    ]);
    expect(r.signedStakePerQuorum).toEqual([900n]);
    expect(r.nonSignerOperatorIds).toContain(s.keys[bad]!.operatorId);
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('after bisection drops stake below the threshold, waits for more signatures', async () => {
    const s = setup(4);
    await s.service.initializeTask(task(1, { thresholdPercentages: [75] }));
    await s.sign(1, 0);
    await s.sign(1, 1);
    await s.service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: G1.BASE,
      operatorId: keyPair(2).operatorId,
    });
    await flush();
    expect(s.results).toEqual([]);
    expect(s.invalid.map((x) => x.operatorId)).toEqual([keyPair(2).operatorId]);
    await s.sign(1, 3);
    expect(asAggregated(await s.service.resultOf(1)).signedStakePerQuorum).toEqual([300n]);
  });

  it("a forged signature sent first under an operator's id does not lock the operator out", async () => {
    const s = setup(2);
    await s.service.initializeTask(task(1, { thresholdPercentages: [100] }));
    await s.service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: G1.BASE,
      operatorId: keyPair(0).operatorId,
    });
    await s.sign(1, 0); // the real one replaces the forgery (checked alone)
    expect(s.invalid.map((x) => x.operatorId)).toEqual([keyPair(0).operatorId]);
    await s.sign(1, 1);
    expect(asAggregated(await s.service.resultOf(1)).signedStakePerQuorum).toEqual([200n]);
  });
});

describe('BlsAggregationService: several tasks ready at once', () => {
  it('verifies them together, and a bad signature in one task does not harm the others', async () => {
    const s = setup(6);
    for (const t of [1, 2, 3]) await s.service.initializeTask(task(t, { thresholdPercentages: [80] }));
    // All three tasks reach the threshold within one turn, so one combined check covers them.
    const sent: Promise<void>[] = [];
    for (const t of [1, 2, 3]) {
      for (let i = 0; i < 5; i++) {
        const d = digestOf(`task ${t}`);
        const signature = t === 2 && i === 3 ? keyPair(i).sign(D1) : keyPair(i).sign(d);
        sent.push(
          s.service.processSignature({
            taskIndex: t,
            digest: d,
            signature,
            operatorId: keyPair(i).operatorId,
          }),
        );
      }
    }
    await Promise.all(sent);
    await flush();
    expect(s.results.map((r) => [r.taskIndex, r.status])).toEqual([
      [1, 'aggregated'],
      [3, 'aggregated'],
    ]);
    expect(s.invalid.map((r) => [r.taskIndex, r.operatorId])).toEqual([[2, keyPair(3).operatorId]]);
    await s.sign(2, 5, digestOf('task 2')); // 5 of 6 valid again
    const r2 = asAggregated(await s.service.resultOf(2));
    expect(r2.nonSignerOperatorIds).toEqual([keyPair(3).operatorId]);
    for (const t of [1, 3])
      expect(verifiesOnChain(asAggregated(await s.service.resultOf(t)), () => 1)).toBe(true);
    expect(verifiesOnChain(r2, () => 1)).toBe(true);
  });
});

describe('BlsAggregationService: verification delay (verificationDelayMs)', () => {
  it('holds aggregates that reach the threshold in separate turns, then verifies them together; a bad signature is still excluded', async () => {
    const s = setup(3, undefined, { verificationDelayMs: 5 });
    for (const t of [1, 2, 3]) await s.service.initializeTask(task(t));
    for (const t of [1, 2, 3]) {
      const d = digestOf(`task ${t}`);
      for (let i = 0; i < 3; i++) {
        // Operator 1 signs the wrong message for task 2.
        const signature = t === 2 && i === 1 ? keyPair(i).sign(D1) : keyPair(i).sign(d);
        await s.service.processSignature({
          taskIndex: t,
          digest: d,
          signature,
          operatorId: keyPair(i).operatorId,
        });
      }
      await flush(); // each task in its own turn: without the delay each would be checked alone
    }
    expect(s.results).toEqual([]); // nothing verified before the delay
    await s.clock.advance(5);
    expect(s.results.map((r) => [r.taskIndex, r.status])).toEqual([
      [1, 'aggregated'],
      [3, 'aggregated'],
    ]);
    expect(s.invalid.map((r) => [r.taskIndex, r.operatorId])).toEqual([[2, keyPair(1).operatorId]]);
    for (const t of [1, 3]) {
      const r = asAggregated(await s.service.resultOf(t));
      expect(r.signedStakePerQuorum).toEqual([300n]);
      expect(verifiesOnChain(r, () => 1)).toBe(true);
    }
    // Task 2 holds 2 of 3 valid signatures (67% needs 201 of 300): the honest signature completes it.
    await s.service.processSignature({
      taskIndex: 2,
      digest: digestOf('task 2'),
      signature: keyPair(1).sign(digestOf('task 2')),
      operatorId: keyPair(1).operatorId,
    });
    await s.clock.advance(5);
    const r2 = asAggregated(await s.service.resultOf(2));
    expect(r2.signedStakePerQuorum).toEqual([300n]);
    expect(verifiesOnChain(r2, () => 1)).toBe(true);
  });

  it('close() verifies what waits for the delay, so a met threshold is not lost', async () => {
    const s = setup(3, undefined, { verificationDelayMs: 50 });
    await s.service.initializeTask(task(1));
    for (const i of [0, 1, 2]) await s.sign(1, i);
    s.service.close();
    expect(s.results.map((r) => r.status)).toEqual(['aggregated']);
    expect(s.clock.pending).toBe(0);
  });

  it('refuses a negative delay', () => {
    expect(() => setup(3, undefined, { verificationDelayMs: -1 })).toThrow(RangeError);
  });
});

describe('BlsAggregationService: expiry, window, lifecycle', () => {
  it('expires by wall clock with the best progress, exactly once', async () => {
    const s = setup(4);
    const iter = s.service.results();
    await s.service.initializeTask(task(1, { expiry: { afterMs: 5_000 } }));
    await s.sign(1, 0, D2);
    await s.sign(1, 1);
    await s.sign(1, 2);
    await s.clock.advance(4_999);
    expect(s.results).toEqual([]);
    await s.clock.advance(1);
    const r = (await s.service.resultOf(1)) as ExpiredResult;
    expect(r.status).toBe('expired');
    expect(r.reason).toBe('time');
    expect(r.best).toEqual({
      digest: digestToHex(D1),
      signedStakePerQuorum: [200n],
      totalStakePerQuorum: [400n],
      signerCount: 2,
    });
    await expect(s.sign(1, 3)).rejects.toBeInstanceOf(TaskFinishedError);
    await s.clock.advance(100_000);
    s.service.observeBlock(1_000_000);
    expect(s.results).toHaveLength(1);
    expect((await iter.next()).value).toBe(r);
    expect(s.clock.pending).toBe(0);
  });

  it('expires by block number', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { expiry: { atBlock: 20 } }));
    await s.sign(1, 0);
    s.service.observeBlock(19);
    expect(s.results).toEqual([]);
    s.service.observeBlock(20);
    const r = (await s.service.resultOf(1)) as ExpiredResult;
    expect([r.status, r.reason, r.best?.signerCount]).toEqual(['expired', 'block', 1]);
  });

  it('a task whose expiry block has already been seen expires at once', async () => {
    const s = setup(3);
    s.service.observeBlock(50);
    await s.service.initializeTask(task(1, { expiry: { atBlock: 40 } }));
    expect(((await s.service.resultOf(1)) as ExpiredResult).best).toBeNull();
  });

  it('keeps collecting during the window after the threshold, then delivers', async () => {
    const s = setup(5);
    await s.service.initializeTask(task(1, { thresholdPercentages: [60], windowMs: 1_000 }));
    for (const i of [0, 1, 2]) await s.sign(1, i);
    await flush();
    expect(s.results).toEqual([]); // threshold met and verified; window open
    await s.sign(1, 3);
    await s.clock.advance(999);
    expect(s.results).toEqual([]);
    await s.clock.advance(1);
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.signedStakePerQuorum).toEqual([400n]);
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('closes the window early once every operator signed, and verifies window signatures', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { thresholdPercentages: [60], windowMs: 60_000 }));
    await s.sign(1, 0);
    await s.sign(1, 1);
    await flush();
    await s.service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: G1.BASE,
      operatorId: keyPair(2).operatorId,
    });
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.signedStakePerQuorum).toEqual([200n]); // the bad window signature was dropped
    expect(s.invalid).toHaveLength(1);
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('a threshold reached before a deadline is not lost to the deadline', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { expiry: { afterMs: 10 } }));
    // processSignature accepts synchronously for a loaded task; verification waits for a microtask.
    const all = [0, 1, 2].map((i) => s.sign(1, i));
    const advanced = s.clock.advance(10); // the deadline fires in the same turn, before that microtask
    expect(s.results.map((r) => r.status)).toEqual(['aggregated']);
    await advanced;
    await Promise.all(all);
    expect(verifiesOnChain(asAggregated(await s.service.resultOf(1)), () => 1)).toBe(true);
    expect(s.results).toHaveLength(1);
  });

  it('signatures sent while the operator state loads wait for it', async () => {
    const { provider } = operators(3);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: OperatorStateProvider = {
      getOperatorState: async (b, q) => {
        await gate;
        return provider.getOperatorState(b, q);
      },
    };
    const service = new BlsAggregationService({ operatorState: slow, clock: new ManualClock() });
    const init = service.initializeTask(task(1));
    const sent = [0, 1, 2].map((i) =>
      service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature: keyPair(i).sign(D1),
        operatorId: keyPair(i).operatorId,
      }),
    );
    release();
    await init;
    await Promise.all(sent);
    expect((await service.resultOf(1)).status).toBe('aggregated');
  });

  it('rejects unknown tasks, malformed input, bad parameters and reused task indices at once', async () => {
    const s = setup(3);
    await expect(s.sign(9, 0)).rejects.toBeInstanceOf(UnknownTaskError);
    await s.service.initializeTask(task(1));
    await expect(s.service.initializeTask(task(1))).rejects.toBeInstanceOf(TaskExistsError);
    const base = {
      taskIndex: 1,
      digest: D1,
      signature: keyPair(0).sign(D1),
      operatorId: keyPair(0).operatorId,
    };
    await expect(s.service.processSignature({ ...base, signature: { X: 1n, Y: 3n } })).rejects.toBeInstanceOf(
      InvalidPointError,
    );
    await expect(
      s.service.processSignature({ ...base, signature: { X: '0', Y: '0' } }),
    ).rejects.toBeInstanceOf(InvalidPointError);
    await expect(s.service.processSignature({ ...base, digest: new Uint8Array(31) })).rejects.toBeInstanceOf(
      InvalidEncodingError,
    );
    await expect(s.service.processSignature({ ...base, operatorId: '0x1234' })).rejects.toBeInstanceOf(
      InvalidEncodingError,
    );
    // JSON-encoded signatures are accepted.
    await s.service.processSignature({ ...base, signature: g1ToJson(keyPair(0).sign(D1)) });
    for (const bad of [
      task(2, { quorumNumbers: [] }),
      task(2, { thresholdPercentages: [101] }),
      task(2, { quorumNumbers: [0, 0], thresholdPercentages: [50, 50] }),
      task(2, { quorumNumbers: [0, 1] }),
      task(2, { expiry: {} }),
      task(-1),
    ]) {
      await expect(s.service.initializeTask(bad)).rejects.toBeInstanceOf(InvalidTaskError);
    }
  });

  it('a failing provider rejects initializeTask with OperatorStateError and leaves no task', async () => {
    const service = new BlsAggregationService({
      operatorState: { getOperatorState: async () => Promise.reject(new Error('rpc down')) },
      clock: new ManualClock(),
    });
    await expect(service.initializeTask(task(1))).rejects.toBeInstanceOf(OperatorStateError);
    expect(service.activeTaskCount).toBe(0);
    await expect(
      service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature: keyPair(0).sign(D1),
        operatorId: keyPair(0).operatorId,
      }),
    ).rejects.toBeInstanceOf(UnknownTaskError);
  });

  it('a throwing listener goes to onError and does not stop delivery', async () => {
    const { provider } = operators(1);
    const errors: unknown[] = [];
    const service = new BlsAggregationService({
      operatorState: provider,
      clock: new ManualClock(),
      onError: (e) => errors.push(e),
    });
    const seen: number[] = [];
    service.onResult(() => {
      throw new Error('listener bug');
    });
    service.onResult((r) => seen.push(r.taskIndex));
    await service.initializeTask(task(1));
    await service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: keyPair(0).sign(D1),
      operatorId: keyPair(0).operatorId,
    });
    await service.resultOf(1);
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it('close() ends every task with one result and ends the iterators', async () => {
    const s = setup(3);
    const iter = s.service.results();
    await s.service.initializeTask(task(1));
    await s.service.initializeTask(task(2));
    await s.sign(2, 0);
    s.service.close();
    expect(s.results.map((r) => [r.taskIndex, r.status, (r as ExpiredResult).reason])).toEqual([
      [1, 'expired', 'closed'],
      [2, 'expired', 'closed'],
    ]);
    expect((await iter.next()).value.taskIndex).toBe(1);
    expect((await iter.next()).value.taskIndex).toBe(2);
    expect((await iter.next()).done).toBe(true);
    expect(s.clock.pending).toBe(0);
  });
});
