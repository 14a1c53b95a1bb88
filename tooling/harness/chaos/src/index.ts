/**
 * `@avs/chaos`: the reliability and security suite. Exports the
 * linearizability checker and the fault-injection pieces the runner uses.
 */

export {
  type DevnetFault,
  type DevnetFaultKind,
  type DevnetScenarioOptions,
  type DevnetScenarioResult,
  devnetPassed,
  runDevnetScenario,
} from './devnet-scenario.js';
export {
  isWrite,
  type KvInput,
  type KvOperation,
  type KvOutput,
  type Outcome,
  partitionByKey,
} from './history.js';
export { INITIAL_KV_STATE, type KvState, type KvStep, stepKv } from './kv-model.js';
export {
  type CheckOptions,
  checkKey,
  checkLinearizability,
  type HistoryCheck,
  type KeyCheck,
  type Verdict,
} from './linearizability.js';
