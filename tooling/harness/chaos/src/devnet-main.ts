/**
 * The devnet chaos run on its own:
 * `pnpm --filter @avs/chaos chaos:devnet [--kills N] [--partitions N] [--from-build] [--no-report]`.
 * Runs {@link runDevnetScenario} (3 operators; leader kills and leader
 * partitions interleaved, kills first; default 3 and 2), prints the result as
 * JSON, records it in `docs/reliability.json` and re-renders
 * `docs/reliability.md` (unless `--no-report`), and exits 1 when a task is
 * unsettled or answered twice, a fault was not recovered, or a process is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devnetPlan } from './devnet-report.js';
import { devnetPassed, runDevnetScenario } from './devnet-scenario.js';
import { recordDevnetRun } from './report-files.js';

function count(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const faults = devnetPlan(count('--kills', 3), count('--partitions', 2));
const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-devnet-'));
const startedAt = new Date().toISOString();
// Every line of the devnet and its operators, the last ones printed when the run fails.
const recent: string[] = [];
try {
  const r = await runDevnetScenario({
    dataDir: dir,
    faults,
    fromBuild: process.argv.includes('--from-build'),
    settleMs: 90_000,
    log: (line) => {
      recent.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
      if (recent.length > 300) recent.shift();
      if (line.startsWith('chaos:')) process.stdout.write(`${line}\n`);
    },
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  const passed = devnetPassed(r, faults.length);
  if (!process.argv.includes('--no-report')) {
    recordDevnetRun({ command: 'pnpm --filter @avs/chaos chaos:devnet', startedAt, result: r, passed });
    process.stdout.write('docs/reliability.json and docs/reliability.md updated (devnet section)\n');
  }
  if (!passed) process.stdout.write(`last lines:\n${recent.join('\n')}\n`);
  process.stdout.write(`devnet chaos: ${passed ? 'PASS' : 'FAIL'}\n`);
  process.exitCode = passed ? 0 : 1;
} catch (error) {
  process.stdout.write(`last lines:\n${recent.join('\n')}\n`);
  throw error;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
