import { describe, expect, it } from 'vitest';
import { digestOf, keyPair, verifiesOnChain } from '../../test/aggregation-fixtures.js';
import { asAggregated, D1, flush, setup, task } from '../../test/aggregation-service-harness.js';

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
