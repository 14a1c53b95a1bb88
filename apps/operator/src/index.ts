export * from './avs/example-avs.js';
export * from './avs/task-module.js';
export * from './config.js';
export {
  createDashboardApp,
  type Dashboard,
  type DashboardSource,
  serveDashboard,
} from './dashboard/dashboard-server.js';
export { type Devnet, type DevnetEndpoint, type DevnetOptions, startDevnet } from './devnet/devnet.js';
export type { DevnetSnapshot, DevnetTask, OperatorView } from './devnet/devnet-state.js';
export * from './errors.js';
export * from './keys.js';
export { componentLogger, createOperatorLogger, LOG_LEVELS, type LogLevel } from './logging.js';
export { mountNodeApi, NODE_API_SPEC_VERSION, type NodeService } from './metrics/node-api.js';
export { OperatorMetrics } from './metrics/operator-metrics.js';
export {
  type ModuleTaskRequest,
  type OperatorStatus,
  type RunningOperator,
  type StartOperatorOptions,
  startOperator,
} from './operator.js';
export { runStartupChecks, type StartupCheckReport } from './startup-checks.js';
