import { mkdtemp } from 'node:fs/promises';
import { batchedAppends, perSecond } from '../../storage-kv/bench/workloads.js';
import { createLevelStorage } from '../src/index.js';

const s = createLevelStorage({ location: await mkdtemp('/tmp/lvp-') });
await s.initialState();
const r = await batchedAppends(s, 3000);
console.log(perSecond(r));
await s.close();
