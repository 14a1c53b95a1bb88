/**
 * The CI version of the devnet chaos run: 3 operator processes (built CLI) on
 * a real anvil chain, their traffic to each other through fault proxies; the
 * leader is SIGKILLed once and partitioned from the others once. Every task
 * created before the cutoff must end with exactly one on-chain response or an
 * explicit expiry, no task may have two, a leader of a later term must take
 * over each time, and no process may be left. Outcome assertions only; the
 * deadlines are generous bounds, not measurements. The full run is
 * `pnpm --filter @avs/chaos chaos:devnet`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDevnetScenario } from '../src/devnet-scenario.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('devnet chaos, short: 3 operators, one leader kill and one leader partition', () => {
  it('answers every task exactly once or expires it, recovers a leader after each fault, leaves no process', async () => {
    dir = await mkdtemp(join(tmpdir(), 'avs-chaos-devnet-'));
    const lines: string[] = [];
    const r = await runDevnetScenario({
      dataDir: dir,
      faults: ['kill-leader', 'partition-leader'],
      fromBuild: true,
      stepTimeoutMs: 60_000,
      settleMs: 60_000,
      log: (line) => {
        lines.push(line);
        if (lines.length > 400) lines.shift();
      },
    });
    const context = `${JSON.stringify(r)}\n${lines.slice(-120).join('\n')}`;
    expect(
      r.faults.map((f) => f.kind),
      context,
    ).toEqual(['kill-leader', 'partition-leader']);
    for (const f of r.faults) expect(f.newLeader, context).not.toBe(f.target);
    expect(r.cutoff, context).toBeGreaterThan(0);
    expect(r.unsettled, context).toEqual([]);
    expect(r.duplicates, context).toEqual([]);
    expect(r.responded + r.expired, context).toBe(r.cutoff);
    expect(r.tasksOnChain, context).toBe(r.cutoff);
    expect(r.crashed, context).toEqual([]);
    expect(r.leftBehind, context).toEqual([]);
  });
});
