/**
 * End-to-end figures on the operator devnet (`startDevnet` from `@avs/operator`):
 * for each operator count and task rate, a fresh devnet (anvil + N operator
 * processes) runs for a warm-up, then a measured window; it records verified
 * tasks per second, request → verified-on-chain latency (p50/p99) and the
 * CPU the leader process (and all operators) spent per verified task, read
 * from `/proc/<pid>/stat` before and after the window.
 *
 *   pnpm --filter @avs/bench bench:e2e                       # builds @avs/operator, then 3, 7, 15 operators; writes bench-results/devnet.json
 *
 * The operator processes run the built CLI (`apps/operator/dist`; bench:e2e builds it first):
 * started from source with tsx, 15 of them take minutes to start on 2 cores. `--from-source` runs them with tsx.
 *   node --conditions=@avs/source --import tsx src/devnet-e2e.ts --operators 3 --rates 20,100 --seconds 30
 *   node --conditions=@avs/source --import tsx src/devnet-e2e.ts --cells 3x10,3x100,7x100,15x100
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DevnetSnapshot, startDevnet } from '@avs/operator';
import { GOALS } from './devnet-section.js';
import { machineInfo } from './machine.js';
import { processCpuMs, processRssMiB, totalCpuMs } from './process-cpu.js';

/** One measured devnet run. */
export interface DevnetRow {
  readonly operators: number;
  /** Tasks the driver creates per second. */
  readonly taskRate: number;
  readonly measuredSeconds: number;
  /** Tasks verified on-chain during the window, per second. */
  readonly verifiedPerSec: number;
  /** Tasks created during the window, per second. */
  readonly createdPerSec: number;
  /** Tasks the leader aggregated (quorum reached, before the on-chain transaction) during the window, per second. */
  readonly aggregatedPerSec: number;
  /** Request → verified on-chain, over the devnet's last (at most 500) tracked tasks at the window's end. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /**
   * Request → the leader's aggregate (its replicated `aggregatedAtMs`), over the tracked tasks
   * whose aggregate the devnet saw (it samples the leader's recent records every 500 ms).
   */
  readonly aggregateP50Ms: number | null;
  readonly aggregateP99Ms: number | null;
  readonly aggregateSamples: number;
  /** Leader process CPU ms per verified task (null when the leader changed or could not be read). */
  readonly leaderCpuMsPerTask: number | null;
  /** All operator processes' CPU ms per verified task. */
  readonly operatorsCpuMsPerTask: number | null;
  /**
   * All operator processes' CPU ms per task aggregated in the window: what a task costs the
   * operators up to its aggregate (on a loaded machine a truer cost than per verified task,
   * whose count the on-chain pipeline limits). 2 cores / this = the operators' CPU ceiling.
   */
  readonly operatorsCpuMsPerAggregated?: number | null;
  /** All operator processes' CPU over the window, in cores (CPU seconds per second). */
  readonly operatorsCpuCores?: number;
  /** The chain's (anvil's) CPU over the window, in cores: it mines a block per transaction. */
  readonly anvilCpuCores?: number;
  /** All operator processes' resident memory at the window's end, MiB. */
  readonly operatorsRssMiB?: number;
  /** The largest operator process's resident memory, MiB. */
  readonly operatorRssMiBMax?: number;
  readonly expired: number;
  readonly failed: number;
  readonly leaderChanges: number;
  /** The machine's 1-minute load average when the window started (other work on it slows every process). */
  readonly loadAverage1m?: number;
  /** The 1-minute load average when the window ended. */
  readonly loadAverageEnd1m?: number;
  /** Tasks per batch at most (the operators' `engine.batching.maxTasks`); 0: batching off, one transaction per task. */
  readonly batchMaxTasks?: number;
  /** `eigenlayer`: incredible-squaring's TaskManager (single responses, pipelined); absent: ours. */
  readonly chain?: 'eigenlayer';
  /** The operators' `engine.maxVoters` when set (the rest are learners). */
  readonly maxVoters?: number;
  /** verified/s ÷ created/s over the window (1: the chain keeps up with creation). */
  readonly verifiedPerCreated?: number | null;
  readonly note?: string;
  /** Set when the devnet could not be started or measured; the figures are then 0. */
  readonly error?: string;
}

