import { library } from '@avs/tooling-config/tsup';

export default library({
  entry: {
    index: 'src/index.ts',
    'adapters/node-entry': 'src/adapters/node-entry.ts',
    'adapters/bun': 'src/adapters/bun.ts',
    'adapters/deno': 'src/adapters/deno.ts',
  },
});
