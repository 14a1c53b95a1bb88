import { describe, expect, it } from 'vitest';
import { digestOf, keyPair, verifiesOnChain } from '../../test/aggregation-fixtures.js';
import { asAggregated, D1, D2, flush, setup, task } from '../../test/aggregation-service-harness.js';
import { G1 } from '../curve.js';
import { digestToHex } from '../digest.js';
import {
  DuplicateSignatureError,
  EquivocationError,
  InvalidSignatureError,
  OperatorNotInQuorumError,
  TooManyInvalidSignaturesError,
  UnknownOperatorError,
} from './errors.js';

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
