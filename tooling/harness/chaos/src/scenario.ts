/**
 * One chaos scenario: a kv cluster of `size` real processes under the client
 * workload while a list of faults is injected one after another; then every
 * fault is healed, each key is read once more, the history is checked for
 * linearizability and lost acknowledged writes, and every process is
 * stopped (and checked gone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeededRandom } from '@avs/raft-core';
import { ChaosCluster } from './chaos-cluster.js';
import { type FaultKind, type FaultRecord, injectFault, restoreAll } from './faults.js';
import type { KvOperation } from './history.js';
import { checkLinearizability, type HistoryCheck } from './linearizability.js';
import { findLostWrites, type LostWrite } from './lost-writes.js';
import { callKv, runWorkload } from './workload.js';

/** Settings of one scenario. */
export interface ScenarioOptions {
  readonly size: 3 | 5;
  readonly seed: number;
  readonly faults: readonly FaultKind[];
  readonly clients: number;
  readonly keys: number;
  readonly maxOperations: number;
  /** Pause between a client's calls, ms: spreads the operations over the faults on a fast machine. */
  readonly thinkMs: number;
  /** Raft tick, ms, and election timeout in ticks. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly holdMs: number;
  /** Quiet time between faults, ms. */
  readonly quietMs: number;
  /** Budget of the linearizability check, ms. */
  readonly checkBudgetMs: number;
  /** Keep the data directories (for a post-mortem). */
  readonly keepData?: boolean;
  readonly log?: (line: string) => void;
}

/** What one scenario found. */
export interface ScenarioResult {
  readonly size: number;
  readonly seed: number;
  readonly faults: readonly FaultRecord[];
  readonly operations: {
    readonly total: number;
    readonly ok: number;
    readonly fail: number;
    readonly unknown: number;
  };
  readonly check: HistoryCheck;
  readonly lostWrites: readonly LostWrite[];
  /** Pids still alive after the stop (must be empty). */
  readonly leftBehind: readonly number[];
  readonly processesStarted: number;
  readonly durationMs: number;
  /** Raft timing of the run (the election timeout is their product). */
  readonly tickMs?: number;
  readonly electionTicks?: number;
  readonly dataDir?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads every key once the cluster is healthy (retrying a read that fails), recorded like workload calls. */
async function finalReads(
  cluster: ChaosCluster,
  keys: readonly string[],
  now: () => number,
  firstId: number,
): Promise<KvOperation[]> {
  const out: KvOperation[] = [];
  let id = firstId;
  for (const key of keys) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const leader = await cluster.kv.waitForLeader(30_000);
      const invokedAt = now();
      const r = await callKv(cluster.kv.clientUrl(leader), key, { f: 'get' }, 5_000);
      if (r.outcome === 'ok' && r.output) {
        out.push({
          id: id++,
          client: -1,
          key,
          input: { f: 'get' },
          invokedAt,
          completedAt: now(),
          outcome: 'ok',
          output: r.output,
        });
        break;
      }
      await sleep(100);
    }
  }
  if (out.length !== keys.length)
    throw new Error(`final reads: only ${out.length} of ${keys.length} keys could be read`);
  return out;
}

/**
 * Runs one scenario.
 * @throws when the cluster cannot start or the final reads cannot complete (the processes are stopped first)
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const random = createSeededRandom(options.seed).next;
  const baseDir = mkdtempSync(join(tmpdir(), `avs-chaos-${options.size}-`));
  const electionTimeoutMs = options.tickMs * options.electionTicks;
  const cluster = await ChaosCluster.start({
    baseDir,
    size: options.size,
    tickMs: options.tickMs,
    electionTicks: options.electionTicks,
    random,
    extraArgs: ['--proposal-timeout-ms', '3000', '--read-timeout-ms', '2000', '--log-level', 'warn'],
  });
  const faults: FaultRecord[] = [];
  let history: KvOperation[] = [];
  let finals: KvOperation[] = [];
  try {
    await cluster.kv.waitForLeader(30_000);
    const keys = Array.from({ length: options.keys }, (_, i) => `key-${i}`);
    const stop = new AbortController();
    const now = () => performance.now();
    const workload = runWorkload({
      endpoints: cluster.ids.map((id) => cluster.kv.clientUrl(id)),
      clients: options.clients,
      keys,
      maxOperations: options.maxOperations,
      signal: stop.signal,
      requestTimeoutMs: 4_000,
      thinkMs: options.thinkMs,
      random,
      now,
    });
    const timing = { electionTimeoutMs, holdMs: options.holdMs, recoveryTimeoutMs: 30_000 };
    for (const kind of options.faults) {
      await sleep(options.quietMs);
      const r = await injectFault(cluster, kind, timing, random);
      faults.push(r);
      log(
        `  ${options.size} nodes: ${kind.padEnd(18)} ${r.survived ? 'survived' : 'FAILED  '} recovery ${r.recoveryMs ?? '-'} ms: ${r.detail}`,
      );
      await restoreAll(cluster);
    }
    stop.abort();
    history = await workload;
    await restoreAll(cluster);
    finals = await finalReads(cluster, keys, now, history.length);
  } finally {
    await cluster.stop();
  }
  const leftBehind = cluster.survivors();
  const check = checkLinearizability([...history, ...finals], { timeBudgetMs: options.checkBudgetMs });
  const finalValues = new Map(finals.map((f) => [f.key, f.output?.f === 'get' ? f.output.value : null]));
  const lostWrites = findLostWrites(history, finalValues);
  if (!options.keepData) rmSync(baseDir, { recursive: true, force: true });
  const count = (o: string) => history.filter((h) => h.outcome === o).length;
  return {
    size: options.size,
    seed: options.seed,
    faults,
    operations: { total: history.length, ok: count('ok'), fail: count('fail'), unknown: count('unknown') },
    check,
    lostWrites,
    leftBehind,
    processesStarted: cluster.pids.size,
    tickMs: options.tickMs,
    electionTicks: options.electionTicks,
    durationMs: Math.round(performance.now() - started),
    ...(options.keepData ? { dataDir: baseDir } : {}),
  };
}
