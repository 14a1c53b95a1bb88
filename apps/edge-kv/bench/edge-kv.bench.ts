/**
 * edge-kv in local workerd (Miniflare 4): writes and linearizable reads
 * through the Worker at 1 and 16 in flight, against a baseline measured in
 * the same run (`GET /health` through the same Worker: HTTP and routing, no
 * Raft), and the alarm writes the AlarmClock makes per member per second while
 * the cluster idles. Prints a table and writes bench-results/edge-kv.json.
 *
 *   pnpm --filter @avs/edge-kv bench
 *
 * Local workerd on a shared machine: figures say how the pieces compare, not
 * what Cloudflare's network gives.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEdgeKv } from '../test/edge-kv-workerd.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const kv = await startEdgeKv();

async function timed(count: number, inFlight: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: Math.round(count / seconds),
    p50Ms: Number((latencies[Math.floor(latencies.length / 2)] ?? 0).toFixed(2)),
  };
}

async function expectOk(res: Response): Promise<void> {
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

const health = () => fetch(`${kv.url}/health`).then(expectOk);
const write = (i: number) =>
  fetch(`${kv.url}/kv/bench-${i % 500}`, { method: 'PUT', body: `v${i}` }).then(expectOk);
const read = (i: number) => fetch(`${kv.url}/kv/bench-${i % 500}`).then(expectOk);

const loadBefore = loadavg();
await timed(500, 16, write); // warm-up; also creates the keys the reads read
const rows: {
  workload: string;
  inFlight: number;
  opsPerSecond: number;
  p50Ms: number;
  vsBaseline: number;
}[] = [];
for (const inFlight of [1, 16]) {
  const count = inFlight === 1 ? 200 : 1_000;
  // Alternate baseline and measured runs, best of 3 each, so load changes hit both alike.
  const best = {
    health: { opsPerSecond: 0, p50Ms: 0 },
    write: { opsPerSecond: 0, p50Ms: 0 },
    read: { opsPerSecond: 0, p50Ms: 0 },
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, op] of [
      ['health', health],
      ['write', write],
      ['read', read],
    ] as const) {
      const r = await timed(count, inFlight, op);
      if (r.opsPerSecond > best[name].opsPerSecond) best[name] = r;
    }
  }
  for (const name of ['health', 'write', 'read'] as const) {
    rows.push({
      workload:
        name === 'health'
          ? 'baseline GET /health'
          : name === 'write'
            ? 'PUT /kv (committed)'
            : 'GET /kv (linearizable)',
      inFlight,
      ...best[name],
      vsBaseline: Number((best[name].opsPerSecond / best.health.opsPerSecond).toFixed(3)),
    });
  }
}

type Status = { member: string; alarmWrites: number };
const statuses = async () => (await (await fetch(`${kv.url}/admin/status`)).json()) as Status[];
const idleSeconds = 5;
const before = await statuses();
await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
const after = await statuses();
const alarmWritesPerSecond = after.map((a) => ({
  member: a.member,
  perSecond: Number(
    ((a.alarmWrites - (before.find((b) => b.member === a.member)?.alarmWrites ?? 0)) / idleSeconds).toFixed(
      2,
    ),
  ),
}));
const loadAfter = loadavg();
await kv.dispose();

const result = {
  date: new Date().toISOString(),
  runtime: 'workerd via miniflare 4.20260730.0 (local)',
  loadAverage: {
    before: loadBefore.map((l) => Number(l.toFixed(2))),
    after: loadAfter.map((l) => Number(l.toFixed(2))),
  },
  rows,
  alarm: { tickMs: 50, ticksPerSecond: 20, idleSeconds, alarmWritesPerSecond },
};
console.table(rows);
console.table(alarmWritesPerSecond);
console.log(
  `load average before ${result.loadAverage.before.join(' ')}, after ${result.loadAverage.after.join(' ')}`,
);
writeFileSync(join(root, 'bench-results', 'edge-kv.json'), `${JSON.stringify(result, null, 2)}\n`);
