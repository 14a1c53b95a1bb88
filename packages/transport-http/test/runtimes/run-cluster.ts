/**
 * Runs the cluster scenario on Bun or Deno (spawned by cluster-runtimes.test.ts).
 * Prints `RESULT <json>` on success; exits 1 with the error on failure.
 */
import { serveBun } from '../../src/adapters/bun.js';
import { serveDeno } from '../../src/adapters/deno.js';
import type { ServeFn } from '../../src/adapters/served.js';
import { runClusterScenario } from './cluster-scenario.js';

const g = globalThis as { Bun?: unknown; Deno?: { exit(code: number): never } };
const serve: ServeFn = g.Bun ? (f) => serveBun(f) : (f) => serveDeno(f);

try {
  const result = await runClusterScenario(serve);
  console.log(`RESULT ${JSON.stringify({ runtime: g.Bun ? 'bun' : 'deno', ...result })}`);
} catch (error) {
  console.error(error);
  if (g.Deno) g.Deno.exit(1);
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(1);
}
