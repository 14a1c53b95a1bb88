/** `avs-operator devnet`: the local chain, N operators, a task driver and the dashboard. */
import { Command, Option } from 'commander';
import { serveDashboard } from '../dashboard/dashboard-server.js';
import { startDevnet } from '../devnet/devnet.js';
import type { Runtime } from '../devnet/operator-process.js';
import { progressLine } from '../devnet/progress-line.js';
import type { CliIo } from './cli-io.js';
import { batchSize, nonNegativeNumber, port, positiveInteger } from './option-parsers.js';

interface DevnetFlags {
  chain: 'avs-raft' | 'eigenlayer';
  operators: number;
  taskRate: number;
  storage: 'file' | 'level';
  runtime: Runtime;
  dashboardPort: number;
  chaosEvery: number;
  restartDelay: number;
  duration: number;
  dataDir: string;
  taskModule?: string;
  verbose?: boolean;
  batchMaxTasks?: number;
  batchDelayMs?: number;
  maxVoters?: number;
}

/** `avs-operator devnet`. */
export function devnetCommand(io: CliIo): Command {
  return new Command('devnet')
    .description('local chain + contracts + N operators + task driver + dashboard, in one command')
    .addOption(
      new Option('--chain <contracts>', "the contracts: ours, or EigenLayer's own (incredible-squaring)")
        .choices(['avs-raft', 'eigenlayer'])
        .default('avs-raft')
        .env('AVS_DEVNET_CHAIN'),
    )
    .addOption(
      new Option('--operators <n>', 'number of operators')
        .argParser(positiveInteger)
        .default(3)
        .env('AVS_DEVNET_OPERATORS'),
    )
    .addOption(
      new Option('--task-rate <per-second>', 'task requests created per second')
        .argParser(nonNegativeNumber)
        .default(2)
        .env('AVS_DEVNET_TASK_RATE'),
    )
    .addOption(
      new Option('--storage <kind>', 'Raft log storage')
        .choices(['file', 'level'])
        .default('file')
        .env('AVS_DEVNET_STORAGE'),
    )
    .addOption(
      new Option('--runtime <runtime>', 'runtime of the operator processes')
        .choices(['node', 'bun', 'deno'])
        .default('node')
        .env('AVS_DEVNET_RUNTIME'),
    )
    .addOption(
      new Option('--dashboard-port <port>', 'dashboard port (0: any free port)')
        .argParser(port)
        .default(8550)
        .env('AVS_DEVNET_DASHBOARD_PORT'),
    )
    .addOption(
      new Option('--chaos-every <seconds>', 'SIGKILL the leader every so often (0: never; also: press k)')
        .argParser(nonNegativeNumber)
        .default(0)
        .env('AVS_DEVNET_CHAOS_EVERY'),
    )
    .addOption(
      new Option('--restart-delay <seconds>', 'how long a killed operator stays down')
        .argParser(nonNegativeNumber)
        .default(3)
        .env('AVS_DEVNET_RESTART_DELAY'),
    )
    .addOption(
      new Option('--duration <seconds>', 'stop after this long (0: run until Ctrl-C)')
        .argParser(nonNegativeNumber)
        .default(0)
        .env('AVS_DEVNET_DURATION'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'keys, configs and Raft logs (emptied first)')
        .default('.devnet')
        .env('AVS_DEVNET_DATA_DIR'),
    )
    .addOption(
      new Option(
        '--task-module <path>',
        'your own AVS: a task module the operators load (see the README)',
      ).env('AVS_DEVNET_TASK_MODULE'),
    )
    .addOption(
      new Option(
        '--batch-max-tasks <n>',
        'most tasks per batch answered in one respondToBatch (0: no batching, one transaction per task; default 64 on avs-raft, off on eigenlayer)',
      )
        .argParser(batchSize)
        .env('AVS_DEVNET_BATCH_MAX_TASKS'),
    )
    .addOption(
      new Option(
        '--batch-delay-ms <ms>',
        'how long the first request of a batch waits for others (default 10)',
      )
        .argParser(nonNegativeNumber)
        .env('AVS_DEVNET_BATCH_DELAY_MS'),
    )
    .addOption(
      new Option('--max-voters <n>', 'voters at most (odd); the other operators are learners (default 5)')
        .argParser(positiveInteger)
        .env('AVS_DEVNET_MAX_VOTERS'),
    )
    .addOption(new Option('--verbose', "print every operator's log lines").env('AVS_DEVNET_VERBOSE'))
    .addHelpText(
      'after',
      `
Examples:
  avs-operator devnet
  avs-operator devnet --operators 5 --chaos-every 30
  avs-operator devnet --chain eigenlayer
  avs-operator devnet --runtime bun --storage level --duration 60
  avs-operator devnet --task-module ./my-avs.mjs`,
    )
    .action((o: DevnetFlags) => runDevnet(o, io));
}

