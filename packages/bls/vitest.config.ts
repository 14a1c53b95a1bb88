import { testConfig } from '@avs/tooling-config/vitest';

// Pairings and the standard-cost scrypt test take seconds on a loaded 2-core machine: a wide safety net.
export default testConfig({ testTimeout: 120_000 });
