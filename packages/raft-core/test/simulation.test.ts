/**
 * Deterministic simulation, part of the seeds (see test/sim/run-seeds.ts for
 * the settings). RAFT_SIM_SEEDS=100000 runs more; RAFT_SIM_SEED=<n> re-runs one.
 */
import { describeSimulation } from './sim/run-seeds.js';

describeSimulation(0, 2);
