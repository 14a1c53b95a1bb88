import { fileURLToPath } from 'node:url';

/** The server entry of `avs-kv`: this package's built `dist/main.js` (what harnesses spawn). */
export const DEFAULT_KV_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
