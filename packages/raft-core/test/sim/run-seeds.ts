import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulator.js';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/**
 * Registers simulation tests for the seeds `s` with `s % parts === part`.
 * RAFT_SIM_SEEDS sets how many seeds in total (default 2000);
 * RAFT_SIM_SEED=<n> runs exactly seed n (in part 0) and prints its summary.
 */
export function describeSimulation(part: number, parts: number): void {
  describe(`deterministic simulation (part ${part + 1} of ${parts})`, () => {
    const single = env.RAFT_SIM_SEED;
    if (single !== undefined) {
      if (part !== 0) return;
      it(`seed ${single}`, () => {
        const seed = Number(single);
        const r = runSimulation({ seed });
        console.log(r);
        expect(r.seed).toBe(seed);
      });
      return;
    }
    const total = Number(env.RAFT_SIM_SEEDS ?? 2000);
    const chunk = 200;
    for (let start = 0; start < total; start += chunk) {
      const end = Math.min(total, start + chunk);
      const mine: number[] = [];
      for (let s = start; s < end; s++) if (s % parts === part) mine.push(s);
      if (mine.length === 0) continue;
      it(`seeds ${start}..${end - 1}: safety and linearizable reads after every step, liveness after healing`, () => {
        const sum = { committed: 0, crashes: 0, snapshots: 0, confChanges: 0, reads: 0 };
        for (const seed of mine) {
          const r = runSimulation({ seed });
          sum.committed += r.committed;
          sum.crashes += r.crashes;
          sum.snapshots += r.snapshotsInstalled;
          sum.confChanges += r.confChanges;
          sum.reads += r.reads;
        }
        // The runs did real work: a vacuous simulation would pass every check.
        expect(sum.committed).toBeGreaterThan(mine.length * 5);
        expect(sum.crashes).toBeGreaterThan(0);
        expect(sum.snapshots).toBeGreaterThan(0);
        expect(sum.confChanges).toBeGreaterThan(0);
        expect(sum.reads).toBeGreaterThan(0);
      });
    }
  });
}
