import { testConfig } from '@avs/tooling-config/vitest';

export default testConfig({ testTimeout: 60_000, fileParallelism: false });
