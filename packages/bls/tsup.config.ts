import { library } from '@avs/tooling-config/tsup';

export default library({
  entry: {
    index: 'src/index.ts',
    'aggregation/index': 'src/aggregation/index.ts',
    'batch/index': 'src/batch/index.ts',
  },
});
