import { testConfig } from '@avs/tooling-config/vitest';

const config = testConfig();
// The shared preset resolves the `module` condition, which sends @aws-sdk/* to its
// dist-es build (extensionless imports Node cannot load); resolve like Node does here.
const conditions = ['@avs/source', 'node', 'default'];
if (config.resolve) config.resolve.conditions = conditions;
if (config.ssr?.resolve) config.ssr.resolve.conditions = conditions;

export default config;
