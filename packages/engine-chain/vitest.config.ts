import { testConfig } from '@avs/tooling-config/vitest';

export default testConfig();