/** `--batch-max-tasks 0` turns batching off; a size or a delay turns it on; neither: the operator's default. */
function batchingFlags(o: DevnetFlags): { batching?: false | { maxTasks?: number; delayMs?: number } } {
  if (o.batchMaxTasks === 0) return { batching: false };
  if (o.batchMaxTasks === undefined && o.batchDelayMs === undefined) return {};
  return {
    batching: {
      ...(o.batchMaxTasks === undefined ? {} : { maxTasks: o.batchMaxTasks }),
      ...(o.batchDelayMs === undefined ? {} : { delayMs: Math.round(o.batchDelayMs) }),
    },
  };
}

async function runDevnet(o: DevnetFlags, io: CliIo): Promise<void> {
  const say = (line: string) => io.out(`${line}\n`);
  const devnet = await startDevnet({
    chain: o.chain,
    operators: o.operators,
    taskRate: o.taskRate,
    storage: o.storage,
    runtime: o.runtime,
    dataDir: o.dataDir,
    ...(o.taskModule === undefined ? {} : { taskModule: o.taskModule }),
    ...(o.chaosEvery > 0 ? { chaosEveryMs: o.chaosEvery * 1000 } : {}),
    restartDelayMs: o.restartDelay * 1000,
    ...batchingFlags(o),
    ...(o.maxVoters === undefined ? {} : { maxVoters: o.maxVoters }),
    onLine: (line) => {
      if (o.verbose || !line.startsWith('[op-')) say(line);
    },
  });
  const source = { snapshot: () => devnet.state.snapshot(), killLeader: () => devnet.killLeader() };
  const dashboard = await serveDashboard(source, o.dashboardPort).catch(() => serveDashboard(source, 0));
  say('');
  const taskManagerName = o.chain === 'eigenlayer' ? 'IncredibleSquaringTaskManager' : 'TaskManager';
  say(
    `chain      ${devnet.chain.rpcUrl} (${o.chain}) · ${taskManagerName} ${devnet.chain.deployment.taskManager}`,
  );
  for (const op of devnet.operators) say(`${op.name.padEnd(10)} ${op.url} · metrics ${op.url}/metrics`);
  const token = devnet.operators[0]?.apiToken;
  // A throwaway devnet token: printed so curl and a local Prometheus can use it.
  if (token) say(`           /metrics and /avs/v1/status take: Authorization: Bearer ${token}`);
  say(`dashboard  ${dashboard.url}   (press k to kill the leader, Ctrl-C to stop)`);
  say('');
  const ticker = setInterval(() => say(progressLine(devnet.state.snapshot())), 1_000);

  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (key) => {
      const k = key.toString();
      if (k === 'k') say(`killing the leader: ${devnet.killLeader() ?? 'no running leader'}`);
      if (k === '\u0003') process.kill(process.pid, 'SIGINT');
    });
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (o.duration > 0) setTimeout(stop, o.duration * 1000).unref();
  });
  clearInterval(ticker);
  say('stopping: operators, dashboard, chain');
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  await dashboard.close();
  await devnet.stop();
  const s = devnet.state.snapshot();
  say(
    `done: ${s.totals.created} tasks created, ${s.totals.verified} verified on-chain by ${taskManagerName} ${devnet.chain.deployment.taskManager}, ${s.totals.expired} expired`,
  );
}
