/**
 * Entry point of the benchmark on Bun and Deno (spawned by transport.bench.ts).
 * Prints one JSON line with the rows.
 */
import { serveBun } from '../src/adapters/bun.js';
import { serveDeno } from '../src/adapters/deno.js';
import type { ServeFn } from '../src/adapters/served.js';
import { runAll } from './transport-bench-core.js';

const g = globalThis as { Bun?: unknown; Deno?: unknown };
const runtime = g.Bun ? 'bun' : g.Deno ? 'deno' : 'unknown';
const serve: ServeFn = runtime === 'bun' ? (f) => serveBun(f) : (f) => serveDeno(f);
const result = await runAll(runtime, serve, (input, init) => fetch(input, init));
console.log(JSON.stringify(result));
