import { testConfig } from '@avs/tooling-config/vitest';

export default testConfig({ testTimeout: 180_000, fileParallelism: false });
