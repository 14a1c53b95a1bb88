/**
 * The one-command local devnet: an anvil chain with the AVS contracts, N
 * operators registered with fresh keys and equal stake, N operator processes
 * over HTTP on 127.0.0.1 with durable storage, and a driver that creates
 * tasks (number squaring, and oracle requests with several responses each)
 * and hands them to the leader. It watches everything for the terminal and
 * the dashboard, and can kill the leader to show failover.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import { AvsRegistryReader, createProvider, OperatorRegistryClient, TaskManagerClient } from '@avs/chain';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import { formatUnits, Wallet } from 'ethers';
import { describeResult, payloadHash, type TaskPayload } from '../avs/example-avs.js';
import type { OperatorConfigInput } from '../config.js';
import { writeKeyFiles } from '../keys.js';
import type { OperatorStatus } from '../operator.js';
import { DevnetState } from './devnet-state.js';
import { freePort } from './free-port.js';
import { OperatorProcess, type Runtime } from './operator-process.js';

/** Options of {@link startDevnet}; every one has a default. */
export interface DevnetOptions {
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

const PASSWORD = 'devnet';
const STAKE = 1_000n * 10n ** 18n;
const PRICE_SYMBOLS = ['ETH', 'BTC', 'SOL'];
/** The operator's POST /avs/v1/tasks takes at most 64 tasks. */
const MAX_TASKS_PER_REQUEST = 64;
/** Requests created in one transaction at most (an oracle request is three tasks). */
const MAX_REQUESTS_PER_BATCH = 64;
const MAX_CREATIONS_IN_FLIGHT = 4;
/** The driver's shortest tick: at high rates it batches rather than ticking faster. */
const MIN_TICK_MS = 100;

async function fetchJson(
  url: string,
  init: RequestInit = {},
  timeoutMs = 2_000,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the devnet; resolves once every operator is up and the first leader is elected. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const n = options.operators ?? 3;
  const taskRate = options.taskRate ?? 2;
  const runtime = options.runtime ?? 'node';
  const dataDir = resolve(options.dataDir ?? '.devnet');
  const restartDelayMs = options.restartDelayMs ?? 3_000;
  const oracleEvery = options.oracleEvery ?? 5;
  const print = options.onLine ?? (() => {});
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new RangeError(`operators: expected 1 to 32, got ${n}`);
  if (!(taskRate > 0 && taskRate <= 200))
    throw new RangeError(`taskRate: expected (0, 200] tasks/s, got ${taskRate}`);
  const maxOutstanding = options.maxOutstandingTasks ?? 64;
  if (!(Number.isInteger(maxOutstanding) && maxOutstanding >= 1))
    throw new RangeError(`maxOutstandingTasks: expected an integer >= 1, got ${maxOutstanding}`);
  const thresholdPercentage = options.thresholdPercentage ?? 67;
  if (!Number.isInteger(thresholdPercentage) || thresholdPercentage < 1 || thresholdPercentage > 100)
    throw new RangeError(`thresholdPercentage: expected an integer 1 to 100, got ${thresholdPercentage}`);
  let paused = false;

  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  print(`starting a local chain (anvil) and deploying the AVS contracts`);
  const chain = await startLocalAvs({ accounts: n + 2, quorumCount: 1, taskResponseWindowBlocks: 100_000 });
  const state = new DevnetState(chain.rpcUrl);
  const chainId = Number(chain.deployment.chainId);
  const provider = createProvider(chain.rpcUrl, { chainId });
  const processes: OperatorProcess[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  const stopWatchers: (() => void)[] = [];
  let stopped: Promise<void> | undefined;

  const stop = () => {
    stopped ??= (async () => {
      for (const t of timers) clearInterval(t);
      for (const s of stopWatchers) s();
      await Promise.all(processes.map((p) => p.stop()));
      provider.destroy();
      await chain.stop();
    })();
    return stopped;
  };

  try {
    const owner = new Wallet(chain.accounts[0]!.privateKey, provider);
    const reader = new AvsRegistryReader({
      provider,
      registryCoordinator: chain.deployment.operatorRegistry,
      operatorStateRetriever: chain.deployment.operatorStateRetriever,
    });
    const taskManager = new TaskManagerClient({
      provider,
      taskManager: chain.deployment.taskManager,
      reader,
      signer: owner,
    });

    print(`registering ${n} operators with fresh keys`);
    const operators = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const account = chain.accounts[i + 1]!;
        const bls = BlsKeyPair.generate();
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const name = `op-${i}`;
        const dir = join(dataDir, name);
        const keys = await writeKeyFiles(
          join(dir, 'keys'),
          { ecdsaPrivateKey: account.privateKey, bls },
          PASSWORD,
          'light',
        );
        const registry = new OperatorRegistryClient({
          registry: chain.deployment.operatorRegistry,
          signer: new Wallet(account.privateKey, provider),
        });
        await registry.registerOperator({
          keyPair: bls,
          quorumNumbers: [0],
          endpoints: { httpUrl: url, raftUrl: url },
          chainId,
        });
        return { name, dir, keys, port, url, address: account.address.toLowerCase() };
      }),
    );
    await new OperatorRegistryClient({
      registry: chain.deployment.operatorRegistry,
      signer: owner,
    }).setOperatorStakes(0, new Map(operators.map((o) => [o.address, STAKE])));

