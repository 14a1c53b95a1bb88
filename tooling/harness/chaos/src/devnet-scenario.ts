/**
 * The operator devnet under leader kills and leader partitions: a real anvil
 * chain, N operator processes whose traffic to each other (Raft, engine calls,
 * the join) goes through one {@link FaultProxy} per ordered pair (the
 * operators' `cluster.dialUrls`), and the devnet's task driver.
 *
 * Faults, one after another: SIGKILL of the current leader (restarted from its
 * data directory), or a partition that cuts the leader off from every other
 * operator both ways (healed after `partitionMs`). After each fault it waits
 * for a leader of a later term among the others (the recovery time), then for
 * every operator to be up and to agree on one leader.
 *
 * Then it pauses task creation, takes the cutoff (the on-chain task count),
 * waits a bounded time for those tasks to settle, and checks on-chain
 * (TaskResponded events) that every task below the cutoff has exactly one
 * response or is reported expired/failed by the leader's replicated state,
 * and that no task at all has two. Finally it stops the devnet and checks
 * that no process (operators, anvil) is left.
 */
import { connectAvs, createProvider } from '@avs/chain';
import { type Devnet, type DevnetEndpoint, startDevnet } from '@avs/operator';
import { FaultProxy } from './fault-proxy.js';
import { percentile } from './percentile.js';

/** A fault the devnet scenario injects. */
export type DevnetFaultKind = 'kill-leader' | 'partition-leader';

/** Options of {@link runDevnetScenario}. */
export interface DevnetScenarioOptions {
  /** Where the devnet writes keys, configs and Raft logs (emptied first). */
  readonly dataDir: string;
  /** Operator processes; default 3. */
  readonly operators?: number;
  /** The faults, in order; default `kill-leader`, `partition-leader`, `kill-leader`. */
  readonly faults?: readonly DevnetFaultKind[];
  /** Requests created per second; default 2. */
  readonly taskRate?: number;
  /** How long a killed operator stays down; default 1500 ms. */
  readonly restartDelayMs?: number;
  /** How long a partition holds; default 4000 ms (several election timeouts). */
  readonly partitionMs?: number;
  /** Quorum threshold of the tasks, percent; default 66 (any 2 of 3 equal-stake operators). */
  readonly thresholdPercentage?: number;
  /** The operators' task timeout, ms; default 30 s. */
  readonly taskTimeoutMs?: number;
  /** Run the operators from the built CLI (faster start; build @avs/operator first). Default false. */
  readonly fromBuild?: boolean;
  /** Bound on the wait for tasks below the cutoff to settle; default 60 s. */
  readonly settleMs?: number;
  /** Bound on each wait for a leader / operators back; default 60 s. */
  readonly stepTimeoutMs?: number;
  /** Runs against the live devnet after the checks, before it stops (e.g. fuzzing its servers). */
  readonly beforeStop?: (devnet: Devnet) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** One fault and how long until a leader of a later term was seen among the others. */
export interface DevnetFault {
  readonly kind: DevnetFaultKind;
  /** The leader the fault hit. */
  readonly target: string;
  readonly newLeader: string;
  readonly recoveryMs: number;
}

/** What {@link runDevnetScenario} observed. */
export interface DevnetScenarioResult {
  readonly operators: number;
  readonly faults: readonly DevnetFault[];
  /** Tasks created on-chain before the cutoff (indices 0 .. cutoff-1): each must settle. */
  readonly cutoff: number;
  /** Tasks created on-chain by the end (equal to the cutoff: creation is paused first). */
  readonly tasksOnChain: number;
  /** Tasks below the cutoff with exactly one on-chain response. */
  readonly responded: number;
  /** Tasks below the cutoff without a response that the leader reports expired or failed. */
  readonly expired: number;
  /** Tasks below the cutoff with neither a response nor an expiry after the settle bound (must be empty). */
  readonly unsettled: readonly number[];
  /** Tasks with more than one on-chain response (must be empty). */
  readonly duplicates: readonly number[];
  /** Process ids (operators, anvil) still alive after the stop (must be empty). */
  readonly leftBehind: readonly number[];
  /** Operators whose process had exited by itself (not killed by the scenario) before the stop (must be empty). */
  readonly crashed: readonly string[];
  /** Created-to-verified latency of the tasks below the cutoff, p50 and max, ms. */
  readonly latencyMs: { readonly p50: number; readonly max: number };
  readonly durationMs: number;
}

/** Whether a result meets every check (no unsettled or duplicate task, no process left, every fault done). */
export function devnetPassed(r: DevnetScenarioResult, faults: number): boolean {
  return (
    r.unsettled.length === 0 &&
    r.duplicates.length === 0 &&
    r.leftBehind.length === 0 &&
    r.crashed.length === 0 &&
    r.faults.length === faults &&
    r.cutoff > 0
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`devnet scenario: timed out waiting until ${what}`);
    await sleep(200);
  }
}

