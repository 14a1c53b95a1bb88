/**
 * `pnpm --filter @avs/transport-http bench`: Raft messages/s and MB/s between
 * two nodes on 127.0.0.1, with and without authentication, on Node (in this
 * process), Bun and Deno (child processes from the npm packages). Prints a
 * table and writes <repo>/bench-results/transport.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveNode } from '../src/adapters/node.js';
import { createPooledFetch } from '../src/adapters/node-fetch.js';
import { runtimeCommands } from '../test/support/runtime-commands.js';
import { type AuthCpuRow, type BenchRow, runAll } from './transport-bench-core.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');
const pooled = createPooledFetch();
const nodeResult = await runAll('node', (f) => serveNode(f), pooled.fetch);
const rows: BenchRow[] = nodeResult.rows;
const authCpu: AuthCpuRow[] = [nodeResult.authCpu];
const authCostRounds: Record<string, number[]> = { ...nodeResult.authCostRounds };
await pooled.close();

// BENCH_SMOKE=1 (CI): Node only, tiny workloads. BENCH_RUNTIMES=node,bun picks the child runtimes.
const wanted = (process.env.BENCH_RUNTIMES ?? 'node,bun,deno').toLowerCase().split(',');
const runtimes =
  process.env.BENCH_SMOKE === '1'
    ? []
    : runtimeCommands(pkg, 'bench/runtime-bench.ts')
        .filter(([name]) => wanted.includes(name.toLowerCase()))
        // Deno exposes gc() (collected before each timed phase) with this flag; Bun has Bun.gc.
        .map(([name, bin, args]): [string, string, string[]] =>
          name === 'Deno'
            ? [name, bin, [args[0]!, '--v8-flags=--expose-gc', ...args.slice(1)]]
            : [name, bin, args],
        );
const failures: Record<string, string> = {};
for (const [name, bin, args] of runtimes) {
  const r = spawnSync(bin, args, { cwd: pkg, encoding: 'utf8', timeout: 300_000 });
  const key = name.toLowerCase();
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(last) as {
      rows: BenchRow[];
      authCpu: AuthCpuRow;
      authCostRounds: Record<string, number[]>;
    };
    rows.push(...result.rows);
    authCpu.push(result.authCpu);
    Object.assign(authCostRounds, result.authCostRounds);
  } catch {
    failures[key] = `${r.error?.message ?? ''} ${r.stderr?.slice(-500) ?? ''}`.trim();
    console.error(`${name}: benchmark failed: ${failures[key]}`);
  }
}

/** Median of the per-round costs, and their spread ((q3 - q1), in cost points). */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  return s[Math.floor(pos)]! + (s[Math.ceil(pos)]! - s[Math.floor(pos)]!) * (pos - Math.floor(pos));
};
const authCost: Record<string, number> = {};
const authCostSpread: Record<string, number> = {};
for (const [key, costs] of Object.entries(authCostRounds)) {
  if (costs.length === 0) continue;
  authCost[key] = quantile(costs, 0.5);
  authCostSpread[key] = quantile(costs, 0.75) - quantile(costs, 0.25);
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log('');
console.log(
  'runtime | workload                        | mode             |   messages/s |    MB/s | batches',
);
console.log(
  '------- | ------------------------------- | ---------------- | ------------ | ------- | -------',
);
for (const r of rows) {
  console.log(
    `${r.runtime.padEnd(7)} | ${r.workload.padEnd(31)} | ${r.mode.padEnd(16)} | ${fmt(r.messagesPerSecond).padStart(12)} | ${fmt(r.megabytesPerSecond, 1).padStart(7)} | ${String(r.batches).padStart(7)}`,
  );
}
console.log('');
for (const [k, v] of Object.entries(authCost)) {
  console.log(
    `throughput lost to authentication at saturation, ${k}: ${(v * 100).toFixed(1)}% (median of ${authCostRounds[k]?.length} rounds; q1-q3 spread ${((authCostSpread[k] ?? 0) * 100).toFixed(1)} points)`,
  );
}
for (const c of authCpu) {
  console.log(
    `${c.runtime}: sign + verify of a ${c.messagesPerBatch}-message batch (${fmt(c.frameBytes / 1024)} KiB) takes ${fmt(c.microsecondsPerBatch)} µs: ${(c.coreFractionAtRate * 100).toFixed(2)}% of one core at ${fmt(c.ratePerSecond)} messages/s`,
  );
}

const out = join(process.env.BENCH_RESULTS_DIR ?? join(root, 'bench-results'), 'transport.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'transport-http: Raft messages between two nodes on 127.0.0.1',
      date: new Date().toISOString(),
      node: process.version,
      notes:
        'authenticated = HttpTransport end to end (on Node: one peer stream of HMAC-SHA256 frames, batching up to 1 MiB; on Bun and Deno: one signed request per batch, one in flight per peer; SHA-256/HMAC native through node:crypto where the runtime has it); baseline-no-auth = same frames and batch sizes posted sequentially to a bare Hono route; authCost = median over 7 alternating rounds (after a warm-up) of 1 - authenticated/baseline messages per second in the round, authCostSpread its q1-q3 range; rows show the median round of each mode; client and server share one thread, so every frame is MACed twice on the same core (sender and receiver), which a deployment spreads over two machines; authCpu = time to sign and verify one batch of small messages, and the share of one core that takes at 50,000 messages/s',
      goal: { nodeSmallMessagesPerSecond: 50_000, authCostBelow: 0.1 },
      rows,
      authCost,
      authCostSpread,
      authCostRounds,
      authCpu,
      loadAverage1m: loadavg()[0],
      failures,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out}`);
