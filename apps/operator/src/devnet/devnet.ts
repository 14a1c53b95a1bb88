/**
 * The one-command local devnet: a chain (this project's contracts, or
 * EigenLayer's own with `chain: 'eigenlayer'`), N operators registered with
 * fresh keys and equal stake, N operator processes over HTTP on 127.0.0.1
 * with durable storage, and a driver that creates tasks and hands them to the
 * leader. It watches everything for the terminal and the dashboard, and can
 * kill the leader to show failover. `startDevnet` runs the named steps of
 * `devnet-chain.ts`, `devnet-operators.ts`, `devnet-observer.ts` and
 * `devnet-driver.ts`.
 */
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { LocalAvs } from '@avs/contracts/local-chain';
import { loadTaskModule } from '../avs/task-module.js';
import { type DevnetChain, type DevnetChainKind, startDevnetChain } from './devnet-chain.js';
import { startTaskDriver, type TaskDriver } from './devnet-driver.js';
import { observeOperators } from './devnet-observer.js';
import { createOperatorProcesses, registerOperators, startCluster } from './devnet-operators.js';
import { DevnetState } from './devnet-state.js';
import type { OperatorProcess, Runtime } from './operator-process.js';

/** Options of {@link startDevnet}; every one has a default. */
export interface DevnetOptions {
  /**
   * The contracts: this project's (`avs-raft`, default) or EigenLayer's own (`eigenlayer`: EigenLayer core M2,
   * its middleware and incredible-squaring's TaskManager, loaded from the vendored anvil state; square tasks only).
   */
  readonly chain?: DevnetChainKind;
  /** Number of operators; default 3. */
  readonly operators?: number;
  /**
   * Requests created per second (an oracle request is three tasks); default 2. Above 10/s the
   * driver batches: each 100 ms tick creates the requests due in one transaction.
   */
  readonly taskRate?: number;
  /**
   * Tasks created but not yet aggregated (or expired/failed) at most; the driver skips creating
   * while more are outstanding, so an overloaded cluster works through a bounded backlog instead
   * of collapsing under an unbounded one. Default 64.
   */
  readonly maxOutstandingTasks?: number;
  /** Raft log storage of the operators; default `file`. */
  readonly storage?: 'file' | 'level';
  /** Runtime of the operator processes; default `node`. */
  readonly runtime?: Runtime;
  /** Where keys, configs and Raft logs go (emptied first); default `.devnet` under the working directory. */
  readonly dataDir?: string;
  /** Kill the leader (SIGKILL) every this many ms; default never. */
  readonly chaosEveryMs?: number;
  /** How long a killed operator stays down; default 3000 ms. */
  readonly restartDelayMs?: number;
  /** Every n-th request is an oracle request with three prices; default 5 (0: never). */
  readonly oracleEvery?: number;
  /** Lines of operator output and devnet events. */
  readonly onLine?: (line: string) => void;
  /**
   * Quorum threshold of the tasks the driver creates, percent of stake; default 67. With 3
   * operators of equal stake, 67 needs all three signatures (2/3 is 66.7 %): a task then waits
   * for a killed operator to come back. 66 lets any two of three answer.
   */
  readonly thresholdPercentage?: number;
  /**
   * Path of a team's own task module (see `AvsTaskModule`; avs-raft chain only): the operators load
   * it and the driver creates its `exampleRequest(n)` tasks. Default: the built-in examples.
   */
  readonly taskModule?: string;
  /** The operators' task timeout (engine `taskTimeoutMs`), ms; default 60 s. */
  readonly taskTimeoutMs?: number;
  /**
   * Run the operator processes from the built CLI (`dist/`, build it first) even when the devnet
   * runs from source: they start in about a second instead of several with tsx. Default false.
   */
  readonly fromBuild?: boolean;
  /**
   * Routes operator-to-operator traffic (Raft, engine calls, the join): called once the
   * operators' URLs are chosen, returns per operator name its `cluster.dialUrls` (peer origin to
   * the origin to dial), e.g. a fault proxy per ordered pair. Default: direct.
   */
  readonly routePeers?: (
    operators: readonly DevnetEndpoint[],
  ) => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>>;
  /** The leader's check that members are still registered (removes deregistered ones), ms; default the engine's. */
  readonly membershipCheckIntervalMs?: number;
  /**
   * The operators' `engine.batching`: `false` answers task by task; a size and delay packs requests
   * into batches answered in one `respondToBatch`. Default: the operator's (on, 64 tasks, 10 ms, on
   * `avs-raft`; off on `eigenlayer`, whose TaskManager has no batch call).
   */
  readonly batching?: false | { readonly maxTasks?: number; readonly delayMs?: number };
  /** The operators' `engine.maxVoters` (the others are learners); default the engine's, 5. */
  readonly maxVoters?: number;
}

