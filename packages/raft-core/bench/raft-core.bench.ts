/**
 * Benchmark: a 3-node cluster in one process (MemoryStorage + in-memory
 * network, real timers via the default clock), committed-and-applied
 * entries per second as seen by the proposer, with 1, 16 and 256 proposals
 * in flight, and with proposals batched. Prints a table and writes
 * <repo>/bench-results/raft-core.json.
 *
 * Run: pnpm --filter @avs/raft-core bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryNetwork, MemoryStorage, RaftNode, type StateMachine } from '../src/index.js';
import type { Entry } from '../src/types.js';

const GOALS = { single: 50_000, batched: 300_000 };
const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const PAYLOAD = 64; // bytes per entry

class CounterStateMachine implements StateMachine<number> {
  count = 0;
  apply(entries: readonly Entry[]): number[] {
    return entries.map(() => ++this.count);
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(String(this.count));
  }
  restore(data: Uint8Array): void {
    this.count = Number(new TextDecoder().decode(data) || 0);
  }
}

async function cluster() {
  const net = createMemoryNetwork();
  const ids = ['n1', 'n2', 'n3'];
  const nodes = await Promise.all(
    ids.map((id) =>
      RaftNode.start<number>({
        id,
        storage: new MemoryStorage(),
        transport: net.transport(id),
        stateMachine: new CounterStateMachine(),
        bootstrap: { voters: ids },
        config: {
          tickMs: 10,
          snapshotEntries: 50_000,
          snapshotTrailingEntries: 5_000,
          proposalTimeoutMs: 60_000,
        },
      }),
    ),
  );
  nodes[0]!.campaign();
  for (;;) {
    const leader = nodes.find((n) => n.status().role === 'leader');
    if (leader) return { nodes, leader };
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Result {
  /** Committed entries per wall-clock second. */
  perSec: number;
  /** Committed entries per second of this process's CPU time (robust to a loaded machine). */
  perCpuSec: number;
  total: number;
}

function result(done: number, start: number, cpu0: NodeJS.CpuUsage): Result {
  const secs = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: done / secs, perCpuSec: done / ((cpu.user + cpu.system) / 1e6), total: done };
}

/**
 * Keeps `inflight` single-entry proposals (RaftNode.propose) outstanding for
 * `ms`; returns committed entries per second. The in-memory cluster runs on
 * microtasks only (timers do not fire meanwhile), so the deadline is checked
 * as proposals complete.
 */
async function run(inflight: number, ms = DURATION_MS): Promise<Result> {
  const { nodes, leader } = await cluster();
  const payload = new Uint8Array(PAYLOAD);
  let done = 0;
  let stop = false;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const worker = async () => {
    while (!stop) {
      await leader.propose(payload);
      done++;
      if ((done & 63) === 0 && performance.now() - start >= ms) stop = true;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const r = result(done, start, cpu0);
  for (const n of nodes) await n.close();
  return r;
}

/** Keeps `depth` batches of `batch` entries (RaftNode.proposeBatch) outstanding. */
async function runBatched(batch: number, depth: number): Promise<Result> {
  const { nodes, leader } = await cluster();
  const payloads = Array.from({ length: batch }, () => new Uint8Array(PAYLOAD));
  let done = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < DURATION_MS) {
      await leader.proposeBatch(payloads);
      done += batch;
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
  const r = result(done, start, cpu0);
  for (const n of nodes) await n.close();
  return r;
}

const rows: {
  scenario: string;
  inFlight: number;
  entriesPerSec: number;
  entriesPerCpuSec: number;
  entries: number;
  goal?: number;
}[] = [];
// Warm-up (JIT), not reported: the first scenario would otherwise pay for compilation.
await run(256, Math.min(1000, DURATION_MS));
for (const n of [1, 16, 256]) {
  const r = await run(n);
  rows.push({
    scenario: `single proposals, ${n} in flight`,
    inFlight: n,
    entriesPerSec: Math.round(r.perSec),
    entriesPerCpuSec: Math.round(r.perCpuSec),
    entries: r.total,
    goal: GOALS.single,
  });
}
for (const b of [256, 4096]) {
  const r = await runBatched(b, 4);
  rows.push({
    scenario: `batched: 4 x ${b}-entry batches in flight`,
    inFlight: 4 * b,
    entriesPerSec: Math.round(r.perSec),
    entriesPerCpuSec: Math.round(r.perCpuSec),
    entries: r.total,
    goal: GOALS.batched,
  });
}

/**
 * A fixed CPU loop timed in the same run: this machine is shared, and a
 * slow loop means every figure above is proportionally low.
 */
function calibrate(): number {
  const t = performance.now();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x += i % 7;
  if (x < 0) console.log(x);
  return Math.round(performance.now() - t);
}
const calibrationMs = calibrate();

console.log(
  `raft-core: 3 nodes, one process, MemoryStorage + in-memory network, ${PAYLOAD}-byte entries, ${DURATION_MS} ms per scenario`,
);
console.log(
  `CPU calibration: 1e8-iteration loop took ${calibrationMs} ms (about 100-150 ms on an idle modern core)`,
);
console.table(
  rows.map((r) => ({
    scenario: r.scenario,
    'entries/s': r.entriesPerSec.toLocaleString('en-US'),
    'entries/CPU-s': r.entriesPerCpuSec.toLocaleString('en-US'),
    goal: r.goal ? r.goal.toLocaleString('en-US') : '',
    met: r.goal ? (r.entriesPerSec >= r.goal ? 'yes' : 'no') : '',
  })),
);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const out = resolve(process.env.BENCH_RESULTS_DIR ?? resolve(root, 'bench-results'), 'raft-core.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: 'raft-core', node: process.version, cpuCalibrationMs: calibrationMs, durationMs: DURATION_MS, payloadBytes: PAYLOAD, rows, goals: GOALS }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
