import { testConfig } from '@avs/tooling-config/vitest';

export default testConfig({ testTimeout: 240_000, fileParallelism: false });