/** An operator's name and where it serves, for {@link DevnetOptions.routePeers}. */
export interface DevnetEndpoint {
  readonly name: string;
  readonly url: string;
  readonly port: number;
}

/** A running devnet. */
export interface Devnet {
  readonly state: DevnetState;
  /** Which contracts it runs on. */
  readonly chainKind: DevnetChainKind;
  /** The chain; on `eigenlayer`, `deployment.operatorRegistry` is EigenLayer's RegistryCoordinator. */
  readonly chain: LocalAvs;
  readonly operators: readonly OperatorProcess[];
  /** SIGKILLs the current leader and restarts it after the restart delay. Returns its name, if any. */
  killLeader(): string | undefined;
  /**
   * Stops creating tasks (the ones created keep being delivered); resolves once no creation is
   * in flight, so the on-chain task count is then a clean cutoff.
   */
  pauseTasks(): Promise<void>;
  /** Creates tasks again after {@link Devnet.pauseTasks}. */
  resumeTasks(): void;
  /** Stops the driver, the operators and the chain. Idempotent. */
  stop(): Promise<void>;
}

/** The options checked, with their defaults. */
function resolveOptions(options: DevnetOptions) {
  const n = options.operators ?? 3;
  const taskRate = options.taskRate ?? 2;
  const maxOutstanding = options.maxOutstandingTasks ?? 64;
  const thresholdPercentage = options.thresholdPercentage ?? 67;
  if (!Number.isInteger(n) || n < 1 || n > 128)
    throw new RangeError(`operators: expected 1 to 128, got ${n}`);
  if (!(taskRate > 0 && taskRate <= 2_000))
    throw new RangeError(`taskRate: expected (0, 2000] tasks/s, got ${taskRate}`);
  if (!(Number.isInteger(maxOutstanding) && maxOutstanding >= 1))
    throw new RangeError(`maxOutstandingTasks: expected an integer >= 1, got ${maxOutstanding}`);
  if (!Number.isInteger(thresholdPercentage) || thresholdPercentage < 1 || thresholdPercentage > 100)
    throw new RangeError(`thresholdPercentage: expected an integer 1 to 100, got ${thresholdPercentage}`);
  const chain = options.chain ?? 'avs-raft';
  if (chain !== 'avs-raft' && chain !== 'eigenlayer')
    throw new RangeError(`chain: expected avs-raft or eigenlayer, got ${String(chain)}`);
  return {
    n,
    chain,
    taskRate,
    maxOutstanding,
    thresholdPercentage,
    runtime: options.runtime ?? 'node',
    storage: options.storage ?? 'file',
    dataDir: resolve(options.dataDir ?? '.devnet'),
    restartDelayMs: options.restartDelayMs ?? 3_000,
    oracleEvery: options.oracleEvery ?? 5,
    print: options.onLine ?? (() => {}),
  };
}

/** SIGKILLs the running leader and restarts it after `restartDelayMs`; returns its name. */
function leaderKiller(
  state: DevnetState,
  processes: readonly OperatorProcess[],
  restartDelayMs: number,
  isStopped: () => boolean,
): () => string | undefined {
  return () => {
    const leader = state.operators.find((v) => v.role === 'leader' && v.up);
    const proc = leader ? processes.find((p) => p.name === leader.name) : undefined;
    if (!proc?.running) return undefined;
    proc.kill();
    state.event(`chaos: SIGKILL ${proc.name} (the leader); restart in ${restartDelayMs} ms`);
    setTimeout(() => {
      if (isStopped()) return;
      proc.restarts += 1;
      proc.start();
      state.event(`chaos: ${proc.name} restarted from its data directory`);
    }, restartDelayMs);
    return proc.name;
  };
}

