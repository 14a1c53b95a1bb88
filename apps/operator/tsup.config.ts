import { library } from '@avs/tooling-config/tsup';

export default library({
  entry: ['src/index.ts', 'src/cli.ts'],
  platform: 'node',
  banner: '#!/usr/bin/env node',
});
