/**
 * The two runs of the suite: `short` (CI: one 3-node scenario with every
 * fault kind once, a few minutes at most on 2 cores) and `full` (3 and 5
 * nodes, every fault kind twice, more clients and operations).
 */
import { FAULT_KINDS } from './faults.js';
import type { ScenarioOptions } from './scenario.js';

/** Scenario settings without the log callback. */
export type ScenarioPlan = Omit<ScenarioOptions, 'log'>;

/** Raft timing of both plans: 50 ms ticks, election timeout 10 ticks. */
export const PLAN_RAFT_TIMING = { tickMs: 50, electionTicks: 10 } as const;

const common = { ...PLAN_RAFT_TIMING, keys: 8 } as const;

/** The CI run. */
export function shortPlan(seed: number): ScenarioPlan[] {
  return [
    {
      ...common,
      size: 3,
      seed,
      faults: [...FAULT_KINDS],
      clients: 4,
      // At most ~160 calls/s: on a fast machine the load still spans every fault; a cap keeps the check small.
      thinkMs: 25,
      maxOperations: 4_000,
      holdMs: 1_200,
      quietMs: 300,
      checkBudgetMs: 30_000,
    },
  ];
}

/** The full run. */
export function fullPlan(seed: number): ScenarioPlan[] {
  const twice = [...FAULT_KINDS, ...FAULT_KINDS];
  return ([3, 5] as const).map((size, i) => ({
    ...common,
    size,
    seed: seed + i,
    faults: twice,
    clients: 6,
    thinkMs: 10,
    maxOperations: 40_000,
    holdMs: 2_000,
    quietMs: 1_000,
    checkBudgetMs: 120_000,
  }));
}
