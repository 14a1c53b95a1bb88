/** `pnpm --filter @avs/layers check`: exits 1 and lists every import that runs up a layer. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers } from './check-layers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const violations = checkLayers(root);
for (const v of violations) console.error(`${v.where}: ${v.reason}`);
if (violations.length > 0) {
  console.error(`${violations.length} import(s) against the layers of docs/architecture.md`);
  process.exit(1);
}
console.log('layers: every import runs down or across a layer');
