/**
 * The chaos command: `pnpm --filter @avs/chaos chaos [--short] [--seed N] [--no-devnet]`.
 * Runs the fuzz suites (scaled up in the full run), then the process-level
 * scenarios, then (full run) the operator devnet scenario, and writes
 * `docs/reliability.md` and `docs/reliability.json`.
 * Exits 1 when any property failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevnetRun, devnetPlan } from './devnet-report.js';
import { devnetPassed, runDevnetScenario } from './devnet-scenario.js';
import { fullPlan, shortPlan } from './plans.js';
import { type ReliabilityRun, runPassed } from './report.js';
import { describeMachine, readRecordedRun, rerenderReport, writeReport } from './report-files.js';
import { runScenario, type ScenarioResult } from './scenario.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Cases per route and decoder in the full run (issue #17); CI keeps each suite's own short budget. */
const FULL_FUZZ_CASES = 10_000;

/** The packages' own fuzz suites (each property reads `AVS_FUZZ_CASES`), run in the full run only. */
const PACKAGE_FUZZ_SUITES: readonly { pkg: string; file: string; target: string }[] = [
  {
    pkg: '@avs/transport-http',
    file: 'src/codec/frame-codec.test.ts',
    target: 'transport-http frame codec (per property)',
  },
  {
    pkg: '@avs/transport-http',
    file: 'test/route-fuzz.test.ts',
    target: 'transport-http Raft routes (per property)',
  },
  {
    pkg: '@avs/raft-core',
    file: 'src/confchange/codec.test.ts',
    target: 'raft-core conf-change codec (per property)',
  },
  {
    pkg: '@avs/storage-level',
    file: 'src/level-codec.fuzz.test.ts',
    target: 'storage-level records (per property)',
  },
  {
    pkg: '@avs/storage-dynamodb',
    file: 'src/stored-items.fuzz.test.ts',
    target: 'storage-dynamodb items (per property)',
  },
  {
    pkg: '@avs/operator',
    file: 'src/dashboard/dashboard-server.fuzz.test.ts',
    target: 'dashboard routes (per property)',
  },
];

function runPackageFuzz(cases: number): { counts: Record<string, number>; failures: number } {
  const counts: Record<string, number> = {};
  let failures = 0;
  for (const suite of PACKAGE_FUZZ_SUITES) {
    const result = spawnSync('pnpm', ['--filter', suite.pkg, 'exec', 'vitest', 'run', suite.file], {
      cwd: packageDir,
      stdio: 'inherit',
      env: { ...process.env, AVS_FUZZ_CASES: String(cases) },
    });
    if (result.status === 0) counts[suite.target] = cases;
    else failures++;
  }
  return { counts, failures };
}

function runFuzz(scale: number, minCases?: number): { counts: Record<string, number>; failures: number } {
  const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-fuzz-'));
  const out = join(dir, 'fuzz.json');
  const result = spawnSync('pnpm', ['exec', 'vitest', 'run', 'test/fuzz'], {
    cwd: packageDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      AVS_CHAOS_FUZZ_SCALE: String(scale),
      AVS_CHAOS_FUZZ_OUT: out,
      ...(minCases === undefined ? {} : { AVS_FUZZ_CASES: String(minCases) }),
    },
  });
  let counts: Record<string, number> = {};
  try {
    counts = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // no suite reported: counted as a failure below
  }
  rmSync(dir, { recursive: true, force: true });
  return { counts, failures: result.status === 0 && Object.keys(counts).length > 0 ? 0 : 1 };
}

/** The devnet scenario of the full run: 3 leader kills and 2 leader partitions. */
async function runDevnet(log: (line: string) => void): Promise<DevnetRun> {
  const faults = devnetPlan(3, 2);
  const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-devnet-'));
  const startedAt = new Date().toISOString();
  log(`devnet: 3 operators, ${faults.join(', ')}`);
  try {
    const result = await runDevnetScenario({
      dataDir: dir,
      faults,
      settleMs: 90_000,
      log: (line) => {
        if (line.startsWith('chaos:')) log(`  ${line}`);
      },
    });
    const passed = devnetPassed(result, faults.length);
    log(
      `  ${result.cutoff} tasks checked: ${result.responded} answered once, ${result.expired} expired, ${result.unsettled.length} unsettled, ${result.duplicates.length} answered twice; ${passed ? 'PASS' : 'FAIL'}`,
    );
    return {
      command: 'pnpm --filter @avs/chaos chaos',
      startedAt,
      machine: describeMachine(),
      passed,
      result,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    rerenderReport();
    process.stdout.write('docs/reliability.md re-rendered from docs/reliability.json\n');
    return;
  }
  const short = process.argv.includes('--short');
  const seed = Number(arg('--seed') ?? Date.now() % 100_000);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`chaos: ${short ? 'short' : 'full'} run, seed ${seed}`);
  const fuzz = runFuzz(short ? 1 : 10, short ? undefined : FULL_FUZZ_CASES);
  if (!short) {
    const own = runPackageFuzz(FULL_FUZZ_CASES);
    Object.assign(fuzz.counts, own.counts);
    fuzz.failures += own.failures;
  }
  const scenarios: ScenarioResult[] = [];
  for (const plan of short ? shortPlan(seed) : fullPlan(seed)) {
    log(`scenario: ${plan.size} nodes, ${plan.faults.length} faults, seed ${plan.seed}`);
    const r = await runScenario({ ...plan, log });
    log(
      `  history ${r.operations.total} ops (ok ${r.operations.ok}, fail ${r.operations.fail}, unknown ${r.operations.unknown}): ${r.check.verdict}; lost writes ${r.lostWrites.length}; left behind ${r.leftBehind.length}`,
    );
    scenarios.push(r);
  }
  // The full run includes the operator devnet; the short one keeps the last recorded devnet run.
  let devnetError: unknown;
  const devnet =
    short || process.argv.includes('--no-devnet')
      ? readRecordedRun()?.devnet
      : await runDevnet(log).catch((error: unknown) => {
          // A fault not recovered within the bounds: the run fails; the report keeps the kv figures.
          devnetError = error;
          log(`devnet: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
  const run: ReliabilityRun = {
    mode: short ? 'short' : 'full',
    seed,
    startedAt,
    machine: describeMachine(),
    durationMs: Math.round(performance.now() - t0),
    scenarios,
    fuzz: fuzz.counts,
    fuzzFailures: fuzz.failures,
    ...(devnet === undefined ? {} : { devnet }),
  };
  writeReport(run);
  const passed = runPassed(run) && devnetError === undefined;
  log(`chaos: ${passed ? 'PASS' : 'FAIL'}; docs/reliability.md written`);
  process.exitCode = passed ? 0 : 1;
}

await main();
