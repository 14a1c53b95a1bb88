/**
 * The devnet's task driver: at `taskRate` requests per second it creates tasks
 * on-chain (number squaring, every n-th request an oracle request of three
 * prices where the chain takes them), then hands each request to the leader,
 * retrying across failovers. Bounded: at most `maxOutstanding` tasks open, at
 * most one second of backlog.
 */
import type { TaskPayload } from '../avs/example-avs.js';
import type { AvsTaskModule } from '../avs/task-module.js';
import type { DevnetChain } from './devnet-chain.js';
import type { DevnetState } from './devnet-state.js';
import type { OperatorProcess } from './operator-process.js';

/** Settings of {@link startTaskDriver}. */
export interface TaskDriverSettings {
  readonly taskRate: number;
  readonly maxOutstanding: number;
  readonly oracleEvery: number;
  readonly thresholdPercentage: number;
  /** A team's own task module: the driver creates its `exampleRequest(n)` tasks instead of the examples. */
  readonly module?: AvsTaskModule;
}

/** A running driver. */
export interface TaskDriver {
  /** Stops creating; resolves once no creation is in flight. */
  pause(): Promise<void>;
  resume(): void;
  stop(): void;
}

const PRICE_SYMBOLS = ['ETH', 'BTC', 'SOL'];
/** The operator's POST /avs/v1/tasks takes at most 64 tasks. */
const MAX_TASKS_PER_REQUEST = 64;
/** Requests created in one transaction at most (an oracle request is three tasks). */
const MAX_REQUESTS_PER_BATCH = 64;
const MAX_CREATIONS_IN_FLIGHT = 4;
/** The driver's shortest tick: at high rates it batches rather than ticking faster. */
const MIN_TICK_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hands tasks to the leader (found from the state, then from NOT_LEADER hints), for up to 60 s. */
async function deliver(
  state: DevnetState,
  processes: readonly OperatorProcess[],
  tasks: { taskIndex: number; payload: unknown }[],
  isStopped: () => boolean,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  let target =
    processes.find((p) => state.operators.find((v) => v.name === p.name)?.role === 'leader') ?? processes[0]!;
  const next = () => processes[(processes.indexOf(target) + 1) % processes.length]!;
  while (Date.now() < deadline && !isStopped()) {
    try {
      const response = await fetch(`${target.url}/avs/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.authHeaders() },
        body: JSON.stringify({ tasks }),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json().catch(() => ({}))) as { leaderHttpUrl?: string };
      if (response.status === 200) {
        for (const t of tasks) {
          const task = state.task(t.taskIndex);
          if (task && task.status === 'created') task.status = 'sent';
        }
        return;
      }
      const hinted = body.leaderHttpUrl ? processes.find((p) => p.url === body.leaderHttpUrl) : undefined;
      target = hinted ?? next();
    } catch {
      target = next();
    }
    await sleep(200);
  }
  for (const t of tasks) state.event(`task ${t.taskIndex} could not be handed to a leader`);
}

/**
 * Starts creating tasks: each tick, the requests owed at `taskRate` since the start go on-chain
 * (a few creations may be in flight when the chain is slow), then to the leader.
 */
export function startTaskDriver(
  devchain: DevnetChain,
  state: DevnetState,
  processes: readonly OperatorProcess[],
  settings: TaskDriverSettings,
): TaskDriver {
  const { taskRate, maxOutstanding, thresholdPercentage } = settings;
  const oracleEvery = devchain.oracleTasks ? settings.oracleEvery : 0;
  const tickMs = Math.max(MIN_TICK_MS, 1000 / taskRate);
  const drivenSinceMs = Date.now();
  let requests = 0;
  /** Requests skipped because the chain could not keep up (they are not owed any more). */
  let skipped = 0;
  let creating = 0;
  let round = 0;
  let paused = false;
  let stopped = false;

  const createModuleBatch = async (
    module: AvsTaskModule & { exampleRequest: (n: number) => unknown },
    count: number,
  ) => {
    const payloads = Array.from({ length: count }, () => {
      requests += 1;
      return module.exampleRequest(requests);
    });
    const indexes = await devchain.createTasks(payloads, thresholdPercentage, module);
    const createdAtMs = Date.now();
    const tasks = indexes.map((taskIndex, i) => ({ taskIndex, payload: payloads[i] }));
    for (const { taskIndex, payload } of tasks) {
      const label = JSON.stringify(payload).slice(0, 40);
      state.addTask({ taskIndex, kind: 'square', label, status: 'created', createdAtMs });
    }
    for (let i = 0; i < tasks.length; i += MAX_TASKS_PER_REQUEST) {
      void deliver(state, processes, tasks.slice(i, i + MAX_TASKS_PER_REQUEST), () => stopped);
    }
  };

  const createBatch = async (count: number) => {
    const module = settings.module;
    if (module?.exampleRequest)
      return createModuleBatch({ ...module, exampleRequest: module.exampleRequest }, count);
    const payloads: TaskPayload[] = [];
    for (let k = 0; k < count; k++) {
      requests += 1;
      if (oracleEvery > 0 && requests % oracleEvery === 0) {
        for (const symbol of PRICE_SYMBOLS) payloads.push({ kind: 'price', symbol, round });
        round += 1;
      } else {
        payloads.push({ kind: 'square', number: String(requests) });
      }
    }
    const indexes = await devchain.createTasks(payloads, thresholdPercentage);
    const createdAtMs = Date.now();
    const tasks = indexes.map((taskIndex, i) => ({ taskIndex, payload: payloads[i]! }));
    for (const { taskIndex, payload } of tasks) {
      state.addTask({
        taskIndex,
        kind: payload.kind,
        label: payload.kind === 'square' ? `${payload.number}²` : `${payload.symbol} price #${payload.round}`,
        status: 'created',
        createdAtMs,
      });
    }
    for (let i = 0; i < tasks.length; i += MAX_TASKS_PER_REQUEST) {
      void deliver(state, processes, tasks.slice(i, i + MAX_TASKS_PER_REQUEST), () => stopped);
    }
  };

  const timer = setInterval(() => {
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
  }, tickMs);

  return {
    async pause() {
      paused = true;
      while (creating) await sleep(50);
    },
    resume() {
      paused = false;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
