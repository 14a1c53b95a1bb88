/**
 * The devnet chaos run on its own: `pnpm --filter @avs/chaos chaos:devnet [--kills N]`.
 * Runs {@link runDevnetScenario} (3 operators, the leader SIGKILLed N times, a settle
 * bound above the devnet's 60 s task timeout), prints the result as JSON and exits 1
 * when a task is unsettled or answered twice, or a process is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDevnetScenario } from './devnet-scenario.js';

const i = process.argv.indexOf('--kills');
const kills = i >= 0 ? Number(process.argv[i + 1]) : 3;
const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-devnet-'));
try {
  const r = await runDevnetScenario({
    dataDir: dir,
    kills,
    settleMs: 90_000,
    log: (line) => {
      if (line.startsWith('chaos:')) process.stdout.write(`${line}\n`);
    },
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  const passed =
    r.unsettled.length === 0 &&
    r.duplicates.length === 0 &&
    r.leftBehind.length === 0 &&
    r.kills.length === kills;
  process.stdout.write(`devnet chaos: ${passed ? 'PASS' : 'FAIL'}\n`);
  process.exitCode = passed ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
