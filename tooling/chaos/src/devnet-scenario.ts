/**
 * The operator devnet under leader kills: a real anvil chain, N operator
 * processes, the devnet's task driver, and SIGKILL of the current leader a
 * few times (each time waiting for a leader of a later term and for the
 * killed operator to be back). Then it takes a cutoff (the on-chain task
 * count), waits a bounded time for those tasks to settle, and checks on-chain
 * (TaskResponded events) that every task below the cutoff has exactly one
 * response or is reported expired/failed by the leader's replicated state,
 * and that no task at all has two. Finally it stops the devnet and checks
 * that no process (operators, anvil) is left.
 *
 * Partitions are not injected here: the devnet's operators talk to each
 * other directly, with no proxy in between (the kv scenarios cover them).
 */
import { AvsRegistryReader, createProvider, TaskManagerClient } from '@avs/chain';
import { type Devnet, startDevnet } from '@avs/operator';

/** Options of {@link runDevnetScenario}. */
export interface DevnetScenarioOptions {
  /** Where the devnet writes keys, configs and Raft logs (emptied first). */
  readonly dataDir: string;
  /** Operator processes; default 3. */
  readonly operators?: number;
  /** Leader kills (SIGKILL); default 2. */
  readonly kills?: number;
  /** Requests created per second; default 2. */
  readonly taskRate?: number;
  /** How long a killed operator stays down; default 1500 ms. */
  readonly restartDelayMs?: number;
  /** Bound on the wait for tasks below the cutoff to settle; default 60 s. */
  readonly settleMs?: number;
  /** Bound on each wait for a leader / operators back; default 60 s. */
  readonly stepTimeoutMs?: number;
  /** Runs against the live devnet after the checks, before it stops (e.g. fuzzing its servers). */
  readonly beforeStop?: (devnet: Devnet) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** One leader kill and how long until a leader of a later term was seen. */
export interface DevnetKill {
  readonly killed: string;
  readonly newLeader: string;
  readonly recoveryMs: number;
}

/** What {@link runDevnetScenario} observed. */
export interface DevnetScenarioResult {
  readonly operators: number;
  readonly kills: readonly DevnetKill[];
  /** Tasks created on-chain before the cutoff (indices 0 .. cutoff-1): each must settle. */
  readonly cutoff: number;
  /** Tasks created on-chain by the end (the ones after the cutoff are only checked for duplicates). */
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
  readonly durationMs: number;
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

/**
 * Runs the devnet scenario; the devnet is always stopped before it returns.
 * @throws Error when a leader is not recovered or the devnet does not start within the bounds
 */
export async function runDevnetScenario(options: DevnetScenarioOptions): Promise<DevnetScenarioResult> {
  const t0 = performance.now();
  const n = options.operators ?? 3;
  const stepMs = options.stepTimeoutMs ?? 60_000;
  const log = options.log ?? (() => {});
  const devnet = await startDevnet({
    operators: n,
    taskRate: options.taskRate ?? 2,
    restartDelayMs: options.restartDelayMs ?? 1_500,
    dataDir: options.dataDir,
    onLine: (line) => log(line),
  });
  const pids = new Set<number>([devnet.chain.anvilPid]);
  const notePids = () => {
    for (const p of devnet.operators) if (p.pid !== undefined) pids.add(p.pid);
  };
  notePids();
  const { deployment } = devnet.chain;
  const provider = createProvider(devnet.chain.rpcUrl, { chainId: Number(deployment.chainId) });
  const taskManager = new TaskManagerClient({
    provider,
    taskManager: deployment.taskManager,
    reader: new AvsRegistryReader({
      provider,
      registryCoordinator: deployment.operatorRegistry,
      operatorStateRetriever: deployment.operatorStateRetriever,
    }),
  });
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
    const leader = () => snapshot().operators.find((o) => o.up && o.role === 'leader');
    const allUp = () => snapshot().operators.length === n && snapshot().operators.every((o) => o.up);
    await until('a first task is verified on-chain', () => snapshot().totals.verified >= 1, stepMs);

    const kills: DevnetKill[] = [];
    for (let k = 0; k < (options.kills ?? 2); k++) {
      await until(
        'a leader is known and every operator is up',
        () => leader() !== undefined && allUp(),
        stepMs,
      );
      notePids();
      const before = leader()!;
      const killed = devnet.killLeader();
      if (!killed) throw new Error('devnet scenario: killLeader found no running leader');
      const at = performance.now();
      log(`chaos: SIGKILL ${killed} (leader, term ${before.term})`);
      await until(
        `a leader of a term after ${before.term}`,
        () => (leader()?.term ?? 0) > before.term,
        stepMs,
      );
      const recoveryMs = Math.round(performance.now() - at);
      kills.push({ killed, newLeader: leader()!.name, recoveryMs });
      log(`chaos: ${leader()!.name} leads after ${recoveryMs} ms`);
      await until(`${killed} is back`, allUp, stepMs);
      notePids();
    }

    // The cutoff: tasks below it must settle; the driver keeps creating tasks (the devnet has no pause).
    const cutoff = await taskManager.taskCount();
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
    for (let i = 0; i < cutoff; i++) {
      const count = responses.get(i)?.length ?? 0;
      if (count === 1) responded += 1;
      else if (count === 0 && finalOf(i)) expired += 1;
      else if (count === 0) unsettled.push(i);
    }
    const duplicates = [...responses].filter(([, txs]) => txs.length > 1).map(([i]) => i);
    if (options.beforeStop) await options.beforeStop(devnet);
    notePids();
    stopWatch();
    stopWatchDone = true;
    provider.destroy();
    await devnet.stop();
    const leftBehind = [...pids].filter(alive);
    return {
      operators: n,
      kills,
      cutoff,
      tasksOnChain,
      responded,
      expired,
      unsettled,
      duplicates,
      leftBehind,
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    if (!stopWatchDone) {
      stopWatch();
      provider.destroy();
    }
    await devnet.stop();
  }
}
