/**
 * The chaos command: `pnpm --filter @avs/chaos chaos [--short] [--seed N]`.
 * Runs the fuzz suites (scaled up in the full run), then the process-level
 * scenarios, and writes `docs/reliability.md` and `docs/reliability.json`.
 * Exits 1 when any property failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullPlan, shortPlan } from './plans.js';
import { type ReliabilityRun, renderReport, runPassed } from './report.js';
import { runScenario, type ScenarioResult } from './scenario.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runFuzz(scale: number): { counts: Record<string, number>; failures: number } {
  const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-fuzz-'));
  const out = join(dir, 'fuzz.json');
  const result = spawnSync('pnpm', ['exec', 'vitest', 'run', 'test/fuzz'], {
    cwd: packageDir,
    stdio: 'inherit',
    env: { ...process.env, AVS_CHAOS_FUZZ_SCALE: String(scale), AVS_CHAOS_FUZZ_OUT: out },
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

/** Re-renders docs/reliability.md from docs/reliability.json (after a change to the report's wording). */
function reportOnly(): void {
  const run = JSON.parse(readFileSync(join(repoRoot, 'docs', 'reliability.json'), 'utf8')) as ReliabilityRun;
  writeFileSync(join(repoRoot, 'docs', 'reliability.md'), renderReport(run));
  process.stdout.write('docs/reliability.md re-rendered from docs/reliability.json\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--report-only')) {
    reportOnly();
    return;
  }
  const short = process.argv.includes('--short');
  const seed = Number(arg('--seed') ?? Date.now() % 100_000);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`chaos: ${short ? 'short' : 'full'} run, seed ${seed}`);
  const fuzz = runFuzz(short ? 1 : 10);
  const scenarios: ScenarioResult[] = [];
  for (const plan of short ? shortPlan(seed) : fullPlan(seed)) {
    log(`scenario: ${plan.size} nodes, ${plan.faults.length} faults, seed ${plan.seed}`);
    const r = await runScenario({ ...plan, log });
    log(
      `  history ${r.operations.total} ops (ok ${r.operations.ok}, fail ${r.operations.fail}, unknown ${r.operations.unknown}): ${r.check.verdict}; lost writes ${r.lostWrites.length}; left behind ${r.leftBehind.length}`,
    );
    scenarios.push(r);
  }
  const run: ReliabilityRun = {
    mode: short ? 'short' : 'full',
    seed,
    startedAt,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average at the end ${loadavg()[0]?.toFixed(1)} (shared machine)`,
    durationMs: Math.round(performance.now() - t0),
    scenarios,
    fuzz: fuzz.counts,
    fuzzFailures: fuzz.failures,
  };
  writeFileSync(join(repoRoot, 'docs', 'reliability.md'), renderReport(run));
  writeFileSync(join(repoRoot, 'docs', 'reliability.json'), `${JSON.stringify(run, null, 2)}\n`);
  const passed = runPassed(run);
  log(`chaos: ${passed ? 'PASS' : 'FAIL'}; docs/reliability.md written`);
  process.exitCode = passed ? 0 : 1;
}

await main();
