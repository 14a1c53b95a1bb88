import { describe, expect, it } from 'vitest';
import { verifiesOnChain } from '../../test/aggregation-fixtures.js';
import { asAggregated, D1, flush, setup, task } from '../../test/aggregation-service-harness.js';
import { digestToHex } from '../digest.js';
import { aggregatePublicKeysG2, aggregateSignatures } from '../signature.js';
import { TaskFinishedError } from './errors.js';

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
