/**
 * The CI version of the chaos run: one 3-process kv cluster under the client
 * workload, every fault kind injected once (crash, pause, partitions, loss,
 * slow disk, failed fsync), then the history is checked. The full run is
 * `pnpm --filter @avs/chaos chaos` (see the README).
 */
import { describe, expect, it } from 'vitest';
import { shortPlan } from '../src/plans.js';
import { runScenario } from '../src/scenario.js';

describe('chaos, short: 3 kv processes under every fault kind', () => {
  it('stays linearizable, loses no acknowledged write, recovers a leader after each fault, leaves no process', async () => {
    const [plan] = shortPlan(Number(process.env.AVS_CHAOS_SEED ?? 11));
    if (!plan) throw new Error('the short plan has a scenario');
    const lines: string[] = [];
    const r = await runScenario({ ...plan, log: (l) => lines.push(l) });
    const context = `seed ${r.seed}\n${lines.join('\n')}`;
    expect(
      r.faults.map((f) => f.kind),
      context,
    ).toEqual(plan.faults);
    expect(
      r.faults.filter((f) => !f.survived),
      context,
    ).toEqual([]);
    expect(r.operations.ok, context).toBeGreaterThan(0);
    expect(r.check.verdict, context).toBe('linearizable');
    expect(r.lostWrites, context).toEqual([]);
    expect(r.leftBehind, context).toEqual([]);
  });
});