    const routes = options.routePeers
      ? await options.routePeers(operators.map(({ name, url, port }) => ({ name, url, port })))
      : undefined;
    for (const [i, op] of operators.entries()) {
      const dialUrls = routes?.get(op.name);
      const config: OperatorConfigInput = {
        rpcUrl: chain.rpcUrl,
        chainId,
        contracts: {
          operatorRegistry: chain.deployment.operatorRegistry,
          operatorStateRetriever: chain.deployment.operatorStateRetriever,
          taskManager: chain.deployment.taskManager,
        },
        fromBlock: chain.deployment.deployBlock,
        keys: {
          ecdsaKeystore: op.keys.ecdsaKeystore,
          blsKeystore: op.keys.blsKeystore,
          passwordEnv: 'AVS_KEY_PASSWORD',
        },
        server: { host: '127.0.0.1', port: op.port },
        storage: { kind: options.storage ?? 'file', dir: join(op.dir, 'raft') },
        cluster: {
          id: 'devnet',
          ...(i === 0 ? { bootstrap: true } : { joinUrl: operators[0]!.url }),
          ...(dialUrls === undefined ? {} : { dialUrls: { ...dialUrls } }),
        },
        avs: { kind: 'squaring' },
        engine: { taskTimeoutMs: options.taskTimeoutMs ?? 60_000, requestTimeoutMs: 3_000 },
      };
      const configPath = join(op.dir, 'operator.json');
      await writeFile(configPath, JSON.stringify(config, null, 2));
      processes.push(
        new OperatorProcess(
          op.name,
          configPath,
          op.url,
          op.address,
          runtime,
          { ...process.env, AVS_KEY_PASSWORD: PASSWORD },
          (name, line) => print(`[${name}] ${line}`),
          options.fromBuild ?? false,
        ),
      );
    }

