export * from './avs/example-avs.js';
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
export { type OperatorStatus, type RunningOperator, startOperator } from './operator.js';
