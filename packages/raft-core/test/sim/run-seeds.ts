import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulator.js';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const sizes = [3, 5, 7];

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
        const r = runSimulation({ seed, nodes: sizes[seed % 3]! });
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
      it(`seeds ${start}..${end - 1}: safety after every step (with crashes, partitions, membership changes), liveness after healing`, () => {
        let committed = 0;
        let crashes = 0;
        let snapshots = 0;
        let confChanges = 0;
        for (const seed of mine) {
          const r = runSimulation({ seed, nodes: sizes[seed % 3]! });
          committed += r.committed;
          crashes += r.crashes;
          snapshots += r.snapshotsInstalled;
          confChanges += r.confChanges;
        }
        // The runs did real work: a vacuous simulation would pass every check.
        expect(committed).toBeGreaterThan(mine.length * 5);
        expect(crashes).toBeGreaterThan(0);
        expect(snapshots).toBeGreaterThan(0);
        expect(confChanges).toBeGreaterThan(0);
      });
    }
  });
}