    const statusOf = async (p: OperatorProcess): Promise<OperatorStatus | undefined> => {
      if (!p.running) return undefined;
      try {
        const { status, body } = await fetchJson(`${p.url}/avs/v1/status`, {}, 1_000);
        return status === 200 ? (body as OperatorStatus) : undefined;
      } catch {
        return undefined;
      }
    };
    const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        const dead = processes.find((p) => p.exited);
        if (Date.now() > deadline || dead) {
          const output = processes.map((p) => `--- ${p.name}\n${p.output.slice(-15).join('\n')}`).join('\n');
          throw new Error(
            dead
              ? `devnet: ${dead.name} exited while waiting until ${what}\n${output}`
              : `devnet: timed out waiting until ${what}\n${output}`,
          );
        }
        await sleep(200);
      }
    };

    print(`starting ${n} operator processes (${runtime}, ${options.storage ?? 'file'} storage)`);
    processes[0]!.start();
    await waitUntil(
      'op-0 leads the new cluster',
      async () => (await statusOf(processes[0]!))?.role === 'leader',
    );
    for (const p of processes.slice(1)) p.start();
    // Joins are applied one at a time, each learner catching up before its promotion: allow
    // more time for more operators (15 of them on a busy 2-core machine took over a minute).
    await waitUntil(
      'every operator is a voter',
      async () => (await statusOf(processes[0]!))?.voters.length === n,
      Math.max(60_000, n * 10_000),
    );

    const nameOf = (address: string) =>
      processes.find((p) => p.address === address)?.name ?? address.slice(0, 8);

    // Observe: operator views and the leader's replicated task records.
    const observe = async () => {
      const views = await Promise.all(
        processes.map(async (p) => {
          const s = await statusOf(p);
          return { p, s };
        }),
      );
      state.setOperators(
        views.map(({ p, s }) => ({
          name: p.name,
          address: p.address,
          url: p.url,
          pid: p.pid,
          up: s !== undefined,
          role: s?.role ?? (p.running ? 'starting' : 'down'),
          term: s?.term ?? 0,
          leaderId: s ? nameOf(s.leaderId) : '',
          commit: s?.commit ?? 0,
          applied: s?.applied ?? 0,
          restarts: p.restarts,
        })),
      );
      for (const { s } of views) {
        if (s?.role !== 'leader') continue;
        for (const record of s.recentTasks) {
          const task = state.task(record.taskIndex);
          if (!task) continue;
          if (record.aggregate) {
            task.signers = record.aggregate.signers.length;
            task.signedStake = record.aggregate.signedStake
              .map((w) => formatUnits(w, 18).replace(/\.0$/, ''))
              .join(' / ');
            if (task.status === 'sent' || task.status === 'created') task.status = 'aggregated';
            const at = record.aggregate.aggregatedAtMs;
            if (at === undefined) state.markAnswered(record.taskIndex);
            else state.markAggregated(record.taskIndex, at);
          }
          if (record.status === 'expired' || record.status === 'failed')
            state.markFinal(record.taskIndex, record.status);
        }
      }
    };
    let observing = false;
    timers.push(
      setInterval(() => {
        if (observing) return;
        observing = true;
        observe().finally(() => {
          observing = false;
        });
      }, 500),
    );

    stopWatchers.push(
      taskManager.watchResponses(
        (r) => {
          state.markVerified(r.taskIndex, r.transactionHash, describeResult(r.response.result));
        },
        { fromBlock: chain.deployment.deployBlock, pollIntervalMs: 200 },
      ),
    );

    // Drive: create tasks on-chain, then hand each request to the leader (retrying across failovers).
    const deliver = async (tasks: { taskIndex: number; payload: TaskPayload }[]) => {
      const deadline = Date.now() + 60_000;
      let target =
        processes.find((p) => state.operators.find((v) => v.name === p.name)?.role === 'leader') ??
        processes[0]!;
      while (Date.now() < deadline && !stopped) {
        try {
          const { status, body } = await fetchJson(
            `${target.url}/avs/v1/tasks`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ tasks }),
            },
            5_000,
          );
          if (status === 200) {
            for (const t of tasks) {
              const task = state.task(t.taskIndex);
              if (task && task.status === 'created') task.status = 'sent';
            }
            return;
          }
          const hint = (body as { leaderHttpUrl?: string }).leaderHttpUrl;
          const next = hint ? processes.find((p) => p.url === hint) : undefined;
          target = next ?? processes[(processes.indexOf(target) + 1) % processes.length]!;
        } catch {
          target = processes[(processes.indexOf(target) + 1) % processes.length]!;
        }
        await sleep(200);
      }
      for (const t of tasks) state.event(`task ${t.taskIndex} could not be handed to a leader`);
    };

    // Create: each tick, the requests owed at `taskRate` since the driver started go on-chain in
    // one createNewTasks transaction (a few may be in flight when the chain is slow), then to the
    // leader in requests of at most MAX_TASKS_PER_REQUEST tasks.
    const tickMs = Math.max(MIN_TICK_MS, 1000 / taskRate);
    const drivenSinceMs = Date.now();
    let requests = 0;
    /** Requests skipped because the chain could not keep up (they are not owed any more). */
    let skipped = 0;
    let creating = 0;
    let round = 0;
    const createBatch = async (count: number) => {
      const payloads: TaskPayload[] = [];
      for (let k = 0; k < count; k++) {
        requests += 1;
        const oracle = oracleEvery > 0 && requests % oracleEvery === 0;
        if (oracle) {
          for (const symbol of PRICE_SYMBOLS) payloads.push({ kind: 'price', symbol, round });
          round += 1;
        } else {
          payloads.push({ kind: 'square', number: String(requests) });
        }
      }
      const created = await taskManager.createTasks({
        payloadHashes: payloads.map(payloadHash),
        quorumNumbers: [0],
        quorumThresholdPercentage: thresholdPercentage,
      });
      const createdAtMs = Date.now();
      const tasks = created.map((t, i) => ({ taskIndex: t.taskIndex, payload: payloads[i]! }));
      for (const { taskIndex, payload } of tasks) {
        state.addTask({
          taskIndex,
          kind: payload.kind,
          label:
            payload.kind === 'square' ? `${payload.number}²` : `${payload.symbol} price #${payload.round}`,
          status: 'created',
          createdAtMs,
        });
      }
      for (let i = 0; i < tasks.length; i += MAX_TASKS_PER_REQUEST) {
        void deliver(tasks.slice(i, i + MAX_TASKS_PER_REQUEST));
      }
    };
    timers.push(
      setInterval(() => {
        if (stopped || paused || creating >= MAX_CREATIONS_IN_FLIGHT) return;
        const due = Math.floor(((Date.now() - drivenSinceMs) / 1000) * taskRate) - requests - skipped;
        if (state.outstanding() >= maxOutstanding) {
          // Back-pressure: what is due now is not created (an open-loop driver would only grow the backlog).
          if (due > 0) skipped += due;
          return;
        }
        // At most one second behind: a backlog the chain cannot absorb is dropped, not burst.
        const late = due - Math.ceil(taskRate);
        if (late > 0) skipped += late;
        const count = Math.min(due - Math.max(0, late), MAX_REQUESTS_PER_BATCH);
        if (count <= 0) return;
        creating += 1;
        createBatch(count)
          .catch((error) => state.event(`creating tasks failed: ${(error as Error).message}`))
          .finally(() => {
            creating -= 1;
          });
      }, tickMs),
    );

    const killLeader = (): string | undefined => {
      const leader = state.operators.find((v) => v.role === 'leader' && v.up);
      const proc = leader ? processes.find((p) => p.name === leader.name) : undefined;
      if (!proc?.running) return undefined;
      proc.kill();
      state.event(`chaos: SIGKILL ${proc.name} (the leader); restart in ${restartDelayMs} ms`);
      setTimeout(() => {
        if (stopped) return;
        proc.restarts += 1;
        proc.start();
        state.event(`chaos: ${proc.name} restarted from its data directory`);
      }, restartDelayMs);
      return proc.name;
    };
    if (options.chaosEveryMs !== undefined && options.chaosEveryMs > 0) {
      timers.push(setInterval(() => killLeader(), options.chaosEveryMs));
    }

    return {
      state,
      chain,
      operators: processes,
      killLeader,
      pauseTasks: async () => {
        paused = true;
        while (creating) await sleep(50);
      },
      resumeTasks: () => {
        paused = false;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
