#!/usr/bin/env node
// The entry point behind the README's commands. On a machine that has only
// Node.js and npm it installs the pinned pnpm (into .tools/, nothing global),
// installs dependencies from the frozen lockfile, then runs the job:
//   test   build, typecheck, lint and test every package, then print
//          one `N passed, N failed` line summed over all packages
//   devnet start the local operator devnet (apps/operator)
//   bench  run every package's benchmark (writes bench-results/*.json)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = rootPackage.packageManager.replace(/^pnpm@/, '');
const job = process.argv[2] ?? 'test';
const extraArgs = process.argv.slice(3);

function log(message) {
  process.stderr.write(`[avs] ${message}\n`);
}

function fail(message) {
  log(`error: ${message}`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node.js >= 20.19 is required, this is ${process.version}.`);
  }
}

function pnpmOnPath() {
  try {
    const version = execFileSync('pnpm', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return version.trim() === pnpmVersion ? 'pnpm' : undefined;
  } catch {
    return undefined;
  }
}

function ensurePnpm() {
  const onPath = pnpmOnPath();
  if (onPath) return onPath;
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (!existsSync(local)) {
    log(`installing pnpm ${pnpmVersion} into .tools/ (once)`);
    // npm refuses --allow-scripts here; pnpm's own install script only links its binary, which works without it.
    const status = run('npm', [
      'install',
      '--prefix',
      join(root, '.tools'),
      '--no-save',
      '--no-audit',
      '--no-fund',
      `pnpm@${pnpmVersion}`,
    ]);
    if (status !== 0 || !existsSync(local))
      fail(`could not install pnpm ${pnpmVersion} with npm (see above).`);
  }
  return local;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  return result.status ?? 1;
}

/**
 * The dashboard test drives a real headless Chromium. Browser downloads do not
 * work here, so use Debian's package, installing it when missing (as root).
 * Without it the browser test fails with a message saying so; nothing is skipped.
 */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    log(
      `Chromium is missing at ${path} and cannot be installed here (needs root and apt-get): the dashboard browser test will fail`,
    );
    return;
  }
  log('installing Debian Chromium for the dashboard browser test (once)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quiet = { env, stdio: ['ignore', 'ignore', 'inherit'] };
  if (
    run('apt-get', ['update', '-qq'], quiet) !== 0 ||
    run('apt-get', ['install', '-y', '-qq', 'chromium'], quiet) !== 0
  ) {
    log('apt-get could not install chromium: the dashboard browser test will fail');
  }
}

/** Runs a command with its output captured, printed only when it fails. */
function runQuiet(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  const status = result.status ?? 1;
  if (status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
  }
  return status;
}

function install(pnpm, quiet = false) {
  if (!quiet) log('installing dependencies (frozen lockfile)');
  const args = ['install', '--frozen-lockfile', '--prefer-offline'];
  const status = quiet ? runQuiet(pnpm, args) : run(pnpm, args);
  if (status !== 0) fail('pnpm install failed (see above).');
}

function workspacePackageDirs() {
  const out = execFileSync(ensurePnpm(), ['list', '-r', '--depth', '-1', '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out).map((p) => p.path);
}

function summarizeTests() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of workspacePackageDirs()) {
    const report = join(dir, '.vitest-report.json');
    if (!existsSync(report)) continue;
    const data = JSON.parse(readFileSync(report, 'utf8'));
    const p = data.numPassedTests ?? 0;
    const f = (data.numFailedTests ?? 0) + (data.numFailedTestSuites ?? 0);
    const s = (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    log(`${relative(root, dir).padEnd(28)} ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
    passed += p;
    failed += f;
    skipped += s;
  }
  return { passed, failed, skipped };
}

checkNode();
const pnpm = ensurePnpm();
// turbo looks pnpm up on PATH, so a pnpm installed into .tools/ must be on it.
const env = {
  ...process.env,
  PATH: pnpm === 'pnpm' ? process.env.PATH : `${dirname(pnpm)}:${process.env.PATH}`,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};
// The devnet shows its own start screen: install and build speak only when they fail.
install(pnpm, job === 'devnet');

switch (job) {
  case 'test': {
    ensureChromium();
    const status = run(
      pnpm,
      // One task per core: test suites that start chains and clusters time out when oversubscribed.
      [
        'exec',
        'turbo',
        'run',
        'build',
        'typecheck',
        'lint',
        'test',
        '--continue',
        `--concurrency=${Math.max(2, availableParallelism())}`,
        ...extraArgs,
      ],
      { env },
    );
    const { passed, failed, skipped } = summarizeTests();
    if (passed + failed === 0) fail('no test ran.');
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
    process.exit(status !== 0 || failed > 0 ? 1 : 0);
    break;
  }
  case 'devnet': {
    const operator = join(root, 'apps', 'operator', 'package.json');
    if (!existsSync(operator)) {
      log('The devnet (apps/operator) is not built yet: it will start a local chain, deploy the AVS');
      log('contracts and run 3 operators. Until it exists, this command installs the workspace only.');
      process.exit(0);
    }
    const build = runQuiet(
      pnpm,
      ['exec', 'turbo', 'run', 'build', '--filter=@avs/operator...', '--output-logs=errors-only'],
      { env },
    );
    if (build !== 0) fail('build failed (see above).');
    const cli = join(root, 'apps', 'operator', 'dist', 'cli.js');
    process.exit(run(process.execPath, [cli, 'devnet', ...extraArgs], { env }));
    break;
  }
  case 'edge-kv': {
    // apps/edge-kv in workerd (Miniflare) on 127.0.0.1; it bundles the sources itself, no build needed.
    process.exit(run(pnpm, ['--filter', '@avs/edge-kv', 'run', 'serve', ...extraArgs], { env }));
    break;
  }
  case 'bench': {
    process.exit(run(pnpm, ['exec', 'turbo', 'run', 'bench', '--concurrency=1', ...extraArgs], { env }));
    break;
  }
  default:
    fail(`unknown job "${job}": use test, devnet, edge-kv or bench.`);
}
