import { testConfig } from '@avs/tooling-config/vitest';

// A safety net only: dynalite shares the CPU with the suite, and a loaded CI machine slows it down.
const config = testConfig({ testTimeout: 90_000 });
// The shared preset adds the `module` and `import` conditions: `module` sends @aws-sdk/* to its
// dist-es build (extensionless imports Node cannot load) and `import` makes dynalite's
// require('big.js') get the ESM build (dynalite then rejects every number). Resolve like Node here.
const conditions = ['@avs/source', 'node', 'default'];
if (config.resolve) config.resolve.conditions = conditions;
if (config.ssr?.resolve) config.ssr.resolve.conditions = conditions;

export default config;