function failedRow(operators: number, taskRate: number, error: unknown): DevnetRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    operators,
    taskRate,
    measuredSeconds: 0,
    verifiedPerSec: 0,
    createdPerSec: 0,
    aggregatedPerSec: 0,
    latencyP50Ms: 0,
    latencyP99Ms: 0,
    aggregateP50Ms: null,
    aggregateP99Ms: null,
    aggregateSamples: 0,
    leaderCpuMsPerTask: null,
    operatorsCpuMsPerTask: null,
    operatorsCpuMsPerAggregated: null,
    expired: 0,
    failed: 0,
    leaderChanges: 0,
    error: message.split('\n')[0] ?? message,
  };
}

/** The file `bench-results/devnet.json`. */
export interface DevnetResult {
  readonly benchmark: 'devnet-e2e';
  readonly date: string;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly warmupSeconds: number;
  readonly rows: readonly DevnetRow[];
  /** Issue #19's goals (see devnet-section.ts). */
  readonly goals: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const finite = (v: number): number | null => (Number.isFinite(v) ? Math.round(v) : null);

function leaderOf(s: DevnetSnapshot): { name: string; pid: number } | undefined {
  const l = s.operators.find((o) => o.up && o.role === 'leader' && o.pid !== undefined);
  return l ? { name: l.name, pid: l.pid! } : undefined;
}

/** Settings of one measured devnet besides its size and rate. */
export interface DevnetRunSettings {
  /** Tasks per batch; 0 turns batching off. Default the operator's (64 on avs-raft). */
  readonly batchMaxTasks?: number;
  readonly batchDelayMs?: number;
  /** The driver's bound on tasks created but not yet aggregated; default 64. */
  readonly maxOutstandingTasks?: number;
  /** The contracts: ours (default) or EigenLayer's incredible-squaring (no batch call: pipelined single responses). */
  readonly chain?: 'avs-raft' | 'eigenlayer';
  /** The operators' `engine.maxVoters`; default the engine's (5). */
  readonly maxVoters?: number;
}

/** Runs one devnet for `warmupS + seconds` and measures the last `seconds`. */
export async function measureDevnet(
  operators: number,
  taskRate: number,
  seconds: number,
  warmupS: number,
  log: (line: string) => void,
  fromBuild = false,
  settings: DevnetRunSettings = {},
): Promise<DevnetRow> {
  const dataDir = mkdtempSync(join(tmpdir(), 'avs-devnet-bench-'));
  const { batchMaxTasks, batchDelayMs, maxOutstandingTasks, chain = 'avs-raft', maxVoters } = settings;
  const batching =
    batchMaxTasks === 0
      ? (false as const)
      : batchMaxTasks === undefined && batchDelayMs === undefined
        ? undefined
        : {
            ...(batchMaxTasks === undefined ? {} : { maxTasks: batchMaxTasks }),
            ...(batchDelayMs === undefined ? {} : { delayMs: batchDelayMs }),
          };
  const devnet = await startDevnet({
    operators,
    taskRate,
    dataDir,
    fromBuild,
    onLine: () => {},
    ...(batching === undefined ? {} : { batching }),
    ...(maxOutstandingTasks === undefined ? {} : { maxOutstandingTasks }),
    ...(maxVoters === undefined ? {} : { maxVoters }),
    chain,
  });
  try {
    await sleep(warmupS * 1000);
    const s0 = devnet.state.snapshot();
    const leader0 = leaderOf(s0);
    const pids = s0.operators.flatMap((o) => (o.pid === undefined ? [] : [o.pid]));
    const leaderCpu0 = leader0 ? processCpuMs(leader0.pid) : undefined;
    const allCpu0 = totalCpuMs(pids);
    const anvilCpu0 = processCpuMs(devnet.chain.anvilPid);
    const load0 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const t0 = performance.now();
    const wall0 = Date.now();
    await sleep(seconds * 1000);
    const s1 = devnet.state.snapshot();
    // Latencies of the tasks created in the window only (the snapshot's cover the warm-up too).
    const inWindow = devnet.state.latencySince(wall0);
    const load1 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const elapsed = (performance.now() - t0) / 1000;
    const leader1 = leaderOf(s1);
    const leaderCpu1 = leader1 ? processCpuMs(leader1.pid) : undefined;
    const allCpu1 = totalCpuMs(pids);
    const anvilCpu1 = processCpuMs(devnet.chain.anvilPid);
    const rss = pids.flatMap((pid) => {
      const mib = processRssMiB(pid);
      return mib === undefined ? [] : [mib];
    });
    const verified = s1.totals.verified - s0.totals.verified;
    const aggregated = s1.totals.answered - s0.totals.answered;
    const sameLeader = leader0 !== undefined && leader1?.pid === leader0.pid;
    const perTask = (ms: number) => (verified > 0 ? Number((ms / verified).toFixed(2)) : null);
    const row: DevnetRow = {
      operators,
      taskRate,
      measuredSeconds: Number(elapsed.toFixed(1)),
      verifiedPerSec: Number((verified / elapsed).toFixed(2)),
      createdPerSec: Number(((s1.totals.created - s0.totals.created) / elapsed).toFixed(2)),
      aggregatedPerSec: Number((aggregated / elapsed).toFixed(2)),
      latencyP50Ms: Math.round(inWindow.verified.p50),
      latencyP99Ms: Math.round(inWindow.verified.p99),
      aggregateP50Ms: finite(inWindow.aggregate.p50),
      aggregateP99Ms: finite(inWindow.aggregate.p99),
      aggregateSamples: inWindow.aggregate.samples,
      leaderCpuMsPerTask:
        sameLeader && leaderCpu0 !== undefined && leaderCpu1 !== undefined
          ? perTask(leaderCpu1 - leaderCpu0)
          : null,
      operatorsCpuMsPerTask: perTask(allCpu1 - allCpu0),
      operatorsCpuMsPerAggregated:
        aggregated > 0 ? Number(((allCpu1 - allCpu0) / aggregated).toFixed(2)) : null,
      operatorsCpuCores: Number(((allCpu1 - allCpu0) / 1000 / elapsed).toFixed(2)),
      operatorsRssMiB: Math.round(rss.reduce((a, b) => a + b, 0)),
      ...(anvilCpu0 === undefined || anvilCpu1 === undefined
        ? {}
        : { anvilCpuCores: Number(((anvilCpu1 - anvilCpu0) / 1000 / elapsed).toFixed(2)) }),
      operatorRssMiBMax: Math.round(Math.max(0, ...rss)),
      expired: s1.totals.expired - s0.totals.expired,
      failed: s1.totals.failed - s0.totals.failed,
      leaderChanges: s1.leaders.filter((l) => l.atMs >= s0.nowMs).length,
      loadAverage1m: load0,
      loadAverageEnd1m: load1,
      batchMaxTasks: batchMaxTasks ?? (chain === 'eigenlayer' ? 0 : 64),
      ...(chain === 'eigenlayer' ? { chain } : {}),
      ...(maxVoters === undefined ? {} : { maxVoters }),
      verifiedPerCreated:
        s1.totals.created > s0.totals.created
          ? Number((verified / (s1.totals.created - s0.totals.created)).toFixed(3))
          : null,
      ...(leader0 ? {} : { note: 'no leader at the start of the window' }),
    };
    log(
      `${operators} operators @ ${taskRate}/s: ${row.createdPerSec} created/s, ${row.aggregatedPerSec} aggregated/s, ${row.verifiedPerSec} verified/s, p50 → aggregate ${row.aggregateP50Ms ?? 'n/a'} ms (p99 ${row.aggregateP99Ms ?? 'n/a'}), p50 → verified ${row.latencyP50Ms} ms (p99 ${row.latencyP99Ms}), leader ${row.leaderCpuMsPerTask ?? 'n/a'} CPU ms/task`,
    );
    return row;
  } finally {
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      operators: { type: 'string', default: '3,7,15' },
      rates: { type: 'string', default: '25,100' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '10' },
      /** Explicit cells instead of the grid, e.g. `3x10,3x100,7x100`. */
      cells: { type: 'string' },
      out: { type: 'string' },
      /** Tasks per batch (0: batching off, one transaction per task); default the operator's, 64. */
      'batch-max-tasks': { type: 'string' },
      'batch-delay-ms': { type: 'string' },
      /** The driver's bound on tasks open at once; default 64. */
      'max-outstanding': { type: 'string' },
      /** Add the rows to the file's rows (same operators, rate and batch size replaced) instead of writing only this run's. */
      merge: { type: 'boolean', default: false },
      chain: { type: 'string', default: 'avs-raft' },
      'max-voters': { type: 'string' },
      /** Run the operator processes from source with tsx (slow to start: 15 of them need minutes) instead of the build. */
      'from-source': { type: 'boolean', default: false },
    },
  });
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const out = values.out ?? join(root, 'bench-results', 'devnet.json');
  const list = (s: string) => s.split(',').map(Number);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const log = (line: string) => process.stderr.write(`[devnet-e2e] ${line}\n`);
  const rows: DevnetRow[] = [];
  const cells = values.cells
    ? values.cells.split(',').map((c) => c.split('x').map(Number) as [number, number])
    : list(values.operators).flatMap((n) => list(values.rates).map((r) => [n, r] as [number, number]));
  const machine = machineInfo();
  const sameCell = (a: DevnetRow, b: DevnetRow) =>
    a.operators === b.operators &&
    a.taskRate === b.taskRate &&
    (a.batchMaxTasks ?? 0) === (b.batchMaxTasks ?? 0) &&
    a.chain === b.chain;
  const previous: DevnetRow[] =
    values.merge && existsSync(out)
      ? (JSON.parse(readFileSync(out, 'utf8')) as DevnetResult).rows.slice()
      : [];
  const write = () => {
    const result: DevnetResult = {
      benchmark: 'devnet-e2e',
      date: new Date().toISOString(),
      machine,
      warmupSeconds: warmup,
      rows: [...previous.filter((p) => !rows.some((r) => sameCell(p, r))), ...rows],
      goals: { ...GOALS },
      notes: [
        'One fresh devnet (anvil + operator processes from the built CLI, file storage, node) per row; every process on this machine.',
        'The task rate is requests per second asked of the driver (every 5th request is an oracle request of three tasks); each 100 ms tick creates the requests due in one createNewTasks transaction and hands them to the leader in one request.',
        "Request → aggregate: from the moment the driver has the on-chain task and hands it to the leader, to the leader's replicated aggregatedAtMs (quorum reached, before the on-chain transaction); sampled from the leader's 50 most recent task records every 500 ms. Request → verified ends when the TaskResponded event is seen (polled every 200 ms).",
        "CPU from /proc/<pid>/stat (10 ms ticks) over the measured window, divided by tasks verified (or aggregated) in it; each row's loadAverage1m is the machine's load average when its window started (this machine is shared: other work competes for its 2 cores).",
        "Latencies are over the tasks created in the measured window (not the warm-up). Batching (avs-raft): the operators' engine.batching, 64 tasks / 10 ms unless the row says otherwise; a batch holds tasks of one reference block, i.e. of one driver tick. eigenlayer rows: incredible-squaring's TaskManager, single responses pipelined (engine.maxConcurrentSubmissions 32), anvil mining a block a second.",
        'A row with a large --max-outstanding is open-loop: creation is not held back, so past saturation the backlog (and the latency) grows through the window; verified ÷ created then measures how far behind the cluster fell.',
        "operatorsCpuCores: all operator processes' CPU over the window in cores; when it is well under the machine's 2 cores while the load average is high, the operators were starved by other work, not limited by their own cost.",
      ],
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  };
  for (const [n, rate] of cells) {
    try {
      rows.push(
        await measureDevnet(n, rate, seconds, warmup, log, !values['from-source'], {
          ...(values['batch-max-tasks'] === undefined
            ? {}
            : { batchMaxTasks: Number(values['batch-max-tasks']) }),
          ...(values['batch-delay-ms'] === undefined
            ? {}
            : { batchDelayMs: Number(values['batch-delay-ms']) }),
          chain: values.chain === 'eigenlayer' ? 'eigenlayer' : 'avs-raft',
          ...(values['max-voters'] === undefined ? {} : { maxVoters: Number(values['max-voters']) }),
          ...(values['max-outstanding'] === undefined
            ? {}
            : { maxOutstandingTasks: Number(values['max-outstanding']) }),
        }),
      );
    } catch (error) {
      // A cell that cannot run is recorded as such, and the others still run.
      rows.push(failedRow(n, rate, error));
      log(`${n} operators @ ${rate}/s: failed: ${rows.at(-1)?.error}`);
    }
    write(); // after every cell, so a later failure keeps the figures so far
  }
  console.table(rows);
  log(`wrote ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    process.stderr.write(
      `[devnet-e2e] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
