import { testConfig } from '@avs/tooling-config/vitest';

// Scenario suites run whole clusters; on a loaded 2-core machine they need more than the default 30 s.
export default testConfig({ testTimeout: 90_000 });
