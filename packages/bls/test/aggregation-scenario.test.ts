/**
 * Scenario: 16 operators in two overlapping quorums with uneven stakes, six
 * tasks running at once, signatures arriving interleaved in a seeded random
 * order, with forged signatures, duplicates, equivocations and late arrivals.
 * Every task must get exactly one result, and every aggregated result must pass
 * the on-chain check as BLSSignatureChecker would compute it.
 */

import { ManualClock } from '@avs/raft-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlsAggregationService } from '../src/aggregation/index.js';
import type { AggregationResult } from '../src/aggregation/types.js';
import { initBls } from '../src/backend/select.js';
import { G1 } from '../src/curve.js';
import { BlsError } from '../src/errors.js';
import { digestOf, keyPair, operators, verifiesOnChain } from './aggregation-fixtures.js';

/** Small deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const N = 16;
// Quorum 0: operators 0..11; quorum 1: operators 6..15 (6..11 are in both).
const membership = (i: number) => [...(i <= 11 ? [0] : []), ...(i >= 6 ? [1] : [])];
const stake = (i: number) => BigInt(1 + ((i * 7) % 5)) * 10n;

describe.each(['noble', 'mcl-wasm'] as const)('aggregation scenario on %s', (backend) => {
  beforeAll(async () => {
    expect(await initBls({ backend })).toBe(backend);
  });
  afterAll(async () => {
    await initBls({ backend: 'noble' });
  });
  for (const seed of [7]) {
    it(`seed ${seed}: four concurrent tasks, adversarial traffic, one valid result each`, async () => {
      const rand = prng(seed);
      const { provider } = operators(N, (i) => Object.fromEntries(membership(i).map((q) => [q, stake(i)])));
      const clock = new ManualClock();
      const service = new BlsAggregationService({ operatorState: provider, clock });
      const results: AggregationResult[] = [];
      service.onResult((r) => results.push(r));
      const tasks = [1, 2, 3, 4];
      for (const t of tasks) {
        await service.initializeTask({
          taskIndex: t,
          referenceBlock: 100 + t,
          quorumNumbers: t % 2 === 0 ? [0, 1] : [1],
          thresholdPercentages: t % 2 === 0 ? [60, 50] : [70],
          expiry: { afterMs: 10_000 },
        });
      }
      type Msg = { t: number; i: number; kind: 'good' | 'forged' | 'other-digest' };
      const msgs: Msg[] = [];
      for (const t of tasks) {
        for (let i = 0; i < N; i++) {
          const r = rand();
          if (r < 0.1) continue; // silent operator
          msgs.push({ t, i, kind: r < 0.18 ? 'forged' : r < 0.24 ? 'other-digest' : 'good' });
          if (rand() < 0.15) msgs.push({ t, i, kind: 'good' }); // a resend
        }
      }
      for (let k = msgs.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [msgs[k], msgs[j]] = [msgs[j]!, msgs[k]!];
      }
      const outcomes: string[] = [];
      for (const [n, m] of msgs.entries()) {
        const d = m.kind === 'other-digest' ? digestOf(`task ${m.t} alternative`) : digestOf(`task ${m.t}`);
        const signature = m.kind === 'forged' ? keyPair(m.i).sign(d).add(G1.BASE) : keyPair(m.i).sign(d);
        const p = service.processSignature({
          taskIndex: m.t,
          digest: d,
          signature,
          operatorId: keyPair(m.i).operatorId,
        });
        // Let verification run now and then, so some signatures arrive after their task finished.
        await p.then(
          () => outcomes.push('ok'),
          (e: unknown) => {
            expect(e).toBeInstanceOf(BlsError);
            outcomes.push((e as BlsError).code);
          },
        );
        if (n % 7 === 0) await new Promise<void>((r) => setTimeout(r, 0));
      }
      await new Promise<void>((r) => setTimeout(r, 0));
      await clock.advance(10_000);
      expect(results.map((r) => r.taskIndex).sort()).toEqual(tasks);
      for (const r of results) {
        if (r.status !== 'aggregated') continue;
        const quorums = r.quorumNumbers;
        const k = (id: string) => {
          const i = Array.from({ length: N }, (_, x) => x).find((x) => keyPair(x).operatorId === id)!;
          return membership(i).filter((q) => quorums.includes(q)).length;
        };
        expect(verifiesOnChain(r, k)).toBe(true);
        r.signedStakePerQuorum.forEach((s, q) => {
          const pct = BigInt(r.quorumNumbers.length === 2 ? [60, 50][q]! : 70);
          expect(s * 100n >= r.totalStakePerQuorum[q]! * pct).toBe(true);
        });
      }
      expect(results.filter((r) => r.status === 'aggregated').length).toBeGreaterThan(0);
      expect(outcomes).toContain('ok');
      expect(service.activeTaskCount).toBe(0);
    });
  }
});