/** One fault proxy per ordered pair of operators: `links.get(from)?.get(to)`. */
type Links = Map<string, Map<string, FaultProxy>>;

async function startLinks(operators: readonly DevnetEndpoint[], links: Links) {
  const routes = new Map<string, Record<string, string>>();
  for (const from of operators) {
    const out = new Map<string, FaultProxy>();
    const dial: Record<string, string> = {};
    for (const to of operators) {
      if (to.name === from.name) continue;
      // No loss is injected here: the proxy's random source is never consulted.
      const proxy = await FaultProxy.start(to.port, () => 1);
      out.set(to.name, proxy);
      dial[to.url] = `http://127.0.0.1:${proxy.port}`;
    }
    links.set(from.name, out);
    routes.set(from.name, dial);
  }
  return routes;
}

/**
 * Runs the devnet scenario; the devnet and the proxies are always stopped before it returns.
 * @throws Error when a leader is not recovered or the devnet does not start within the bounds
 */
export async function runDevnetScenario(options: DevnetScenarioOptions): Promise<DevnetScenarioResult> {
  const t0 = performance.now();
  const n = options.operators ?? 3;
  const stepMs = options.stepTimeoutMs ?? 60_000;
  const plan = options.faults ?? ['kill-leader', 'partition-leader', 'kill-leader'];
  const log = options.log ?? (() => {});
  const links: Links = new Map();
  const closeLinks = async () => {
    await Promise.all([...links.values()].flatMap((out) => [...out.values()].map((p) => p.close())));
    links.clear();
  };
  let devnet: Devnet;
  try {
    devnet = await startDevnet({
      operators: n,
      taskRate: options.taskRate ?? 2,
      restartDelayMs: options.restartDelayMs ?? 1_500,
      thresholdPercentage: options.thresholdPercentage ?? 66,
      taskTimeoutMs: options.taskTimeoutMs ?? 30_000,
      fromBuild: options.fromBuild ?? false,
      dataDir: options.dataDir,
      routePeers: (operators) => startLinks(operators, links),
      onLine: (line) => log(line),
    });
  } catch (error) {
    await closeLinks();
    throw error;
  }
  const pids = new Set<number>([devnet.chain.anvilPid]);
  const notePids = () => {
    for (const p of devnet.operators) if (p.pid !== undefined) pids.add(p.pid);
  };
  notePids();
  const { deployment } = devnet.chain;
  const provider = createProvider(devnet.chain.rpcUrl, { chainId: Number(deployment.chainId) });
  const { taskManager } = connectAvs({ provider, contracts: deployment });
  // Every TaskResponded event, per task (the devnet's own view deduplicates; this one must not).
  const responses = new Map<number, string[]>();
  const stopWatch = taskManager.watchResponses(
    (r) => {
      responses.set(r.taskIndex, [...(responses.get(r.taskIndex) ?? []), r.transactionHash]);
    },
    { fromBlock: deployment.deployBlock, pollIntervalMs: 200 },
  );
  let stopWatchDone = false;
  try {
    const snapshot = () => devnet.state.snapshot();
    const up = () => snapshot().operators.filter((o) => o.up);
    const leaderAmong = (names?: readonly string[]) =>
      up().find((o) => o.role === 'leader' && (names === undefined || names.includes(o.name)));
    const allUp = () =>
      snapshot().operators.length === n && up().length === n && devnet.operators.every((p) => p.running);
    /** Every operator up, one leader, and every operator names it in the same term. */
    const converged = () => {
      const l = leaderAmong();
      return (
        l !== undefined &&
        allUp() &&
        up().every((o) => o.term === l.term && (o.name === l.name || o.leaderId === l.name))
      );
    };
    await until('a first task is verified on-chain', () => snapshot().totals.verified >= 1, stepMs);

    const faults: DevnetFault[] = [];
    for (const kind of plan) {
      await until('every operator is up and agrees on one leader', converged, stepMs);
      notePids();
      const before = leaderAmong()!;
      const others = snapshot()
        .operators.map((o) => o.name)
        .filter((name) => name !== before.name);
      const at = performance.now();
      if (kind === 'kill-leader') {
        const killed = devnet.killLeader();
        if (killed !== before.name) throw new Error(`devnet scenario: killLeader hit ${killed ?? 'nothing'}`);
        log(`chaos: SIGKILL ${killed} (leader, term ${before.term})`);
      } else {
        for (const other of others) {
          links.get(before.name)?.get(other)?.set({ blocked: true });
          links.get(other)?.get(before.name)?.set({ blocked: true });
        }
        log(`chaos: partition ${before.name} (leader, term ${before.term}) from ${others.join(', ')}`);
      }
      await until(
        `a leader among ${others.join(', ')} of a term after ${before.term}`,
        () => (leaderAmong(others)?.term ?? 0) > before.term,
        stepMs,
      );
      const recoveryMs = Math.round(performance.now() - at);
      const newLeader = leaderAmong(others)!.name;
      faults.push({ kind, target: before.name, newLeader, recoveryMs });
      log(`chaos: ${newLeader} leads after ${recoveryMs} ms`);
      if (kind === 'partition-leader') {
        const held = performance.now() - at;
        await sleep(Math.max(0, (options.partitionMs ?? 4_000) - held));
        for (const out of links.values()) for (const proxy of out.values()) proxy.heal();
        log(`chaos: partition of ${before.name} healed`);
      }
    }
    await until('every operator is up and agrees on one leader', converged, stepMs);
    notePids();

    // The cutoff: no task is being created any more, so tasks 0 .. cutoff-1 are every task.
    await devnet.pauseTasks();
    const cutoff = await taskManager.taskCount();
    log(`chaos: task creation paused at ${cutoff} tasks`);
    const finalOf = (i: number) => {
      const status = devnet.state.task(i)?.status;
      return status === 'expired' || status === 'failed';
    };
    const settled = (i: number) => (responses.get(i)?.length ?? 0) >= 1 || finalOf(i);
    try {
      await until(
        `the ${cutoff} tasks before the cutoff settle`,
        () => Array.from({ length: cutoff }, (_, i) => i).every(settled),
        options.settleMs ?? 60_000,
      );
    } catch {
      // reported as unsettled below
    }
    // The watcher polls every 200 ms from where it left off: a second lets it read up to the head.
    await sleep(1_000);
    const tasksOnChain = await taskManager.taskCount();
    let responded = 0;
    let expired = 0;
    const unsettled: number[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < cutoff; i++) {
      const count = responses.get(i)?.length ?? 0;
      if (count === 1) responded += 1;
      else if (count === 0 && finalOf(i)) expired += 1;
      else if (count === 0) unsettled.push(i);
      const latency = devnet.state.task(i)?.latencyMs;
      if (latency !== undefined) latencies.push(latency);
    }
    latencies.sort((a, b) => a - b);
    const duplicates = [...responses].filter(([, txs]) => txs.length > 1).map(([i]) => i);
    // Every kill is followed by a restart once every operator is back: none may be down now.
    const crashed = devnet.operators.filter((p) => !p.running).map((p) => p.name);
    if (options.beforeStop) await options.beforeStop(devnet);
    notePids();
    stopWatch();
    stopWatchDone = true;
    provider.destroy();
    await devnet.stop();
    await closeLinks();
    const leftBehind = [...pids].filter(alive);
    return {
      operators: n,
      faults,
      cutoff,
      tasksOnChain,
      responded,
      expired,
      unsettled,
      duplicates,
      leftBehind,
      crashed,
      latencyMs: { p50: percentile(latencies, 50) ?? 0, max: latencies.at(-1) ?? 0 },
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    if (!stopWatchDone) {
      stopWatch();
      provider.destroy();
    }
    await devnet.stop();
    await closeLinks();
  }
}
