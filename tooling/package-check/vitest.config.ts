import { testConfig } from '@avs/tooling-config/vitest';

// Packing and installing take seconds each; one file at a time keeps the machine usable.
export default testConfig({ testTimeout: 300_000, fileParallelism: false });
