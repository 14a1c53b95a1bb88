import { library } from '@avs/tooling-config/tsup';

export default library({
  platform: 'node',
  entry: { index: 'src/index.ts', 'local-chain': 'src/local-chain-entry.ts', cli: 'src/cli.ts' },
});
