import { library } from '@avs/tooling-config/tsup';
import type { Options } from 'tsup';

const base = library({
  entry: { index: 'src/index.ts', 'aggregation/index': 'src/aggregation/index.ts' },
}) as Options;

// Two entry points share the core modules: split them into shared chunks so
// `@avs/bls` and `@avs/bls/aggregation` use the same classes (instanceof BlsError holds across both).
export default { ...base, splitting: true } satisfies Options;
