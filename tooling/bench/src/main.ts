/**
 * `pnpm --filter @avs/bench bench`: runs apps/kv against etcd, writes
 * `bench-results/kv-vs-etcd.json`, then rebuilds `docs/benchmarks.md` from
 * every JSON file in `bench-results/`.
 *
 *   --smoke         tiny counts (seconds); results go to a temp dir unless --results-dir is given
 *   --report-only   only rebuild the report
 *   --no-install    do not apt-get install etcd-server when etcd is missing
 *   --results-dir / --doc   override where results and the report go
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_OPTIONS, runKvVsEtcd, SMOKE_OPTIONS } from './kv-vs-etcd.js';
import { writeReport } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      doc: { type: 'string' },
    },
  });
  const smoke = values.smoke === true;
  const resultsDir =
    values['results-dir'] ??
    (smoke ? mkdtempSync(join(tmpdir(), 'avs-bench-smoke-')) : join(root, 'bench-results'));
  const docPath =
    values.doc ?? (smoke ? join(resultsDir, 'benchmarks.md') : join(root, 'docs', 'benchmarks.md'));
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  if (!values['report-only']) {
    const base = smoke ? SMOKE_OPTIONS : FULL_OPTIONS;
    const result = await runKvVsEtcd({
      ...base,
      installEtcd: base.installEtcd && !values['no-install'],
      log,
    });
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, 'kv-vs-etcd.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}`);
    for (const g of result.goals) {
      log(
        `goal: ${g.goal}: ${g.measured === null ? 'n/a' : `${g.measured.toFixed(2)}×`} ${g.met === null ? '' : g.met ? 'met' : 'NOT met'}`,
      );
    }
  }
  const written = writeReport(resultsDir, docPath);
  log(`wrote ${written.docPath} and ${written.charts.length} chart(s)`);
}

main().catch((error) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
