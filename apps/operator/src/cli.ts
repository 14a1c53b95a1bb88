/**
 * `avs-operator`: run an operator, the local devnet, or manage keys.
 *
 *   avs-operator start --config operator.json
 *   avs-operator devnet [--chain avs-raft|eigenlayer] [--operators 3] [--task-rate 2] [--storage file|level] [--runtime node|bun|deno]
 *                       [--dashboard-port 8550] [--chaos-every 30] [--restart-delay 3] [--duration 60] [--data-dir .devnet]
 *   avs-operator status --url http://127.0.0.1:9001
 *   avs-operator keys generate|import|show --dir keys/ [--ecdsa 0x..] [--bls <secret>] [--light]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BlsKeyPair, operatorIdFromPublicKey, readKeystorePublicKey } from '@avs/bls';
import { loadOperatorConfig } from './config.js';
import { serveDashboard } from './dashboard/dashboard-server.js';
import { startDevnet } from './devnet/devnet.js';
import type { Runtime } from './devnet/operator-process.js';
import { progressLine } from './devnet/progress-line.js';
import { OperatorError, UsageError } from './errors.js';
import { generateKeys, keyPassword, readKeyFiles, writeKeyFiles } from './keys.js';
import { startOperator } from './operator.js';

const USAGE = `usage:
  avs-operator start --config <file>          run one operator (keys password: $AVS_KEY_PASSWORD or a prompt)
  avs-operator devnet [options]               local chain + contracts + N operators + task driver + dashboard
      --chain avs-raft|eigenlayer  default avs-raft (eigenlayer: EigenLayer's own contracts, incredible-squaring)
      --operators <n>        default 3           --task-rate <per s>   default 2
      --storage file|level   default file        --runtime node|bun|deno default node
      --dashboard-port <p>   default 8550 (0: any free port)
      --chaos-every <s>      SIGKILL the leader every s seconds (also: press k)
      --restart-delay <s>    default 3           --duration <s>        stop after s seconds
      --data-dir <dir>       default .devnet
  avs-operator status --url <operator http url>
  avs-operator keys generate --dir <dir> [--light]
  avs-operator keys import --dir <dir> --ecdsa <0x key> --bls <secret> [--light]
  avs-operator keys show --dir <dir>`;

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name}: expected a non-negative number, got "${value}"`);
  return n;
}

async function cmdStart(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } });
  if (!values.config) throw new UsageError('start needs --config <file>');
  const config = await loadOperatorConfig(values.config);
  const password = await keyPassword(config.keys.passwordEnv);
  const blsEnv = config.keys.blsPasswordEnv;
  const keys = await readKeyFiles(
    config.keys,
    password,
    blsEnv === undefined ? password : await keyPassword(blsEnv),
  );
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const operator = await startOperator(config, keys, { onEvent: log });
  log(`operator ${keys.address} (operator id ${keys.bls.operatorId}) serving on ${operator.url}`);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`${signal}: handing over and shutting down`);
      operator.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}

async function cmdDevnet(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      chain: { type: 'string' },
      operators: { type: 'string' },
      'task-rate': { type: 'string' },
      storage: { type: 'string' },
      runtime: { type: 'string' },
      'dashboard-port': { type: 'string' },
      'chaos-every': { type: 'string' },
      'restart-delay': { type: 'string' },
      duration: { type: 'string' },
      'data-dir': { type: 'string' },
      verbose: { type: 'boolean' },
    },
  });
  const storage = values.storage ?? 'file';
  if (storage !== 'file' && storage !== 'level')
    throw new UsageError(`--storage: expected file or level, got "${storage}"`);
  const runtime = (values.runtime ?? 'node') as Runtime;
  if (!['node', 'bun', 'deno'].includes(runtime))
    throw new UsageError(`--runtime: expected node, bun or deno, got "${runtime}"`);
  const chain = values.chain ?? 'avs-raft';
  if (chain !== 'avs-raft' && chain !== 'eigenlayer')
    throw new UsageError(`--chain: expected avs-raft or eigenlayer, got "${chain}"`);
  const chaosEvery = number(values['chaos-every'], 'chaos-every', 0);
  const duration = number(values.duration, 'duration', 0);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const devnet = await startDevnet({
    chain,
    operators: number(values.operators, 'operators', 3),
    taskRate: number(values['task-rate'], 'task-rate', 2),
    storage,
    runtime,
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(chaosEvery > 0 ? { chaosEveryMs: chaosEvery * 1000 } : {}),
    restartDelayMs: number(values['restart-delay'], 'restart-delay', 3) * 1000,
    onLine: (line) => {
      if (values.verbose || !line.startsWith('[op-')) say(line);
    },
  });
  const dashboard = await serveDashboard(
    { snapshot: () => devnet.state.snapshot(), killLeader: () => devnet.killLeader() },
    number(values['dashboard-port'], 'dashboard-port', 8550),
  ).catch(() =>
    serveDashboard({ snapshot: () => devnet.state.snapshot(), killLeader: () => devnet.killLeader() }, 0),
  );
  const taskManagerName = chain === 'eigenlayer' ? 'IncredibleSquaringTaskManager' : 'TaskManager';
  say(`chain ${devnet.chain.rpcUrl} (${chain}) · ${taskManagerName} ${devnet.chain.deployment.taskManager}`);
  say(`dashboard ${dashboard.url}   (press k to kill the leader, Ctrl-C to stop)`);
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
    if (duration > 0) setTimeout(stop, duration * 1000).unref();
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

async function cmdStatus(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' } } });
  if (!values.url) throw new UsageError('status needs --url <operator http url>');
  // The status route needs an operator session or the API token (from the environment, never a flag).
  const token = process.env.AVS_API_TOKEN;
  const response = await fetch(`${values.url.replace(/\/$/, '')}/avs/v1/status`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(5_000),
  });
  process.stdout.write(`${JSON.stringify(await response.json(), null, 2)}\n`);
}

async function cmdKeys(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      ecdsa: { type: 'string' },
      bls: { type: 'string' },
      light: { type: 'boolean' },
    },
  });
  if (!values.dir) throw new UsageError(`keys ${action ?? ''} needs --dir <dir>`);
  const cost = values.light ? 'light' : 'standard';
  switch (action) {
    case 'generate': {
      const paths = await writeKeyFiles(
        values.dir,
        generateKeys(),
        await keyPassword('AVS_KEY_PASSWORD'),
        cost,
      );
      process.stdout.write(`wrote ${paths.ecdsaKeystore} and ${paths.blsKeystore}\n`);
      break;
    }
    case 'import': {
      if (!values.ecdsa || !values.bls)
        throw new UsageError('keys import needs --ecdsa <0x key> and --bls <secret>');
      const keys = { ecdsaPrivateKey: values.ecdsa, bls: BlsKeyPair.fromSecretKey(values.bls) };
      const paths = await writeKeyFiles(values.dir, keys, await keyPassword('AVS_KEY_PASSWORD'), cost);
      process.stdout.write(`wrote ${paths.ecdsaKeystore} and ${paths.blsKeystore}\n`);
      break;
    }
    case 'show': {
      // Readable without the password: the address and the G1 key are stored in clear.
      const ecdsa = JSON.parse(await readFile(join(values.dir, 'ecdsa.keystore.json'), 'utf8')) as {
        address?: string;
      };
      const g1 = readKeystorePublicKey(await readFile(join(values.dir, 'bls.keystore.json'), 'utf8'));
      process.stdout.write(
        `address     0x${(ecdsa.address ?? '').replace(/^0x/, '')}\noperator id ${operatorIdFromPublicKey(g1)}\n`,
      );
      break;
    }
    case 'check': {
      const keys = await readKeyFiles(
        {
          ecdsaKeystore: join(values.dir, 'ecdsa.keystore.json'),
          blsKeystore: join(values.dir, 'bls.keystore.json'),
        },
        await keyPassword('AVS_KEY_PASSWORD'),
      );
      process.stdout.write(`ok: ${keys.address} ${keys.bls.operatorId}\n`);
      break;
    }
    default:
      throw new UsageError(`keys: expected generate, import, show or check, got "${action ?? ''}"`);
  }
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'start':
        await cmdStart(args);
        return 0;
      case 'devnet':
        await cmdDevnet(args);
        return 0;
      case 'status':
        await cmdStatus(args);
        return 0;
      case 'keys':
        await cmdKeys(args);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof OperatorError) process.stderr.write(`error: ${error.message}\n`);
    else if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    } else
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Everything we started is closed; don't wait for idle keep-alive sockets.
  setTimeout(() => process.exit(code), 200).unref();
});