/** Starts the devnet; resolves once every operator is up and the first leader is elected. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const o = resolveOptions(options);
  const modulePath = options.taskModule === undefined ? undefined : resolve(options.taskModule);
  const module = modulePath === undefined ? undefined : await loadTaskModule(modulePath);
  if (module && o.chain !== 'avs-raft')
    throw new RangeError('taskModule: runs on the avs-raft chain only (incredible-squaring squares numbers)');
  if (module && !module.exampleRequest)
    throw new RangeError(
      `taskModule: ${modulePath} exports no exampleRequest(n): the devnet cannot create its tasks`,
    );
  await rm(o.dataDir, { recursive: true, force: true });
  await mkdir(o.dataDir, { recursive: true });
  o.print(
    o.chain === 'eigenlayer'
      ? "starting a local chain (anvil) with EigenLayer's contracts and the incredible-squaring AVS"
      : 'starting a local chain (anvil) and deploying the AVS contracts',
  );
  const devchain: DevnetChain = await startDevnetChain(o.chain, o.n);
  const state = new DevnetState(devchain.chain.rpcUrl);
  const processes: OperatorProcess[] = [];
  const stopFns: (() => void)[] = [];
  let driver: TaskDriver | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      driver?.stop();
      for (const s of stopFns) s();
      await Promise.all(processes.map((p) => p.stop()));
      await devchain.stop();
    })();
    return stopped;
  };

  try {
    o.print(
      `registering ${o.n} operators with fresh keys${o.chain === 'eigenlayer' ? ' through EigenLayer (DelegationManager, StrategyManager, RegistryCoordinator)' : ''}`,
    );
    const specs = await registerOperators(devchain, o.n, o.dataDir);
    const routes = options.routePeers
      ? await options.routePeers(specs.map(({ name, url, port }) => ({ name, url, port })))
      : undefined;
    processes.push(
      ...(await createOperatorProcesses(devchain, specs, {
        storage: o.storage,
        runtime: o.runtime,
        taskTimeoutMs: options.taskTimeoutMs ?? 60_000,
        fromBuild: options.fromBuild ?? false,
        print: o.print,
        ...(modulePath === undefined ? {} : { taskModule: modulePath }),
        ...(routes === undefined ? {} : { routes }),
        ...(options.membershipCheckIntervalMs === undefined
          ? {}
          : { membershipCheckIntervalMs: options.membershipCheckIntervalMs }),
        ...(options.batching === undefined ? {} : { batching: options.batching }),
        ...(options.maxVoters === undefined ? {} : { maxVoters: options.maxVoters }),
      })),
    );
    o.print(`starting ${o.n} operator processes (${o.runtime}, ${o.storage} storage)`);
    await startCluster(processes);
    stopFns.push(observeOperators(state, processes));
    stopFns.push(
      devchain.watchVerified(
        (taskIndex, txHash, summary) => state.markVerified(taskIndex, txHash, summary),
        module,
      ),
    );
    driver = startTaskDriver(devchain, state, processes, {
      taskRate: o.taskRate,
      maxOutstanding: o.maxOutstanding,
      oracleEvery: o.oracleEvery,
      thresholdPercentage: o.thresholdPercentage,
      ...(module === undefined ? {} : { module }),
    });
    const killLeader = leaderKiller(state, processes, o.restartDelayMs, () => stopped !== undefined);
    if (options.chaosEveryMs !== undefined && options.chaosEveryMs > 0) {
      const chaos = setInterval(() => killLeader(), options.chaosEveryMs);
      stopFns.push(() => clearInterval(chaos));
    }
    const running = driver;
    return {
      state,
      chainKind: o.chain,
      chain: devchain.chain,
      operators: processes,
      killLeader,
      pauseTasks: () => running.pause(),
      resumeTasks: () => running.resume(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
